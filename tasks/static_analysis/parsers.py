"""Each tool's JSON report -> `Parsed` (ToolFindings with mapped severities, plus analysis problems).

Paths come out absolute (a tool's relative path is taken relative to the directory it ran in);
the agent makes them relative to the checkout they belong to (head or the base tree).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tasks.report import Severity
from tasks.static_analysis.model import RuleInfo, ToolFinding
from tasks.static_analysis.severity import (
    bandit_severity,
    eslint_severity,
    is_security_rule,
    override,
    ruff_severity,
    semgrep_severity,
)

__all__ = ["Parsed", "parse_bandit", "parse_eslint", "parse_ruff", "parse_semgrep"]

Overrides = Mapping[str, Severity]


@dataclass
class Parsed:
    findings: list[ToolFinding] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # files a tool could not analyse, and why
    version: str | None = None


def _abs(path: str, cwd: Path) -> str:
    return os.path.normpath(os.path.join(cwd, path))


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


def _cwe_list(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value] if value else []
    return tuple(str(item) for item in items)


# --- eslint ------------------------------------------------------------------------------------
# `eslint -f json -o FILE files...`; exit 0 clean, 1 lint errors, 2 config error or crash.
# [{"filePath": "/abs/src/a.js", "messages": [{"ruleId": "no-eval", "severity": 2,
#   "message": "eval can be harmful.", "line": 6, "column": 15, "endLine": 6, "endColumn": 35}]}]


def _eslint_help(rule: str) -> str | None:
    if rule.startswith("security/"):
        return (
            "https://github.com/eslint-community/eslint-plugin-security/blob/main/docs/rules/"
            f"{rule.removeprefix('security/')}.md"
        )
    return None if "/" in rule else f"https://eslint.org/docs/latest/rules/{rule}"


def parse_eslint(data: Any, *, cwd: Path, overrides: Overrides) -> Parsed:
    if not isinstance(data, list):
        raise ValueError("eslint JSON: expected a list of file results")
    parsed = Parsed()
    for file in data:
        path = _abs(file["filePath"], cwd)
        for msg in file.get("messages", []):
            rule = msg.get("ruleId")
            text = str(msg.get("message", ""))
            if rule is None and text.startswith("File ignored"):
                continue  # a target the service's own config ignores
            level = int(msg.get("severity", 1))
            mapped = eslint_severity(rule, level, text, bool(msg.get("fatal")))
            rule_id = rule or "parse-error"
            line = _int(msg.get("line")) or 0
            parsed.findings.append(
                ToolFinding(
                    tool="eslint",
                    rule=rule_id,
                    path=path,
                    start_line=line,
                    end_line=_int(msg.get("endLine")) or line,
                    start_column=_int(msg.get("column")),
                    end_column=_int(msg.get("endColumn")),
                    message=text,
                    tool_level="error" if level >= 2 else "warn",
                    severity=override("eslint", rule_id, mapped, overrides),
                    info=RuleInfo(
                        help_uri=_eslint_help(rule_id) if rule else None,
                        tags=("security",) if rule_id.startswith("security/") else (),
                    ),
                )
            )
    return parsed


# --- semgrep -----------------------------------------------------------------------------------
# `semgrep scan --json --output FILE ...`; exit 0 (findings do not change it without --error),
# 2 and up on fatal errors (7 invalid config, ...). Files it could not parse are `errors` of level
# "warn" with exit 0.
# {"version": "1.187.0", "results": [{"check_id": "qeflow.javascript.eval", "path": "src/a.js",
#   "start": {"line": 6, "col": 15}, "end": {"line": 6, "col": 35}, "extra": {"message": "...",
#   "severity": "ERROR", "metadata": {"category": "security", "cwe": [...], "qeflow-severity":
#   "critical"}}}], "errors": [...], "paths": {"scanned": [...]}}


def parse_semgrep(data: Any, *, cwd: Path, overrides: Overrides) -> Parsed:
    if not isinstance(data, dict) or "results" not in data:
        raise ValueError("semgrep JSON: expected an object with results")
    parsed = Parsed(version=data.get("version"))
    for result in data["results"]:
        extra = result.get("extra", {})
        metadata = extra.get("metadata") or {}
        level = str(extra.get("severity", "INFO"))
        rule = result["check_id"]
        mapped = semgrep_severity(level, metadata)
        start, end = result.get("start", {}), result.get("end", {})
        line = _int(start.get("line")) or 0
        references = metadata.get("references") or []
        parsed.findings.append(
            ToolFinding(
                tool="semgrep",
                rule=rule,
                path=_abs(result["path"], cwd),
                start_line=line,
                end_line=_int(end.get("line")) or line,
                start_column=_int(start.get("col")),
                end_column=_int(end.get("col")),
                message=" ".join(str(extra.get("message", "")).split()),
                tool_level=level,
                severity=override("semgrep", rule, mapped, overrides),
                info=RuleInfo(
                    help_uri=references[0] if isinstance(references, list) and references else None,
                    cwe=_cwe_list(metadata.get("cwe")),
                    tags=("security",) if is_security_rule(metadata) else (),
                ),
            )
        )
    for error in data.get("errors", []):
        where = error.get("path") or "semgrep"
        message = str(error.get("message", error.get("type", "error"))).splitlines()[0]
        parsed.problems.append(f"{where}: {message}")
    return parsed


# --- ruff --------------------------------------------------------------------------------------
# `ruff check --output-format json --output-file FILE --exit-zero ...`; exit 0 (2 on a bad config).
# [{"code": "S608", "message": "Possible SQL injection vector...", "filename": "/abs/app/db.py",
#   "location": {"row": 13, "column": 13}, "end_location": {"row": 13, "column": 58},
#   "url": "https://docs.astral.sh/ruff/rules/hardcoded-sql-expression"}]
# A syntax error has code "invalid-syntax" (ruff >= 0.12) or null (older).


def parse_ruff(data: Any, *, cwd: Path, overrides: Overrides) -> Parsed:
    if not isinstance(data, list):
        raise ValueError("ruff JSON: expected a list of diagnostics")
    parsed = Parsed()
    for item in data:
        code = item.get("code") or "invalid-syntax"
        start, end = item.get("location") or {}, item.get("end_location") or {}
        line = _int(start.get("row")) or 0
        parsed.findings.append(
            ToolFinding(
                tool="ruff",
                rule=code,
                path=_abs(item["filename"], cwd),
                start_line=line,
                end_line=_int(end.get("row")) or line,
                start_column=_int(start.get("column")),
                end_column=_int(end.get("column")),
                message=str(item.get("message", "")),
                tool_level=code,
                severity=override("ruff", code, ruff_severity(code), overrides),
                info=RuleInfo(help_uri=item.get("url"), tags=("security",) if code[:1] == "S" else ()),
            )
        )
    return parsed


# --- bandit ------------------------------------------------------------------------------------
# `bandit -f json -o FILE -q files...`; exit 0 clean, 1 issues found, 2 usage or config error.
# {"results": [{"test_id": "B602", "test_name": "subprocess_popen_with_shell_equals_true",
#   "filename": "./app/service.py", "line_number": 9, "line_range": [9], "col_offset": 4,
#   "issue_severity": "HIGH", "issue_confidence": "HIGH", "issue_cwe": {"id": 78, ...},
#   "issue_text": "...", "more_info": "https://bandit.readthedocs.io/..."}],
#  "errors": [{"filename": "./app/broken.py", "reason": "syntax error while parsing AST from file"}]}


def parse_bandit(data: Any, *, cwd: Path, overrides: Overrides) -> Parsed:
    if not isinstance(data, dict) or "results" not in data:
        raise ValueError("bandit JSON: expected an object with results")
    parsed = Parsed()
    for item in data["results"]:
        rule = item["test_id"]
        severity, confidence = str(item.get("issue_severity", "LOW")), str(item.get("issue_confidence", "LOW"))
        lines = [n for n in item.get("line_range") or [] if isinstance(n, int)]
        line = _int(item.get("line_number")) or 0
        col = item.get("col_offset")
        end_col = item.get("end_col_offset")
        cwe = item.get("issue_cwe") or {}
        parsed.findings.append(
            ToolFinding(
                tool="bandit",
                rule=rule,
                path=_abs(item["filename"], cwd),
                start_line=line,
                end_line=max([line, *lines]),
                start_column=col + 1 if isinstance(col, int) else None,
                end_column=end_col + 1 if isinstance(end_col, int) and end_col > 0 else None,
                message=f"{item.get('issue_text', '')} ({item.get('test_name', rule)})".strip(),
                tool_level=f"{severity}/{confidence}",
                severity=override("bandit", rule, bandit_severity(severity, confidence), overrides),
                info=RuleInfo(
                    description=str(item.get("test_name", "")),
                    help_uri=item.get("more_info"),
                    cwe=(f"CWE-{cwe['id']}",) if isinstance(cwe, dict) and cwe.get("id") else (),
                    tags=("security",),
                ),
            )
        )
    for error in data.get("errors", []):
        parsed.problems.append(f"{error.get('filename', 'bandit')}: {error.get('reason', 'error')}")
    return parsed
