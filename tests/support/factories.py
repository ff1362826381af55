"""Factory fixtures: callables with keyword defaults that build the objects tests need."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tasks.report import AgentReport, Finding, Severity, Status


@pytest.fixture
def make_report() -> Callable[..., AgentReport]:
    def make(
        agent: str = "unit-tests",
        phase: str = "commit",
        status: Status = Status.PASSED,
        findings: int = 0,
        **metrics: float,
    ) -> AgentReport:
        return AgentReport(
            agent=agent,
            phase=phase,
            status=status,
            metrics=metrics,
            findings=[Finding(rule="r", severity=Severity.LOW, message=f"f{i}") for i in range(findings)],
            started_at=datetime(2026, 12, 4, tzinfo=UTC),
            duration_s=1.5,
            summary=f"{agent} {status.value}",
        )

    return make


MINIMAL_TOML = """\
[service]
name = "svc"
start = ["node", "server.js"]
"""


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str = MINIMAL_TOML, name: str = "qeflow.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
