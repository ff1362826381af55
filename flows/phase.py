"""The body every phase subflow shares: run the agents, collect every report, judge the gate.

A phase ends in one of these Prefect states:
    Completed                 the gate passed
    Failed, name=GateFailed   a gate condition failed (GateFailed carries the verdict)
    Failed, name=TimedOut     the phase went over its max budget; late agents were cancelled
    Completed, name=Skipped   the phase has no agent yet (said plainly in the report)
Every agent report and the verdict are written to the run directory before the phase returns.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prefect import Flow, flow, get_run_logger
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.futures import PrefectFuture, wait
from prefect.states import Completed, Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

from flows.artifacts import publish_phase_artifacts
from flows.context import RunContext, progress
from gates import GateFailed, GateVerdict, find_baseline, gate_task, phase_conditions
from tasks.context import AgentContext, Recall
from tasks.registry import AgentSpec
from tasks.report import AgentReport, Status
from tasks.runner import agent_task

__all__ = ["PhaseMode", "phase_flow", "run_phase"]

_CANCEL_GRACE_S = 15.0


@dataclass(frozen=True)
class PhaseMode:
    """How a phase runs its agents: all at once, or one after another reading earlier evidence."""

    concurrent: bool = True


def _context(ctx: RunContext, phase: str, spec: AgentSpec) -> AgentContext:
    return AgentContext(
        run=ctx.run,
        phase=phase,
        agent=spec.name,
        config=ctx.config,
        settings=ctx.config.agent(spec.name, spec.settings),
        git=ctx.git,
        workspace=ctx.workspace,
        environments=ctx.environments,
        memory=ctx.memory,
    )


def _timeout_report(spec: AgentSpec, agent_ctx: AgentContext, phase: str, started: float, max_s: float) -> AgentReport:
    report = AgentReport(
        agent=spec.name,
        phase=phase,
        status=Status.ERROR,
        started_at=datetime.now(UTC),
        duration_s=round(time.monotonic() - started, 3),
        summary=f"error: cancelled when the phase reached its max budget of {max_s:g}s",
        error="phase budget exceeded",
    )
    agent_ctx.run.write_json(f"{phase}/{spec.name}/report.json", report.model_dump(mode="json"))
    return report


def _announce(phase: str, report: AgentReport) -> None:
    metrics = ", ".join(f"{k}={v:g}" for k, v in list(report.metrics.items())[:6])
    progress.info(
        "[%s] %-18s %-7s %6.1fs  %s%s",
        phase,
        report.agent,
        report.status.value,
        report.duration_s,
        report.summary,
        f"  ({metrics})" if metrics else "",
    )


def run_phase(ctx: RunContext, phase: str, mode: PhaseMode) -> State[Any] | dict[str, Any]:
    logger = get_run_logger()
    settings = ctx.config.phase(phase)
    specs = ctx.registry.for_phase(phase)
    started = time.monotonic()
    if not specs:
        message = f"not run: qeflow has no {phase}-phase agent yet"
        ctx.run.write_json(f"{phase}/phase.json", {"phase": phase, "status": "skipped", "reason": message})
        progress.info("[%s] skipped: %s", phase, message)
        return Completed(name="Skipped", message=message)

    conditions = phase_conditions(ctx.config, ctx.registry, phase)
    progress_id = create_progress_artifact(progress=0.0, key=f"{phase}-progress", description=f"{phase} agents done")
    contexts = {spec.name: _context(ctx, phase, spec) for spec in specs}
    progress.info(
        "[%s] running %d agent(s) %s: %s",
        phase,
        len(specs),
        "concurrently" if mode.concurrent else "one after another",
        ", ".join(s.name for s in specs),
    )

    reports: dict[str, AgentReport] = {}
    timed_out = False

    def collect(spec: AgentSpec, future: PrefectFuture[AgentReport]) -> None:
        report = future.result()
        reports[spec.name] = report
        _announce(phase, report)
        update_progress_artifact(progress_id, progress=100.0 * len(reports) / len(specs))

    if mode.concurrent:
        futures = {
            spec.name: agent_task.with_options(name=spec.name, task_run_name=spec.name).submit(
                spec, contexts[spec.name]
            )
            for spec in specs
        }
        remaining = settings.max_s - (time.monotonic() - started)
        done, _ = wait(list(futures.values()), timeout=max(remaining, 0.0))
        pending = [spec for spec in specs if futures[spec.name] not in done]
        if pending:
            timed_out = True
            for spec in pending:
                contexts[spec.name].cancel.set()
            wait([futures[s.name] for s in pending], timeout=_CANCEL_GRACE_S)
        for spec in specs:
            future = futures[spec.name]
            if spec in pending:
                reports[spec.name] = _timeout_report(spec, contexts[spec.name], phase, started, settings.max_s)
                _announce(phase, reports[spec.name])
            else:
                collect(spec, future)
    else:
        for spec in specs:
            remaining = settings.max_s - (time.monotonic() - started)
            if remaining <= 0:
                timed_out = True
                reports[spec.name] = _timeout_report(spec, contexts[spec.name], phase, started, settings.max_s)
                continue
            future = agent_task.with_options(name=spec.name, task_run_name=spec.name).submit(spec, contexts[spec.name])
            done, _ = wait([future], timeout=remaining)
            if future not in done:
                timed_out = True
                contexts[spec.name].cancel.set()
                wait([future], timeout=_CANCEL_GRACE_S)
                reports[spec.name] = _timeout_report(spec, contexts[spec.name], phase, started, settings.max_s)
                continue
            collect(spec, future)
            ctx.memory[spec.name] = Recall(ctx.run, reports[spec.name])

    ordered = [reports[spec.name] for spec in specs]
    for report in ordered:
        ctx.memory[report.agent] = Recall(ctx.run, report)
    baseline = find_baseline(ctx.run.store, ctx.config.service.name, phase, exclude_run=ctx.run.run_id)
    gate_state = gate_task.with_options(task_run_name=f"gate-{phase}")(
        phase, conditions, ordered, baseline, return_state=True
    )
    if gate_state.is_completed():
        verdict: GateVerdict = gate_state.result()
        failure: GateFailed | None = None
    else:
        failure = gate_state.result(raise_on_failure=False)
        if not isinstance(failure, GateFailed):
            raise RuntimeError(f"gate task of {phase} crashed: {failure!r}")
        verdict = failure.verdict

    ctx.run.write_json(
        f"{phase}/gate.json",
        {
            **verdict.model_dump(mode="json"),
            "expressions": [c.expression for c in conditions],
            "baseline": {"run_id": baseline.run_id, "metrics": baseline.metrics} if baseline else None,
        },
    )
    duration = time.monotonic() - started
    publish_phase_artifacts(phase, ordered, verdict, duration)
    ctx.run.write_json(
        f"{phase}/phase.json",
        {
            "phase": phase,
            "status": "timed-out" if timed_out else ("passed" if verdict.passed else "failed"),
            "duration_s": round(duration, 3),
        },
    )
    if timed_out:
        message = f"phase {phase} exceeded its max budget of {settings.max_s:g}s"
        logger.error(message)
        return Failed(name="TimedOut", message=message, data=TimeoutError(message))
    if failure is not None:
        logger.error(str(failure))
        return Failed(name="GateFailed", message=str(failure), data=failure)
    return {"phase": phase, "passed": True}


def phase_flow(name: str, mode: PhaseMode, description: str) -> Flow[[RunContext], Any]:
    """Make the Prefect subflow of one phase: the shared body with the phase's mode."""

    @flow(
        name=name,
        description=description,
        task_runner=ThreadPoolTaskRunner(max_workers=8),
        persist_result=False,
        validate_parameters=False,
    )
    def _phase(ctx: RunContext) -> State[Any] | dict[str, Any]:
        return run_phase(ctx, name, mode)

    return _phase
