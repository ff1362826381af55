"""`[agents.api-tests]`: defaults, validation messages, the engine configuration they produce."""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path

import pytest
from pydantic import ValidationError

import tasks.api_tests as package
from tasks.api_tests import DEFAULT_CHECKS, KNOWN_CHECKS, SPEC, ApiTestsSettings
from tasks.api_tests._engine import build_config
from tasks.api_tests.agent import _engine_request
from tasks.config import load_config

UNKNOWN_CHECK = {"checks": ["not_a_server_error", "no_such_check"]}
ABSOLUTE_SPEC = {"spec": "/etc/openapi.yaml"}
ESCAPING_SPEC = {"spec": "../other/openapi.yaml"}
TOO_MANY_WORKERS = {"workers": 8}
UNKNOWN_KEY = {"max_exmaples": 10}


def test_defaults_are_bounded_and_deterministic() -> None:
    settings = ApiTestsSettings()
    assert settings.spec == "openapi.yaml"
    assert settings.environment == "api-tests"
    assert settings.select == "changed"
    assert settings.checks == list(DEFAULT_CHECKS)
    assert (settings.seed, settings.workers, settings.max_examples) == (20261204, 1, 50)
    assert settings.timeout_s == 120


def test_checks_are_schemathesis_4_names() -> None:
    from schemathesis.checks import CHECKS

    importlib.import_module("schemathesis.specs.openapi.checks")  # registers the OpenAPI checks
    assert set(KNOWN_CHECKS) == set(CHECKS.get_all_names())
    assert set(DEFAULT_CHECKS) <= set(KNOWN_CHECKS)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (UNKNOWN_CHECK, "unknown check(s) no_such_check; schemathesis 4 has: not_a_server_error"),
        (ABSOLUTE_SPEC, "a path relative to the service directory"),
        (ESCAPING_SPEC, "a path relative to the service directory"),
        (TOO_MANY_WORKERS, "less than or equal to 2"),
        (UNKNOWN_KEY, "Extra inputs are not permitted"),
    ],
)
def test_invalid_tables_are_rejected_with_a_message(table: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        ApiTestsSettings.model_validate(table)


def test_a_qeflow_toml_table_is_validated_by_the_agent_model(tmp_path: Path) -> None:
    (tmp_path / "qeflow.toml").write_text(
        '[service]\nname = "svc"\nstart = ["node", "s.js"]\n\n'
        '[agents.api-tests]\nmax_examples = 5\nselect = "all"\n'
        'seed_requests = [{ path = "/users", body = { email = "a@b.co", name = "A" } }]\n',
        encoding="utf-8",
    )
    config = load_config(tmp_path / "qeflow.toml", {SPEC.name: SPEC.settings})
    settings = config.agent("api-tests", ApiTestsSettings)
    assert isinstance(settings, ApiTestsSettings)
    assert (settings.max_examples, settings.select) == (5, "all")
    assert settings.seed_requests[0].method == "POST"


def test_engine_configuration_fixes_the_seed_and_writes_no_database() -> None:
    request = _engine_request(ApiTestsSettings(phases=["coverage", "fuzzing"]), Path("/s/openapi.yaml"), "http://h", [])
    config = build_config(json.loads(json.dumps(request)))
    assert config["seed"] == 20261204
    assert config["generation"]["database"] == "none"
    assert config["generation"]["deterministic"] is True
    assert config["cache"] == {"enabled": False}
    assert "max-time" not in config  # it would keep schemathesis busy until the time is used up
    assert [name for name, phase in config["phases"].items() if phase["enabled"]] == ["coverage", "fuzzing"]
    assert config["phases"]["coverage"]["generation"] == {"mode": "positive"}
    assert config["checks"] == {"enabled": False, **{name: {"enabled": True} for name in DEFAULT_CHECKS}}
    from schemathesis.config import SchemathesisConfig

    SchemathesisConfig.from_dict(config)  # schemathesis accepts it


def test_spec_is_registered_for_the_commit_phase() -> None:
    assert (SPEC.name, SPEC.phase, SPEC.settings) == ("api-tests", "commit", ApiTestsSettings)
    assert {"server_errors", "schema_violations"} <= set(SPEC.metrics)


MODULES = ["_digests", "agent", "repro", "results", "selection", "settings"]


@pytest.mark.parametrize("name", MODULES)
def test_module_exports_exist_and_are_re_exported(name: str) -> None:
    module = importlib.import_module(f"tasks.api_tests.{name}")
    for export in module.__all__:
        assert hasattr(module, export), f"{module.__name__}.__all__ names missing {export}"
        assert export in package.__all__, f"tasks.api_tests does not re-export {export}"
        assert getattr(package, export) is getattr(module, export)


def test_package_all_is_complete() -> None:
    assert len(set(package.__all__)) == len(package.__all__)
    for export in package.__all__:
        assert hasattr(package, export)


def test_the_engine_script_imports_neither_qeflow_nor_pydantic() -> None:
    source = Path(importlib.import_module("tasks.api_tests._engine").__file__ or "").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "base64", "collections", "json", "pathlib", "sys", "threading", "time",
                        "traceback", "typing", "hypothesis", "schemathesis"}  # fmt: skip
