"""The runner builds the AgentReport envelope around an agent call, and is the Prefect task.

An agent returns an `AgentResult`; the runner times it and fills in `started_at`, `duration_s`
and `status`. An exception becomes an ERROR report with the traceback saved as evidence: it never
kills the phase, so the gate always sees every agent's report.
"""

from __future__ import annotations

import time
import traceback
from datetime import UTC, datetime

from prefect import task
from prefect.cache_policies import NO_CACHE

from tasks.context import AgentContext
from tasks.registry import AgentSpec
from tasks.report import AgentReport, AgentResult, Status

__all__ = ["agent_task", "run_agent"]

REPORT_FILE = "report.json"


def _envelope(spec: AgentSpec, ctx: AgentContext, started: datetime, t0: float, **fields: object) -> AgentReport:
    return AgentReport(
        agent=spec.name,
        phase=ctx.phase,
        started_at=started,
        duration_s=round(time.monotonic() - t0, 3),
        **fields,  # type: ignore[arg-type]
    )


def run_agent(spec: AgentSpec, ctx: AgentContext) -> AgentReport:
    started, t0 = datetime.now(UTC), time.monotonic()
    if not getattr(ctx.settings, "enabled", True):
        report = _envelope(
            spec,
            ctx,
            started,
            t0,
            status=Status.SKIPPED,
            summary=f"skipped: [agents.{spec.name}] enabled = false in {ctx.config.path.name}",
        )
    else:
        try:
            result = spec.fn(ctx)
            if not isinstance(result, AgentResult):
                raise TypeError(f"agent {spec.name} returned {type(result).__name__}, expected AgentResult")
            report = _envelope(
                spec,
                ctx,
                started,
                t0,
                status=Status.FAILED if result.failed else Status.PASSED,
                metrics=result.metrics,
                findings=result.findings,
                evidence=result.evidence,
                summary=result.summary or ("failed" if result.failed else "passed"),
                details=result.details,
            )
        except Exception as exc:  # an agent crash is a report, not a pipeline crash
            trace = traceback.format_exc()
            error_file = ctx.evidence_path("error.txt")
            error_file.write_text(trace, encoding="utf-8")
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            report = _envelope(
                spec,
                ctx,
                started,
                t0,
                status=Status.ERROR,
                evidence=[ctx.rel(error_file)],
                summary=f"error: {message}"[:300],
                error=f"{type(exc).__name__}: {exc}",
            )
    ctx.run.write_json(f"{ctx.phase}/{spec.name}/{REPORT_FILE}", report.model_dump(mode="json"))
    return report


@task(name="agent", retries=0, persist_result=False, cache_policy=NO_CACHE)
def agent_task(spec: AgentSpec, ctx: AgentContext) -> AgentReport:
    """Prefect task running one agent; the flow names each run after its agent."""
    return run_agent(spec, ctx)
