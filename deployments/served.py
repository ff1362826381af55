"""The deployments `qeflow server` serves for each service, with their triggers and schedule.

Per service (named after it):

| deployment | started by | runs |
|---|---|---|
| `pipeline/<service>` | `git.merge` (a push to the default branch) | build → integration → staging → production |
| `pipeline/<service>` | the nightly cron of `[serve]`, on the default branch | every phase |
| `commit-phase/<service>` | `git.push` (other branches), `git.pull_request` | the commit phase (pre-merge) |
| `<phase>-phase/<service>` | people: the UI's "Run", `prefect deployment run` | that phase alone |

Triggers are Prefect DeploymentEventTriggers on the events the webhook receiver emits for the
service's repository (resource `git.repo.<owner>.<name>`); the run's parameters are templated from
the event: the clone URL, the sha, and a line saying what happened. A merged pull request arrives
twice (GitHub: the PR closed as merged and the push to the default branch; GitLab: the MR event
and the push), so the merge trigger matches `git.source = push` and starts one run per merge.
Every run checks its sha out of the repository into a checkout of its own (flows.checkout).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows.pipeline import pipeline
from flows.single_phase import SINGLE_PHASE_FLOWS, flow_name
from tasks import AGENTS
from tasks.config import PHASES, Config, load_config
from tasks.errors import ConfigError, ConfigProblem
from tasks.git import git, toplevel

__all__ = ["MERGE_PHASES", "ServedService", "deployments_for", "discover_services", "prefect_yaml", "resource_id"]

MERGE_PHASES: list[str] = [p for p in PHASES if p != "commit"]
_REMOTE = re.compile(r"^(?:[a-z+]+://(?:[^@/]+@)?[^/]+/|[^@]+@[^:]+:)(?P<path>.+?)(?:\.git)?/?$")

# What a run records as the reason it started (`selected_because`), rendered by the trigger.
_BECAUSE = "{{ event.event }} of {{ event.payload.ref }} by {{ event.payload.sender }} " \
    "({{ event.payload.provider }} delivery {{ event.payload.delivery }})"  # fmt: skip


@dataclass(frozen=True)
class ServedService:
    """A service as the server deploys it: where runs fetch it from and which events are its own."""

    name: str
    repo: str  # what scheduled and manual runs fetch: the origin URL, else the local repository path
    path: str  # the qeflow.toml's directory, relative to the repository root ("." at the root)
    repository: str  # owner/name, as webhooks name it
    nightly: str  # cron; "" for none
    timezone: str


def resource_id(repository: str) -> str:
    """The receiver's resource id for owner/name (GitLab's nested groups become dots)."""
    return "git.repo." + repository.replace("/", ".")


def _repository_of(config: Config, repo_dir: Path) -> str:
    if config.serve.repository:
        return config.serve.repository
    if config.git_host.repository:
        return config.git_host.repository
    origin = git(repo_dir, "remote", "get-url", "origin", check=False).strip()
    match = _REMOTE.match(origin) if origin else None
    if match and "/" in match.group("path"):
        return match.group("path")
    raise ConfigError(
        [
            ConfigProblem(
                str(config.path),
                "serve.repository",
                "owner/name of the repository as webhooks name it (no origin remote to read it from)",
                "unset",
            )
        ]
    )


def discover_services(paths: list[Path]) -> list[ServedService]:
    """Read each qeflow.toml (a directory or the file); every problem of every file is reported."""
    services: list[ServedService] = []
    problems: list[ConfigProblem] = []
    for given in paths:
        try:
            config = load_config(given, AGENTS.settings_models())
            repo_dir = toplevel(config.root_dir)
            origin = git(repo_dir, "remote", "get-url", "origin", check=False).strip()
            relative = config.root_dir.resolve().relative_to(repo_dir.resolve()).as_posix()
            services.append(
                ServedService(
                    name=config.service.name,
                    repo=origin or str(repo_dir),
                    path=relative,
                    repository=_repository_of(config, repo_dir),
                    nightly=config.serve.nightly,
                    timezone=config.serve.timezone,
                )
            )
        except ConfigError as exc:
            problems.extend(exc.problems)
    names = [s.name for s in services]
    problems += [
        ConfigProblem("(command line)", "service.name", "one qeflow.toml per service name", f"{name} twice")
        for name in sorted({n for n in names if names.count(n) > 1})
    ]
    if problems:
        raise ConfigError(problems)
    return services


def _event_parameters(service: ServedService, phases: list[str] | None) -> dict[str, Any]:
    parameters: dict[str, Any] = {
        "path": service.path,
        "repo": "{{ event.payload.repo_url }}",
        "head": "{{ event.payload.sha }}",
        "selected_because": [_BECAUSE],
    }
    if phases is not None:
        parameters["phases"] = phases
    return parameters


def deployments_for(service: ServedService) -> list[Any]:  # list[RunnerDeployment]; prefect is imported lazily
    """The deployments of one service: the whole pipeline, then one per phase."""
    from prefect.deployments.runner import EntrypointType
    from prefect.events import DeploymentEventTrigger
    from prefect.schedules import Cron

    match = {"prefect.resource.id": resource_id(service.repository)}
    defaults = {"path": service.path, "repo": service.repo}
    tags = ["qeflow", service.name]
    whole = pipeline.to_deployment(
        service.name,
        description=f"The quality pipeline of {service.name}: every merge to the default branch runs build → "
        "production; the nightly schedule runs every phase on the default branch's tip.",
        parameters=defaults,
        tags=tags,
        schedules=[Cron(service.nightly, timezone=service.timezone)] if service.nightly else None,
        triggers=[
            DeploymentEventTrigger(
                name=f"{service.name}: merge to the default branch",
                expect={"git.merge"},
                match={**match, "git.source": "push"},
                parameters=_event_parameters(service, MERGE_PHASES),
            )
        ],
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    result = [whole]
    for phase, phase_flow in SINGLE_PHASE_FLOWS.items():
        triggers = []
        if phase == "commit":
            triggers.append(
                DeploymentEventTrigger(
                    name=f"{service.name}: push or pull request (pre-merge)",
                    expect={"git.push", "git.pull_request"},
                    match=match,
                    parameters=_event_parameters(service, None),
                )
            )
        result.append(
            phase_flow.to_deployment(
                service.name,
                description=f"The {phase} phase of {service.name} alone, on `head` (default: the default "
                "branch's tip); earlier phases' stored evidence for that sha is reused. Run it from the UI "
                f"or: prefect deployment run '{flow_name(phase)}/{service.name}' --param head=<sha>",
                parameters=defaults,
                tags=[*tags, phase],
                triggers=triggers or None,
                entrypoint_type=EntrypointType.MODULE_PATH,
            )
        )
    return result


def _trigger_yaml(trigger: Any) -> dict[str, Any]:
    return {
        "type": "event",
        "name": trigger.name,
        "enabled": True,
        "expect": sorted(trigger.expect),
        "match": trigger.match.model_dump(),
        "parameters": trigger.parameters,
    }


def prefect_yaml(services: list[ServedService], work_pool: str = "qeflow") -> dict[str, Any]:
    """The same deployments as `qeflow server` serves, as a prefect.yaml for work pools and workers.

    Workers need qeflow installed (`pip install` of this repository); the pull step moves into its
    directory, named by the QEFLOW_ROOT variable on the worker.
    """
    deployments: list[dict[str, Any]] = []
    for service in services:
        for deployment in deployments_for(service):
            module, function = deployment.entrypoint.rsplit(".", 1)
            remote = "://" in service.repo or "@" in service.repo
            entry: dict[str, Any] = {
                "name": deployment.name,
                "description": deployment.description,
                "entrypoint": f"{module.replace('.', '/')}.py:{function}",
                "tags": deployment.tags,
                # A local path means nothing on a worker: the repository URL comes from the deployer's
                # environment at `prefect deploy` time instead.
                "parameters": {**deployment.parameters, "repo": service.repo if remote else "{{ $QEFLOW_REPO }}"},
                "work_pool": {"name": work_pool},
                "schedules": [
                    {"cron": s.schedule.cron, "timezone": s.schedule.timezone, "active": True}
                    for s in deployment.schedules or []
                ],
                "triggers": [_trigger_yaml(t) for t in deployment.triggers or []],
            }
            deployments.append(entry)
    return {
        "name": "qeflow",
        "prefect-version": "3.9.1",
        "build": None,
        "push": None,
        "pull": [{"prefect.deployments.steps.set_working_directory": {"directory": "{{ $QEFLOW_ROOT }}"}}],
        "deployments": deployments,
    }


if __name__ == "__main__":  # python -m deployments.served SERVICE_DIR... > prefect.yaml
    import sys

    import yaml

    header = (
        "# Generated by `python -m deployments.served examples/users-service > prefect.yaml`: the deployments\n"
        "# `qeflow server` serves, for teams with work pools (`prefect deploy --all`, then a worker of pool\n"
        "# `qeflow` with QEFLOW_ROOT set to a checkout of qeflow and `pip install -e .` done there).\n"
        "# QEFLOW_REPO: the URL workers clone the service from (where qeflow.toml sits has no origin remote).\n"
        "# tests/deployments/test_served.py fails when this file and the code disagree.\n"
    )
    found = discover_services([Path(p) for p in sys.argv[1:]])
    sys.stdout.write(header + yaml.safe_dump(prefect_yaml(found), sort_keys=False, width=110, allow_unicode=True))
