# Two commands: `make demo` and `make test`. Both set everything up first (idempotent).
VENV    ?= .venv
PYTHON  ?= python3
EXAMPLE := examples/users-service
BIN     := $(VENV)/bin

.PHONY: setup demo test test-fast lint bench clean

setup: $(VENV)/.installed $(EXAMPLE)/node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

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
	rm -rf $(VENV) $(EXAMPLE)/node_modules .qeflow $(EXAMPLE)/.qeflow
