"""The `pipeline` flow: the phases in order, each a subflow closed by its gate.

A phase that does not complete halts the pipeline: no later phase starts, and the phase's
rollback policy is applied. The run directory then holds every report, verdict and policy record,
and the rendered reports (report.json, report.md, report.html, gates.junit.xml).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.exceptions import TerminationSignal
from prefect.runtime import flow_run as current_flow_run
from prefect.states import Completed, Failed, State

from flows.artifacts import publish_run_artifact
from flows.build import build
from flows.checkout import checked_out, prepare_service
from flows.commit import commit
from flows.context import RunContext, progress
from flows.errors import PipelineFailed
from flows.integration import integration
from flows.policy import RollbackPolicy, status_reporter
from flows.production import production
from flows.report import build_report, write_reports
from flows.staging import staging
from gates import validate_gates
from tasks import AGENTS
from tasks.config import PHASES, load_config
from tasks.context import Recall
from tasks.environment import Environments
from tasks.errors import ConfigError, ConfigProblem
from tasks.evidence import EvidenceStore, find_phase_run
from tasks.git import resolve_context
from tasks.processes import reaper
from tasks.registry import Registry
from tasks.report import AgentReport
from tasks.workspace import Workspace

__all__ = ["PHASE_FLOWS", "pipeline", "run_name", "run_pipeline", "select_phases"]

PHASE_FLOWS = {
    "commit": commit,
    "build": build,
    "integration": integration,
    "staging": staging,
    "production": production,
}


def select_phases(names: list[str] | None) -> list[str]:
    if not names:
        return list(PHASES)
    unknown = [n for n in names if n not in PHASES]
    if unknown:
        raise ConfigError(
            [ConfigProblem("(command line)", "--phase", "one of " + ", ".join(PHASES), n) for n in unknown]
        )
    return [p for p in PHASES if p in names]  # always in pipeline order


def _reuse_earlier_phases(ctx: RunContext, selected: list[str]) -> list[str]:
    """A rerun of later phases reads the stored evidence of earlier ones for the same head.

    For each phase before the first one asked for, the newest run of this service at this head
    where that phase passed lends its agent reports to the memory agents read from; run.json
    and the report say which run's evidence was reused. Returns the earlier phases (with agents)
    that have no such run: they must run now.
    """
    first = PHASES.index(selected[0])
    missing: list[str] = []
    for phase in PHASES[:first]:
        if not ctx.registry.for_phase(phase):
            continue  # nothing to reuse or to run
        run_id = find_phase_run(ctx.run.store, ctx.config.service.name, ctx.git.head, phase, exclude=ctx.run.run_id)
        if run_id is None:
            missing.append(phase)
            continue
        earlier = ctx.run.store.open_run(run_id)
        for report_file in sorted((earlier.local / phase).glob("*/report.json")):
            report = AgentReport.model_validate_json(report_file.read_text(encoding="utf-8"))
            ctx.memory[report.agent] = Recall(earlier, report)
        ctx.reused[phase] = run_id
        progress.info("[%s] reusing the evidence of run %s (not rerun)", phase, run_id)
    if ctx.reused:
        meta = ctx.run.read_json("run.json")
        meta["reused"] = ctx.reused
        ctx.run.write_json("run.json", meta)
    return missing


def _reason(phase: str, state: State[Any], failed: list[dict[str, Any]]) -> str:
    """One line naming what failed: the conditions with their measured values, or the state."""
    if state.name == "GateFailed" and failed:
        shown = "; ".join(
            f"{c['expression']} — actual: {'missing' if c['measured'] is None else format(c['measured'], 'g')}"
            for c in failed
        )
        return f"{phase} gate failed: {shown}"
    first = (state.message or "").splitlines()[0] if state.message else ""
    return f"{phase}: {state.name}: {first}".rstrip(": ")


def _passed_summary(ctx: RunContext, phase: str, duration: float) -> str:
    """One line for a passing phase's commit status."""
    verdict = ctx.run.read_json(f"{phase}/gate.json") if ctx.run.exists(f"{phase}/gate.json") else {}
    return f"{phase} gate passed: {len(verdict.get('conditions', []))} condition(s) met in {duration:.0f} s"


