"""The `monorepo` flow: run the pipeline for the services a change touches, saying why each ran."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow
from prefect.states import Completed, Failed, State

from flows.context import progress
from flows.errors import PipelineFailed
from flows.pipeline import pipeline
from tasks import AGENTS
from tasks.git import resolve_context
from tasks.monorepo import load_monorepo, select_services

__all__ = ["monorepo"]


@flow(name="monorepo", persist_result=False)
def monorepo(
    path: str,
    phases: list[str] | None = None,
    base: str | None = None,
    head: str | None = None,
    evidence: str | None = None,
) -> State[Any]:
    repo = load_monorepo(Path(path), AGENTS.settings_models())
    git = resolve_context(repo.path.parent, base=base, head=head)
    selections = select_services(repo, git.repo, git.changed_files)
    summary: dict[str, Any] = {"base": git.base, "head": git.head, "services": []}
    for name in repo.services:
        chosen = next((s for s in selections if s.service == name), None)
        progress.info(
            "%-20s %s",
            name,
            "; ".join(chosen.reasons) if chosen else "not selected: nothing it owns or consumes changed",
        )
        if chosen is None:
            summary["services"].append({"service": name, "selected": False, "reasons": []})
            continue
        state = pipeline(
            str(chosen.config.path),
            phases=phases,
            base=git.base,
            head=git.head,
            evidence=evidence,
            selected_because=chosen.reasons,
            return_state=True,
        )
        outcome = state.result(raise_on_failure=False)
        report = outcome.report if isinstance(outcome, PipelineFailed) else outcome
        if not isinstance(report, dict):
            raise outcome if isinstance(outcome, BaseException) else RuntimeError(f"{name}: no report")
        summary["services"].append({"service": name, "selected": True, "reasons": chosen.reasons, "report": report})
    failed = [s["service"] for s in summary["services"] if s.get("report", {}).get("status") == "failed"]
    summary["status"] = "failed" if failed else "passed"
    if failed:
        return Failed(
            name="GateFailed",
            message=f"gates failed for {', '.join(failed)}",
            data=PipelineFailed(summary, phase="(per service)", state="GateFailed"),
        )
    return Completed(message=f"{len(selections)} service(s) ran", data=summary)
