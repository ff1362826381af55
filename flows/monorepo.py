"""The `monorepo` flow: run the pipeline for the services a change touches, saying why each ran."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import flow
from prefect.states import Completed, Failed, State

from flows.checkout import checked_out, prepare_service
from flows.context import progress
from flows.errors import PipelineFailed
from flows.pipeline import pipeline, run_name
from tasks import AGENTS
from tasks.git import resolve_context
from tasks.monorepo import load_monorepo, select_services

__all__ = ["monorepo"]


@flow(name="monorepo", flow_run_name=run_name, persist_result=False)
def monorepo(
    path: str,
    phases: list[str] | None = None,
    base: str | None = None,
    head: str | None = None,
    evidence: str | None = None,
    repo: str | None = None,
    target_branch: str | None = None,
) -> State[Any]:
    """Run the pipeline for each service of the monorepo at `path` that the change touches.

    With `repo` (a git URL or local path, as served deployments pass it), `head` is checked out of
    it first and `path` is relative to the repository root; each selected service then gets its
    packages in the checkout, and evidence goes where served runs keep it.
    """
    if repo:
        with checked_out(repo, path, head) as (toml, sha):
            return _run(toml, phases, base, sha, evidence, target_branch, served=True)
    return _run(Path(path), phases, base, head, evidence, target_branch, served=False)


def _run(
    path: Path,
    phases: list[str] | None,
    base: str | None,
    head: str | None,
    evidence: str | None,
    target_branch: str | None,
    *,
    served: bool,
) -> State[Any]:
    repo = load_monorepo(path, AGENTS.settings_models())
    git = resolve_context(repo.path.parent, base=base, head=head, target=target_branch)
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
        store = prepare_service(chosen.config) if served else None
        state = pipeline(
            str(chosen.config.path),
            phases=phases,
            base=git.base,
            head=git.head,
            evidence=evidence or store,
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