def _phase_state(ctx: RunContext, phase: str) -> State[Any]:
    return PHASE_FLOWS[phase](ctx, return_state=True)


def run_name() -> str:
    """`users-service@3f2c1a9e01`: what a run is about, readable in the UI's run lists."""
    parameters = current_flow_run.parameters or {}
    path, repo = str(parameters.get("path") or "."), str(parameters.get("repo") or "")
    where = Path(path).name if path not in (".", "") else Path(repo.rstrip("/")).name.removesuffix(".git")
    head = str(parameters.get("head") or "HEAD")
    return f"{where or 'service'}@{head[:10]}"


@flow(name="pipeline", flow_run_name=run_name, persist_result=False, validate_parameters=True, log_prints=True)
def pipeline(
    path: str,
    phases: list[str] | None = None,
    base: str | None = None,
    head: str | None = None,
    evidence: str | None = None,
    selected_because: list[str] | None = None,
    repo: str | None = None,
    target_branch: str | None = None,
) -> State[Any]:
    """Run the quality pipeline on the service whose qeflow.toml is at `path`.

    `phases` limits the run to those phases (in pipeline order); `base`/`head` are git revisions
    (defaults: the merge-base with the default branch, or with `target_branch` (the branch a pull
    request goes into), and HEAD); `evidence` overrides the store;
    `selected_because` records why this service runs (set by the monorepo flow and by triggers).
    With `repo` (a git URL or local path), the run checks `head` out of it into a checkout of its
    own (default: the default branch's tip) and `path` is relative to the repository's root: this
    is how served deployments run, independent of the server's working copy.
    """
    return run_pipeline(path, phases, base, head, evidence, selected_because, repo, target_branch)


def run_pipeline(
    path: str,
    phases: list[str] | None = None,
    base: str | None = None,
    head: str | None = None,
    evidence: str | None = None,
    selected_because: list[str] | None = None,
    repo: str | None = None,
    target_branch: str | None = None,
) -> State[Any]:
    """The body of `pipeline`, shared with the single-phase flows (called inside a flow run)."""
    if repo:
        with checked_out(repo, path, head) as (toml, sha):
            because = [*(selected_because or []), f"checked out {repo} at {sha}"]
            return _run(toml, phases, base, sha, evidence, because, target_branch, served=True)
    return _run(Path(path), phases, base, head, evidence, selected_because, target_branch, served=False)


