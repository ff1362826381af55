"""One SARIF 2.1.0 log for all analyzers: one run per tool, its rules and its results.

Per result: `level` from the qeflow severity (critical/high: error, medium: warning, low: note),
`properties.severity` (the qeflow severity), `baselineState` (`new` or `unchanged` against the
base revision), `partialFingerprints["qeflow/v1"]` (see fingerprint.py) and a location relative
to the repository top level (`uriBaseId` %SRCROOT%). Rules carry `properties.severity` (the worst
seen), `tags` (`security`, `external/cwe/cwe-89`) and GitHub's numeric `security-severity` for
security rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks.report import Severity
from tasks.static_analysis.fingerprint import FINGERPRINT_KEY
from tasks.static_analysis.model import ToolFinding

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "ToolRun", "build_sarif"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
_RANK = {Severity.INFO: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}
_SECURITY_SEVERITY = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "3.0"}
_TOOL_URI = {
    "eslint": "https://eslint.org",
    "semgrep": "https://semgrep.dev",
    "ruff": "https://docs.astral.sh/ruff",
    "bandit": "https://bandit.readthedocs.io",
}


@dataclass(frozen=True)
class ToolRun:
    """What the SARIF run of one tool says about its execution."""

    tool: str
    exit_code: int | None
    command: Sequence[str] = ()
    version: str | None = None
    problems: Sequence[str] = ()


_CWE = re.compile(r"CWE-(\d+)", re.IGNORECASE)


def _rule(findings: list[ToolFinding]) -> dict[str, Any]:
    worst = max(findings, key=lambda f: _RANK[f.severity])
    info = worst.info
    cwe_tags = {f"external/cwe/cwe-{m.group(1)}" for text in info.cwe for m in [_CWE.search(text)] if m}
    tags = sorted({tag for f in findings for tag in f.info.tags} | cwe_tags)
    properties: dict[str, Any] = {"severity": worst.severity.value, "tags": tags}
    if info.cwe:
        properties["cwe"] = list(info.cwe)
    if "security" in tags:
        properties["security-severity"] = _SECURITY_SEVERITY.get(worst.severity, "3.0")
    rule: dict[str, Any] = {
        "id": worst.rule,
        "shortDescription": {"text": info.description or worst.message or worst.rule},
        "defaultConfiguration": {"level": _LEVEL[worst.severity]},
        "properties": properties,
    }
    if info.help_uri:
        rule["helpUri"] = info.help_uri
    return rule


def _location(finding: ToolFinding, service_path: str) -> dict[str, Any]:
    prefix = f"{service_path.rstrip('/')}/" if service_path else ""
    physical: dict[str, Any] = {"artifactLocation": {"uri": prefix + finding.path, "uriBaseId": SRCROOT}}
    if finding.start_line >= 1:
        region: dict[str, Any] = {"startLine": finding.start_line, "endLine": max(finding.end_line, finding.start_line)}
        if finding.start_column:
            region["startColumn"] = finding.start_column
        if finding.end_column and (finding.end_line > finding.start_line or finding.end_column > finding.start_column):
            region["endColumn"] = finding.end_column
        physical["region"] = region
    return {"physicalLocation": physical}


def _result(finding: ToolFinding, rule_index: int, service_path: str) -> dict[str, Any]:
    return {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _LEVEL[finding.severity],
        "message": {"text": finding.message or finding.rule},
        "locations": [_location(finding, service_path)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "baselineState": "new" if finding.new else "unchanged",
        "properties": {"severity": finding.severity.value, "new": finding.new, "toolLevel": finding.tool_level},
    }


def _run(run: ToolRun, findings: list[ToolFinding], service_path: str, repo: Path) -> dict[str, Any]:
    by_rule: dict[str, list[ToolFinding]] = {}
    for finding in findings:
        by_rule.setdefault(finding.rule, []).append(finding)
    rule_ids = sorted(by_rule)
    index = {rule: i for i, rule in enumerate(rule_ids)}
    driver: dict[str, Any] = {
        "name": run.tool,
        "informationUri": _TOOL_URI.get(run.tool, "https://github.com"),
        "rules": [_rule(by_rule[rule]) for rule in rule_ids],
    }
    if run.version:
        driver["version"] = run.version
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if run.exit_code is not None:
        invocation["exitCode"] = run.exit_code
    if run.command:
        invocation["arguments"] = list(run.command)
    if run.problems:
        invocation["toolExecutionNotifications"] = [
            {"level": "warning", "message": {"text": problem}} for problem in run.problems
        ]
    return {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "originalUriBaseIds": {SRCROOT: {"uri": repo.resolve().as_uri() + "/"}},
        "results": [_result(f, index[f.rule], service_path) for f in findings],
    }


def build_sarif(
    runs: Iterable[ToolRun], findings: Mapping[str, list[ToolFinding]], *, service_path: str, repo: Path
) -> dict[str, Any]:
    """A SARIF log with one run per tool in `runs`, holding that tool's findings."""
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [_run(run, findings.get(run.tool, []), service_path, repo) for run in runs],
    }
