"""[agents.static-analysis] settings: defaults, descriptions, and the mistakes they reject."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tasks.report import Severity
from tasks.static_analysis import DEFAULT_EXCLUDE, Analyzer, StaticAnalysisSettings

UNKNOWN_ANALYZER = {"analyzers": ["eslint", "pylint"]}
TWICE = {"analyzers": ["ruff", "ruff"]}
EMPTY_COMMAND = {"commands": {"eslint": []}}
UNKNOWN_COMMAND = {"commands": {"pylint": ["pylint"]}}
ESCAPING_PATH = {"paths": ["../other"]}
ABSOLUTE_RULES = {"semgrep_rules": ["/etc/rules.yaml"]}
INFO_OVERRIDE = {"severity_overrides": {"no-eval": "info"}}
BAD_SEVERITY = {"severity_overrides": {"no-eval": "blocker"}}
UNKNOWN_KEY = {"analyser": ["eslint"]}
ZERO_JOBS = {"semgrep_jobs": 0}


def test_defaults() -> None:
    settings = StaticAnalysisSettings()
    assert settings.analyzers is None  # detected
    assert settings.paths == ["."]
    assert settings.exclude == list(DEFAULT_EXCLUDE)
    assert settings.commands == {}
    assert settings.severity_overrides == {}
    assert settings.semgrep_rules == []
    assert (settings.semgrep_jobs, settings.semgrep_timeout_s, settings.timeout_s) == (1, 5, 300)
    for name, field in StaticAnalysisSettings.model_fields.items():
        assert field.description, f"{name} has no description"


def test_a_full_table_validates() -> None:
    settings = StaticAnalysisSettings.model_validate(
        {
            "analyzers": ["eslint", "semgrep"],
            "commands": {"eslint": ["npx", "--no-install", "eslint"]},
            "paths": ["src", "lib"],
            "exclude": ["**/fixtures/**"],
            "severity_overrides": {"security/detect-object-injection": "low", "eslint/no-eval": "critical"},
            "semgrep_rules": ["security/semgrep"],
        }
    )
    assert settings.analyzers == [Analyzer.ESLINT, Analyzer.SEMGREP]
    assert settings.commands == {Analyzer.ESLINT: ["npx", "--no-install", "eslint"]}
    assert settings.severity_overrides["eslint/no-eval"] is Severity.CRITICAL


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (UNKNOWN_ANALYZER, "'eslint', 'semgrep', 'ruff' or 'bandit'"),
        (TWICE, "each analyzer at most once"),
        (EMPTY_COMMAND, "commands.eslint: a non-empty list of strings"),
        (UNKNOWN_COMMAND, "'eslint', 'semgrep', 'ruff' or 'bandit'"),
        (ESCAPING_PATH, "relative to the service directory, without '..'"),
        (ABSOLUTE_RULES, "relative to the service directory"),
        (INFO_OVERRIDE, "one of critical, high, medium, low"),
        (BAD_SEVERITY, "'info', 'low', 'medium', 'high' or 'critical'"),
        (UNKNOWN_KEY, "Extra inputs are not permitted"),
        (ZERO_JOBS, "greater than or equal to 1"),
    ],
)
def test_invalid_tables_are_rejected(table: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        StaticAnalysisSettings.model_validate(table)