def _run(
    path: Path,
    phases: list[str] | None,
    base: str | None,
    head: str | None,
    evidence: str | None,
    selected_because: list[str] | None,
    target_branch: str | None,
    *,
    served: bool,
) -> State[Any]:
    logger = get_run_logger()
    agents: Registry = AGENTS
    config = load_config(path, agents.settings_models())
    problems = validate_gates(config, agents)
    if problems:
        raise ConfigError(problems)
    if served:  # packages into the checkout; evidence where served runs keep it, unless given
        evidence = evidence or prepare_service(config)
    selected = select_phases(phases)
    git = resolve_context(
        config.service_dir, base=base, head=head, default_branch_name=config.git.default_branch, target=target_branch
    )
    store = EvidenceStore(evidence or config.evidence_store())
    run = store.create_run(git.head)
    run.write_json(
        "run.json",
        {
            "run_id": run.run_id,
            "service": config.service.name,
            "config": str(config.path),
            "git": git.to_json(),
            "phases": selected,
            "selected_because": selected_because or ["the service was named on the command line"],
            "started_at": datetime.now(UTC).isoformat(),
        },
    )
    progress.info(
        "run %s: %s at %s (base %s, %s), %d changed file(s)",
        run.run_id,
        config.service.name,
        git.head[:10],
        git.base[:10],
        git.base_ref,
        len(git.changed),
    )
    progress.info("evidence: %s", run.url)
    logger.info("run %s, evidence in %s", run.run_id, run.url)

    workspace = Workspace(git.repo, git.service_path, config.service_dir, config.service.dependencies, run.run_id)
    environments = Environments(
        service=config.service,
        database=config.database,
        workspace=workspace,
        work_dir=workspace.root / "env",
        run_tag=run.run_id,
    )
    ctx = RunContext(config, agents, git, run, workspace, environments)
    missing = _reuse_earlier_phases(ctx, selected)
    if missing:
        # Later phases stand on earlier ones (build merges the commit phase's coverage...): with
        # nothing stored for this head, the earlier phases run first, gates included.
        progress.info(
            "no stored evidence of %s at %s: running %s first", ", ".join(missing), git.head[:10], " and ".join(missing)
        )
        selected = [p for p in PHASES if p in missing or p in selected]
        meta = run.read_json("run.json")
        meta.update({"phases": selected, "added_phases": missing})
        run.write_json("run.json", meta)
    # Commit statuses: pending at phase start, success/failure at the end ([git_host] phases).
    statuses = status_reporter(ctx, str(current_flow_run.id) if current_flow_run.id else None)
    halted: tuple[str, str] | None = None
    ended_by: str | None = None  # "interrupted", "cancelled" or "error" when the run did not end by itself
    try:
        for phase in selected:
            settings = config.phase(phase)
            pending = statuses.pending(phase)
            if pending is not None:
                run.write_json(f"{phase}/commit-status.json", pending)
            t0 = time.monotonic()
            state = _phase_state(ctx, phase)
            duration = time.monotonic() - t0
            entry = run.read_json(f"{phase}/phase.json") if run.exists(f"{phase}/phase.json") else {}
            entry.update(
                {
                    "phase": phase,
                    "state": state.name,
                    "duration_s": round(duration, 3),
                    "target_s": settings.target_s,
                    "max_s": settings.max_s,
                }
            )
            if not state.is_completed():
                entry.setdefault("status", "error")
                entry["message"] = state.message
                run.write_json(f"{phase}/phase.json", entry)
                verdict = run.read_json(f"{phase}/gate.json") if run.exists(f"{phase}/gate.json") else {}
                failed = [c for c in verdict.get("conditions", []) if c.get("outcome") == "failed"]
                reason = _reason(phase, state, failed)
                RollbackPolicy(settings.on_failure, statuses).apply(ctx, phase, reason, failed)
                if statuses.is_open(phase):  # a policy without a "block" action still ends the status
                    run.write_json(f"{phase}/commit-status.json", statuses.finish(phase, False, reason))
                halted = (phase, state.name or "Failed")
                progress.info("[%s] %s: later phases will not start", phase, state.name)
                break
            run.write_json(f"{phase}/phase.json", entry)
            if statuses.is_open(phase):  # no evidence, no pass: a phase that ran no gate is not a success
                passed = entry.get("status") == "passed"
                summary = _passed_summary(ctx, phase, duration) if passed else f"{phase}: {entry.get('reason', '')}"
                run.write_json(f"{phase}/commit-status.json", statuses.finish(phase, passed, summary))
    except KeyboardInterrupt:
        ended_by = "interrupted"
        raise
    except BaseException as exc:
        # Also Prefect's TerminationSignal: a served run cancelled by its runner gets SIGTERM, and
        # its agents' threads are still running commands. Killing every process group first lets
        # them return, so the environments below stop (databases included) before the runner's
        # grace period ends in SIGKILL.
        ended_by = "cancelled" if isinstance(exc, TerminationSignal) else "error"
        reaper.kill_all()
        raise
    finally:
        if ended_by:  # statuses left pending by an interrupted or crashed run end as "error"
            for open_phase, record in statuses.abandon(f"qeflow run {ended_by}").items():
                run.write_json(f"{open_phase}/commit-status.json", record)
        environments.close()
        workspace.close()
        meta = run.read_json("run.json")
        meta.update(
            {
                "finished_at": datetime.now(UTC).isoformat(),
                "status": ended_by or ("failed" if halted else "passed"),
                "halted_by": {"phase": halted[0], "state": halted[1]} if halted else None,
            }
        )
        run.write_json("run.json", meta)
        report = build_report(run)
        write_reports(run, report)
        run.publish()
        publish_run_artifact(run.run_id, run.local / "report.md")
    if halted:
        return Failed(
            name=halted[1],
            message=f"halted by the {halted[0]} phase ({halted[1]})",
            data=PipelineFailed(report, phase=halted[0], state=halted[1]),
        )
    return Completed(message="all gates passed", data=report)
