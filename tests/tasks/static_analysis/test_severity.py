"""The severity table (severity.py docstring), line by line."""

from __future__ import annotations

import pytest

from tasks.report import Severity
from tasks.static_analysis import (
    bandit_severity,
    eslint_severity,
    is_security_rule,
    override,
    ruff_severity,
    semgrep_severity,
)

C, H, M, L = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW
SECURITY = {"category": "security"}


@pytest.mark.parametrize(
    ("level", "metadata", "expected"),
    [
        ("ERROR", {"qeflow-severity": "high", "category": "security"}, H),  # declared wins
        ("INFO", {"qeflow-severity": "critical"}, C),
        ("ERROR", {"qeflow-severity": "bogus", "category": "security"}, C),  # unknown: ignored
        ("ERROR", SECURITY, C),
        ("ERROR", {"cwe": ["CWE-89: SQL Injection"]}, C),
        ("ERROR", {"owasp": "A03:2021 - Injection"}, C),
        ("ERROR", {"category": ["correctness", "security"]}, C),
        ("ERROR", {"category": "correctness"}, H),
        ("ERROR", {}, H),
        ("WARNING", SECURITY, H),
        ("WARNING", {}, M),
        ("INFO", SECURITY, L),
        ("INVENTORY", {}, L),
        ("CRITICAL", {}, C),
        ("HIGH", {}, H),
        ("MEDIUM", SECURITY, M),
        ("LOW", {}, L),
    ],
)
def test_semgrep(level: str, metadata: dict[str, object], expected: Severity) -> None:
    assert semgrep_severity(level, metadata) is expected


@pytest.mark.parametrize(
    ("severity", "confidence", "expected"),
    [
        ("HIGH", "HIGH", C),
        ("HIGH", "MEDIUM", H),
        ("HIGH", "LOW", M),
        ("MEDIUM", "HIGH", H),
        ("MEDIUM", "MEDIUM", M),
        ("MEDIUM", "LOW", L),
        ("LOW", "HIGH", L),
        ("LOW", "LOW", L),
        ("UNDEFINED", "HIGH", L),
        ("high", "high", C),
    ],
)
def test_bandit(severity: str, confidence: str, expected: Severity) -> None:
    assert bandit_severity(severity, confidence) is expected


@pytest.mark.parametrize(
    ("rule", "level", "message", "fatal", "expected"),
    [
        ("security/detect-eval-with-expression", 1, "eval with argument of type Identifier", False, C),
        ("security/detect-child-process", 1, "Found child_process.exec() with non Literal first argument", False, C),
        ("security/detect-child-process", 1, 'Found require("child_process")', False, H),
        ("security/detect-object-injection", 1, "Generic Object Injection Sink", False, H),
        ("security/detect-unsafe-regex", 2, "Unsafe Regular Expression", False, H),
        ("no-eval", 2, "eval can be harmful.", False, H),
        ("no-implied-eval", 1, "Implied eval.", False, H),
        ("no-new-func", 2, "The Function constructor is eval.", False, H),
        (None, 2, "Parsing error: Unexpected token", True, M),
        ("no-unused-vars", 2, "'x' is assigned a value but never used.", False, M),
        ("prefer-const", 1, "'x' is never reassigned.", False, L),
        ("react/no-danger", 1, "Dangerous property", False, L),
    ],
)
def test_eslint(rule: str | None, level: int, message: str, fatal: bool, expected: Severity) -> None:
    assert eslint_severity(rule, level, message, fatal) is expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("S608", H),
        ("S602", H),
        ("S105", H),
        ("S101", L),
        ("invalid-syntax", M),
        (None, M),
        ("E999", M),
        ("E902", M),
        ("F401", M),
        ("F821", M),
        ("B006", M),
        ("PLE0101", M),
        ("E501", L),
        ("W291", L),
        ("I001", L),
        ("UP031", L),
        ("SIM102", L),  # not S
        ("SLF001", L),
        ("BLE001", L),  # not B
        ("FBT001", L),  # not F
    ],
)
def test_ruff(code: str | None, expected: Severity) -> None:
    assert ruff_severity(code) is expected


def test_security_rule_metadata() -> None:
    assert is_security_rule({"category": "security"})
    assert is_security_rule({"category": "Security"})
    assert is_security_rule({"cwe": "CWE-78"})
    assert not is_security_rule({"category": "best-practice"})
    assert not is_security_rule({})


def test_override_prefers_the_qualified_rule_then_the_bare_one() -> None:
    overrides = {"no-eval": L, "eslint/no-eval": M}
    assert override("eslint", "no-eval", H, overrides) is M
    assert override("eslint", "no-eval", H, {"no-eval": L}) is L
    assert override("eslint", "no-eval", H, {}) is H
    assert override("eslint", "no-eval", H, {"semgrep/no-eval": C}) is H
