"""Evaluate a phase's gate against its agents' reports: a `GateVerdict`, one row per condition.

Rules (DESIGN.md, "Gates"):
- a missing metric fails its condition (no evidence, no pass);
- an agent in `error` fails the gate, whether or not a condition names it;
- a relative condition with no baseline yet passes and says so (the first passing run becomes
  the baseline);
- conditions on an agent that the config turned off are shown as skipped, never silently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel, Field

from gates.conditions import Condition
from tasks.report import AgentReport, Status

__all__ = ["ConditionResult", "GateVerdict", "evaluate_gate"]


class ConditionResult(BaseModel):
    expression: str
    agent: str
    metric: str
    op: str
    measured: float | None
    threshold: float | None
    baseline: float | None = None
    outcome: str = Field(description="passed | failed | skipped")
    reason: str = ""

    @property
    def passed(self) -> bool:
        return self.outcome != "failed"

    def message(self) -> str:
        measured = "missing" if self.measured is None else f"{self.measured:g}"
        text = f"{self.expression} — actual: {measured}"
        if self.threshold is not None and self.baseline is not None:
            text += f" (threshold {self.threshold:g} from baseline {self.baseline:g})"
        return text + (f" ({self.reason})" if self.reason else "")


class GateVerdict(BaseModel):
    phase: str
    passed: bool
    conditions: list[ConditionResult]
    baseline_run: str | None = None

    @property
    def failed_conditions(self) -> list[ConditionResult]:
        return [c for c in self.conditions if c.outcome == "failed"]


def _evaluate(
    condition: Condition, report: AgentReport | None, baseline: Mapping[str, float] | None
) -> ConditionResult:
    base = dict(expression=condition.expression, agent=condition.agent, metric=condition.metric, op=condition.op)
    if report is None:
        return ConditionResult(
            **base,
            measured=None,
            threshold=condition.value,
            outcome="failed",
            reason=f"no report from agent {condition.agent}",
        )
    if report.status is Status.SKIPPED:
        return ConditionResult(
            **base, measured=None, threshold=condition.value, outcome="skipped", reason=report.summary
        )
    if report.status is Status.ERROR:
        return ConditionResult(
            **base,
            measured=report.metrics.get(condition.metric),
            threshold=condition.value,
            outcome="failed",
            reason=f"agent error: {report.summary}",
        )
    measured = report.metrics.get(condition.metric)
    if measured is None:
        return ConditionResult(
            **base,
            measured=None,
            threshold=condition.value,
            outcome="failed",
            reason="metric missing from the agent's report",
        )
    baseline_value = None
    if condition.is_relative:
        baseline_value = (baseline or {}).get(condition.metric)
        if baseline_value is None:
            return ConditionResult(
                **base,
                measured=measured,
                threshold=None,
                outcome="passed",
                reason="no baseline yet: the first passing run becomes the baseline",
            )
    threshold = condition.threshold(baseline_value)
    assert threshold is not None
    ok = condition.holds(measured, threshold)
    return ConditionResult(
        **base, measured=measured, threshold=threshold, baseline=baseline_value, outcome="passed" if ok else "failed"
    )


def evaluate_gate(
    phase: str,
    conditions: Sequence[Condition],
    reports: Iterable[AgentReport],
    baseline: Mapping[str, Mapping[str, float]] | None = None,
    baseline_run: str | None = None,
) -> GateVerdict:
    """Judge `reports` against `conditions`; `baseline` maps agent -> metrics of the baseline run."""
    by_agent = {r.agent: r for r in reports}
    rows = [_evaluate(c, by_agent.get(c.agent), (baseline or {}).get(c.agent)) for c in conditions]
    for report in by_agent.values():
        if report.status is Status.ERROR:
            rows.append(
                ConditionResult(
                    expression=f"{report.agent} ran without error",
                    agent=report.agent,
                    metric="status",
                    op="!=",
                    measured=None,
                    threshold=None,
                    outcome="failed",
                    reason=report.summary,
                )
            )
    return GateVerdict(
        phase=phase,
        passed=all(r.passed for r in rows),
        conditions=rows,
        baseline_run=baseline_run,
    )
