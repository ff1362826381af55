"""How each tool's own levels become qeflow severities (critical, high, medium, low).

The gate counts new findings by severity (`static-analysis.new_critical == 0`), so this table is
the policy. The first matching line of a tool wins; `severity_overrides` in qeflow.toml replaces
the result for a rule (qualified `tool/rule` key first, then the bare rule id).

| tool    | the tool says                                                     | severity |
|---------|-------------------------------------------------------------------|----------|
| semgrep | rule metadata `qeflow-severity: <s>` (all rules shipped by qeflow) | <s>      |
| semgrep | CRITICAL / HIGH / MEDIUM / LOW (semgrep's newer levels)           | same     |
| semgrep | ERROR + security metadata (category security, a cwe or an owasp)  | critical |
| semgrep | ERROR                                                             | high     |
| semgrep | WARNING + security metadata                                       | high     |
| semgrep | WARNING                                                           | medium   |
| semgrep | INFO, INVENTORY, EXPERIMENT                                       | low      |
| bandit  | severity HIGH, confidence HIGH                                    | critical |
| bandit  | severity HIGH, confidence MEDIUM                                  | high     |
| bandit  | severity HIGH, confidence LOW                                     | medium   |
| bandit  | severity MEDIUM, confidence HIGH                                  | high     |
| bandit  | severity MEDIUM, confidence MEDIUM                                | medium   |
| bandit  | severity MEDIUM, confidence LOW                                   | low      |
| bandit  | severity LOW                                                      | low      |
| eslint  | security/detect-eval-with-expression                              | critical |
| eslint  | security/detect-child-process on exec() with a non-literal        | critical |
| eslint  | any other security/* rule (eslint-plugin-security)                | high     |
| eslint  | no-eval, no-implied-eval, no-new-func                             | high     |
| eslint  | parsing error (fatal, no rule)                                    | medium   |
| eslint  | any other rule at "error" (2)                                     | medium   |
| eslint  | any other rule at "warn" (1)                                      | low      |
| ruff    | S101 (assert)                                                     | low      |
| ruff    | S (flake8-bandit)                                                 | high     |
| ruff    | syntax error, F (pyflakes), E9, PLE (pylint errors), B (bugbear)  | medium   |
| ruff    | any other rule (style, imports, upgrades...)                      | low      |

Rules qeflow ships (rules/): the injection and execution rules — SQL injection, eval / code
injection, command execution — and committed private keys and AWS keys are critical; SSRF, path
traversal, hard-coded passwords, credentials in URLs and weak cryptography are high.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tasks.report import Severity

__all__ = [
    "bandit_severity",
    "eslint_severity",
    "is_security_rule",
    "override",
    "ruff_severity",
    "semgrep_severity",
]

_RANKED = {s.value: s for s in (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)}


def is_security_rule(metadata: Mapping[str, Any]) -> bool:
    """Semgrep rule metadata marks a security rule: category security, a cwe or an owasp entry."""
    category = metadata.get("category")
    categories = category if isinstance(category, list) else [category]
    return "security" in [str(c).lower() for c in categories] or bool(metadata.get("cwe") or metadata.get("owasp"))


def semgrep_severity(level: str, metadata: Mapping[str, Any]) -> Severity:
    declared = str(metadata.get("qeflow-severity", "")).lower()
    if declared in _RANKED:
        return _RANKED[declared]
    level = level.upper()
    if level.lower() in _RANKED:  # CRITICAL, HIGH, MEDIUM, LOW
        return _RANKED[level.lower()]
    security = is_security_rule(metadata)
    if level == "ERROR":
        return Severity.CRITICAL if security else Severity.HIGH
    if level == "WARNING":
        return Severity.HIGH if security else Severity.MEDIUM
    return Severity.LOW


_BANDIT = {
    ("HIGH", "HIGH"): Severity.CRITICAL,
    ("HIGH", "MEDIUM"): Severity.HIGH,
    ("HIGH", "LOW"): Severity.MEDIUM,
    ("MEDIUM", "HIGH"): Severity.HIGH,
    ("MEDIUM", "MEDIUM"): Severity.MEDIUM,
    ("MEDIUM", "LOW"): Severity.LOW,
}


def bandit_severity(severity: str, confidence: str) -> Severity:
    return _BANDIT.get((severity.upper(), confidence.upper()), Severity.LOW)


_ESLINT_CORE_SECURITY = frozenset({"no-eval", "no-implied-eval", "no-new-func"})


def eslint_severity(rule: str | None, level: int, message: str, fatal: bool = False) -> Severity:
    if rule is None:
        return Severity.MEDIUM if fatal or level >= 2 else Severity.LOW
    if rule == "security/detect-eval-with-expression":
        return Severity.CRITICAL
    if rule == "security/detect-child-process" and "non literal" in message.lower():
        return Severity.CRITICAL
    if rule.startswith("security/") or rule in _ESLINT_CORE_SECURITY:
        return Severity.HIGH
    return Severity.MEDIUM if level >= 2 else Severity.LOW


def ruff_severity(code: str | None) -> Severity:
    if not code or code in {"invalid-syntax", "syntax-error"} or code.startswith("E999"):
        return Severity.MEDIUM
    if code == "S101":
        return Severity.LOW
    if code[:1] == "S" and code[1:].isdigit():  # S608; not SIM102, SLF001
        return Severity.HIGH
    if code.startswith(("E9", "PLE")) or (code[:1] in {"F", "B"} and code[1:].isdigit()):
        return Severity.MEDIUM  # F401, B006; not FBT001, BLE001 (other families)
    return Severity.LOW


def override(tool: str, rule: str, mapped: Severity, overrides: Mapping[str, Severity]) -> Severity:
    """The configured severity of `tool/rule` (or bare `rule`), else the mapped one."""
    return overrides.get(f"{tool}/{rule}") or overrides.get(rule) or mapped
