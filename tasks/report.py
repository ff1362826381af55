"""The agent contract: what every agent returns (DESIGN.md, "The agent contract").

Agents themselves only produce an `AgentResult` (metrics, findings, evidence, summary, and
optionally a FAILED status when their own quality bar is missed). The runner (`tasks.runner`)
wraps the call and builds the `AgentReport` envelope: timing, status, errors.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AgentReport", "AgentResult", "Finding", "Severity", "Status"]


class Status(enum.StrEnum):
    """Outcome of an agent or a phase. Ordered: the worst status wins when combining."""

    PASSED = "passed"
    SKIPPED = "skipped"
    FAILED = "failed"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _STATUS_RANK[self]

    @classmethod
    def worst(cls, statuses: list[Status]) -> Status:
        return max(statuses, key=lambda s: s.rank, default=cls.PASSED)


_STATUS_RANK = {Status.PASSED: 0, Status.SKIPPED: 1, Status.FAILED: 2, Status.ERROR: 3}


class Severity(enum.StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Finding(BaseModel):
    """One thing an agent found: a failed test, an uncovered changed line, a vulnerability..."""

    model_config = ConfigDict(extra="forbid")

    rule: str = Field(description="Stable identifier of what was checked, e.g. 'test-failed'.")
    severity: Severity
    message: str
    location: str | None = Field(default=None, description="file:line, an operation, a URL...")


class AgentResult(BaseModel):
    """What an agent function returns; the runner turns it into an AgentReport."""

    model_config = ConfigDict(extra="forbid")

    metrics: dict[str, float] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list, description="Paths relative to the run dir.")
    summary: str = ""
    failed: bool = Field(default=False, description="The agent's own quality bar was missed.")
    details: dict[str, Any] = Field(default_factory=dict, description="Extra JSON-able facts.")


class AgentReport(BaseModel):
    """The envelope every agent yields, whatever happened."""

    model_config = ConfigDict(extra="forbid")

    agent: str
    phase: str
    status: Status
    metrics: dict[str, float] = Field(default_factory=dict)
    findings: list[Finding] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    started_at: datetime
    duration_s: float
    summary: str
    error: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)
