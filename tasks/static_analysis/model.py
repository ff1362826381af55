"""One finding of one analyzer, normalised: `ToolFinding`, and what is known about its rule: `RuleInfo`.

Parsers (`parsers.py`) turn each tool's JSON into ToolFindings with a severity already mapped
(`severity.py`); the agent then fingerprints them (`fingerprint.py`) and marks each one new or
existing (`baseline.py`). Paths are relative to the service directory, POSIX style.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tasks.report import Severity

__all__ = ["RuleInfo", "ToolFinding"]


@dataclass(frozen=True)
class RuleInfo:
    """What a tool says about a rule: enough for a SARIF `reportingDescriptor`."""

    description: str = ""
    help_uri: str | None = None
    cwe: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ToolFinding:
    tool: str  # eslint | semgrep | ruff | bandit
    rule: str  # the tool's own rule id: "no-eval", "B602", "qeflow.javascript.sql-injection"
    path: str  # relative to the service directory
    start_line: int  # 1-based; 0 when the tool gives no line (a whole-file problem)
    end_line: int
    message: str
    tool_level: str  # the tool's own level, as it said it: "ERROR", "HIGH/HIGH", "error", "S608"
    severity: Severity
    start_column: int | None = None
    end_column: int | None = None
    info: RuleInfo = field(default_factory=RuleInfo)
    fingerprint: str = ""  # set by fingerprint.assign_fingerprints
    new: bool = True  # set by baseline.classify
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def qualified_rule(self) -> str:
        """`tool/rule`: the rule id as qeflow reports it, unique across tools."""
        return f"{self.tool}/{self.rule}"

    def location(self, service_path: str = "") -> str:
        """`path:line` relative to the repository top level (like other agents' findings)."""
        prefix = f"{service_path.rstrip('/')}/" if service_path else ""
        return f"{prefix}{self.path}:{self.start_line}" if self.start_line else f"{prefix}{self.path}"

    def to_json(self, service_path: str = "") -> dict[str, Any]:
        return {
            "tool": self.tool,
            "rule": self.qualified_rule,
            "severity": self.severity.value,
            "new": self.new,
            "path": self.path,
            "location": self.location(service_path),
            "start_line": self.start_line,
            "end_line": self.end_line,
            "start_column": self.start_column,
            "end_column": self.end_column,
            "message": self.message,
            "tool_level": self.tool_level,
            "cwe": list(self.info.cwe),
            "fingerprint": self.fingerprint,
        }
