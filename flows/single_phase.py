"""One flow per phase, for deployments that rerun a single phase: `commit-phase`, `build-phase`...

`prefect deployment run 'integration-phase/users-service' --param head=<sha>` runs the integration
phase on that sha. Earlier phases are not rerun: their stored evidence for the same sha is
reused (run.json and the report say which run's), and only when none is stored do they run
first. The flows differ by the phase alone, so they are made by one factory; each is bound to a
module attribute of its own name, which is what a deployment's entrypoint points at.
"""

from __future__ import annotations

from typing import Any

from prefect import Flow, flow
from prefect.states import State

from flows.pipeline import run_name, run_pipeline
from tasks.config import PHASES

__all__ = ["SINGLE_PHASE_FLOWS", "flow_name"]


def flow_name(phase: str) -> str:
    return f"{phase}-phase"


def _single_phase_flow(phase: str) -> Flow[..., State[Any]]:
    def run_one_phase(
        path: str,
        head: str | None = None,
        base: str | None = None,
        repo: str | None = None,
        evidence: str | None = None,
        selected_because: list[str] | None = None,
        target_branch: str | None = None,
    ) -> State[Any]:
        return run_pipeline(path, [phase], base, head, evidence, selected_because, repo, target_branch)

    run_one_phase.__name__ = run_one_phase.__qualname__ = f"{phase}_phase"
    run_one_phase.__doc__ = (
        f"Run the {phase} phase alone on `head` (reusing the stored evidence of earlier phases).\n\n"
        "`path` is the service's qeflow.toml directory: relative to the repository root when `repo` "
        "(a git URL or local path) is given, and then `head` is checked out of it."
    )
    return flow(
        name=flow_name(phase), flow_run_name=run_name, persist_result=False, validate_parameters=True, log_prints=True
    )(run_one_phase)


SINGLE_PHASE_FLOWS: dict[str, Flow[..., State[Any]]] = {phase: _single_phase_flow(phase) for phase in PHASES}
commit_phase = SINGLE_PHASE_FLOWS["commit"]
build_phase = SINGLE_PHASE_FLOWS["build"]
integration_phase = SINGLE_PHASE_FLOWS["integration"]
staging_phase = SINGLE_PHASE_FLOWS["staging"]
production_phase = SINGLE_PHASE_FLOWS["production"]
