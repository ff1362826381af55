"""The gate as a Prefect task: evaluates, records, and raises `GateFailed` to halt downstream."""

from __future__ import annotations

from collections.abc import Sequence

from prefect import task
from prefect.cache_policies import NO_CACHE

from gates.baseline import Baseline
from gates.conditions import Condition
from gates.errors import GateFailed
from gates.verdict import GateVerdict, evaluate_gate
from tasks.report import AgentReport

__all__ = ["gate_task"]


@task(name="gate", cache_policy=NO_CACHE, persist_result=False)
def gate_task(
    phase: str,
    conditions: Sequence[Condition],
    reports: Sequence[AgentReport],
    baseline: Baseline | None = None,
) -> GateVerdict:
    verdict = evaluate_gate(
        phase,
        conditions,
        reports,
        baseline.metrics if baseline else None,
        baseline.run_id if baseline else None,
    )
    if not verdict.passed:
        raise GateFailed(verdict)
    return verdict
