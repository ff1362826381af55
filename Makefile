# Two commands: `make demo` and `make test`. Both set everything up first (idempotent).
VENV    ?= .venv
PYTHON  ?= python3
EXAMPLE := examples/users-service
BIN     := $(VENV)/bin

.PHONY: setup demo test test-fast lint bench clean

setup: $(VENV)/.installed $(VENV)/bin/semgrep $(EXAMPLE)/node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# semgrep pins old pydantic/opentelemetry that Prefect cannot run with: it gets a venv of its own,
# linked into ours so `semgrep` is on the agent's PATH.
$(VENV)/bin/semgrep: $(VENV)/.installed
	$(PYTHON) -m venv $(VENV)-tools
	$(VENV)-tools/bin/pip install -q --upgrade pip
	$(VENV)-tools/bin/pip install -q 'semgrep>=1.100'
	ln -sf $(abspath $(VENV)-tools/bin/semgrep) $@

$(EXAMPLE)/node_modules/.installed: $(EXAMPLE)/package-lock.json
	cd $(EXAMPLE) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: setup
	$(BIN)/qeflow run $(EXAMPLE)

test: setup
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest -m "not e2e and not slow"

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) $(VENV)-tools $(EXAMPLE)/node_modules .qeflow $(EXAMPLE)/.qeflow
