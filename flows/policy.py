"""Rollback policies (DESIGN.md table), applied through one object when a phase fails.

    block-merge        commit, build      a failed commit status for the head sha
    auto-rollback      integration        roll released environments back; an investigation record
    block-review       staging            a failed commit status; a review request for the team
    rollback-incident  production         roll back; an incident record with the failed conditions

Everything the policy does is written to `<phase>/policy.json` (and the records beside it), so a
person or a later run can see what happened. The failed status goes through the run's
`StatusReporter` (tasks.commit_status): posted to the git host when `[git_host]` names one and the
phase is in its `phases`, else recorded in the evidence only, and the record says which.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flows.context import RunContext, progress
from tasks.commit_status import StatusReporter
from tasks.config import OnFailure

__all__ = ["ACTIONS", "RollbackPolicy", "status_reporter"]

ACTIONS: dict[OnFailure, tuple[str, ...]] = {
    OnFailure.BLOCK_MERGE: ("block",),
    OnFailure.AUTO_ROLLBACK: ("rollback", "investigate"),
    OnFailure.BLOCK_REVIEW: ("block", "review"),
    OnFailure.ROLLBACK_INCIDENT: ("rollback", "incident"),
}


class RollbackPolicy:
    def __init__(self, on_failure: OnFailure, statuses: StatusReporter | None = None):
        self.on_failure = on_failure
        self.actions = ACTIONS[on_failure]
        self.statuses = statuses

    def apply(self, ctx: RunContext, phase: str, reason: str, failed: list[dict[str, Any]]) -> dict[str, Any]:
        """Carry out every action; return the record written to `<phase>/policy.json`."""
        done: list[dict[str, Any]] = []
        for action in self.actions:
            handler = getattr(self, f"_{action}")
            done.append({"action": action, **handler(ctx, phase, reason, failed)})
        record = {
            "phase": phase,
            "policy": self.on_failure.value,
            "reason": reason,
            "applied_at": datetime.now(UTC).isoformat(),
            "actions": done,
        }
        ctx.run.write_json(f"{phase}/policy.json", record)
        progress.info("[%s] policy %s: %s", phase, self.on_failure.value, ", ".join(self.actions))
        return record

    def _block(self, ctx: RunContext, phase: str, reason: str, failed: list[dict[str, Any]]) -> dict[str, Any]:
        statuses = self.statuses or status_reporter(ctx)
        status = statuses.finish(phase, False, reason)
        path = ctx.run.write_json(f"{phase}/commit-status.json", status)
        done = "posted" if status["posted"] else "recorded"
        return {"result": f"merge blocked: failed commit status {done}", "record": ctx.run.relative(path)}

    def _rollback(self, ctx: RunContext, phase: str, reason: str, failed: list[dict[str, Any]]) -> dict[str, Any]:
        rolled = ctx.environments.rollback_all()
        if not rolled:
            return {"result": "nothing to roll back: no environment received a release in this run"}
        return {"result": "rolled back", "environments": rolled}

    def _record(
        self, ctx: RunContext, phase: str, kind: str, reason: str, failed: list[dict[str, Any]]
    ) -> dict[str, Any]:
        record = {
            "kind": kind,
            "service": ctx.config.service.name,
            "phase": phase,
            "sha": ctx.git.head,
            "opened_at": datetime.now(UTC).isoformat(),
            "reason": reason,
            "failed_conditions": failed,
            "evidence": {
                "gate": f"{phase}/gate.json",
                "agents": [
                    f"{phase}/{name}/report.json" for name, recall in ctx.memory.items() if recall.report.phase == phase
                ],
            },
        }
        path = ctx.run.write_json(f"{phase}/{kind}.json", record)
        return {"result": f"{kind} record opened", "record": ctx.run.relative(path)}

    def _investigate(self, ctx: RunContext, phase: str, reason: str, failed: list[dict[str, Any]]) -> dict[str, Any]:
        return self._record(ctx, phase, "investigation", reason, failed)

    def _review(self, ctx: RunContext, phase: str, reason: str, failed: list[dict[str, Any]]) -> dict[str, Any]:
        return self._record(ctx, phase, "review-request", reason, failed)

    def _incident(self, ctx: RunContext, phase: str, reason: str, failed: list[dict[str, Any]]) -> dict[str, Any]:
        return self._record(ctx, phase, "incident", reason, failed)


def status_reporter(ctx: RunContext, flow_run_id: str | None = None) -> StatusReporter:
    """The run's commit statuses, as `[git_host]` configures them (recorded only by default)."""
    return StatusReporter(
        ctx.config.git_host,
        sha=ctx.git.head,
        service=ctx.config.service.name,
        run_id=ctx.run.run_id,
        run_dir=ctx.run.url,
        flow_run_id=flow_run_id,
    )
