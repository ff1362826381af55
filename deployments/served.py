"""The deployments `qeflow server` serves for each service, with their triggers and schedule.

Per service (named after it):

| deployment | started by | runs |
|---|---|---|
| `pipeline/<service>` | `git.merge` (a push to the default branch) | build → integration → staging → production |
| `pipeline/<service>` | the nightly cron of `[serve]`, on the default branch | every phase |
| `commit-phase/<service>` | `git.push` (other branches), `git.pull_request` (vs its target) | the commit phase |
| `<phase>-phase/<service>` | people: the UI's "Run", `prefect deployment run` | that phase alone |
| `monorepo/<repository>` | a monorepo's events (its services' deployments take none) | the services changed |

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

from flows.monorepo import monorepo
from flows.pipeline import pipeline
from flows.single_phase import SINGLE_PHASE_FLOWS, flow_name
from tasks import AGENTS
from tasks.config import PHASES, Config, load_config
from tasks.errors import ConfigError, ConfigProblem
from tasks.git import git, toplevel
from tasks.monorepo import is_monorepo, load_monorepo

__all__ = [
    "MERGE_PHASES",
    "Served",
    "ServedMonorepo",
    "ServedService",
    "deployments_for",
    "deployments_for_monorepo",
    "discover",
    "prefect_yaml",
    "resource_id",
]

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
    monorepo: str | None = None  # the monorepo deployment that takes this service's events, if any


@dataclass(frozen=True)
class ServedMonorepo:
    """A monorepo as the server deploys it: one deployment takes the repository's events and runs
    the services each change touches (flows.monorepo says why each ran or did not)."""

    name: str  # the deployment's name: the repository's
    repo: str
    path: str  # the monorepo qeflow.toml's directory, relative to the repository root
    repository: str
    services: tuple[str, ...]


@dataclass(frozen=True)
class Served:
    """Everything the paths given to `qeflow server` name."""

    services: list[ServedService]
    monorepos: list[ServedMonorepo]

    def deployments(self) -> list[Any]:
        return [d for m in self.monorepos for d in deployments_for_monorepo(m)] + [
            d for s in self.services for d in deployments_for(s)
        ]


def resource_id(repository: str) -> str:
    """The receiver's resource id for owner/name (GitLab's nested groups become dots)."""
    return "git.repo." + repository.replace("/", ".")


def _repository_of(config: Config, origin: str) -> str:
    """owner/name: configured, else read from the origin remote's URL ("" when there is none)."""
    if config.serve.repository:
        return config.serve.repository
    if config.git_host.repository:
        return config.git_host.repository
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


def _where(directory: Path) -> tuple[str, str, str]:
    """(the origin remote's URL or "", what runs fetch: that URL or the local repository, `directory`
    relative to the repository's top level)."""
    repo_dir = toplevel(directory)
    origin = git(repo_dir, "remote", "get-url", "origin", check=False).strip()
    return origin, origin or str(repo_dir), directory.resolve().relative_to(repo_dir.resolve()).as_posix()


def _service(config: Config, monorepo: str | None = None) -> ServedService:
    origin, repo, relative = _where(config.root_dir)
    return ServedService(
        name=config.service.name,
        repo=repo,
        path=relative,
        repository=_repository_of(config, origin),
        nightly=config.serve.nightly,
        timezone=config.serve.timezone,
        monorepo=monorepo,
    )


def _monorepo(given: Path) -> tuple[ServedMonorepo, list[ServedService]]:
    mono = load_monorepo(given, AGENTS.settings_models())
    configs = list(mono.services.values())
    origin, repo, relative = _where(mono.path.parent)
    repository = _repository_of(configs[0], origin)
    name = re.sub(r"[^a-z0-9-]+", "-", repository.rsplit("/", 1)[-1].lower()).strip("-") or "monorepo"
    served = ServedMonorepo(name, repo, relative, repository, tuple(mono.services))
    return served, [_service(config, monorepo=name) for config in configs]


def discover(paths: list[Path]) -> Served:
    """Read each qeflow.toml (a service's or a monorepo's); every problem of every file is reported."""
    services: list[ServedService] = []
    monorepos: list[ServedMonorepo] = []
    problems: list[ConfigProblem] = []
    for given in paths:
        try:
            if is_monorepo(given):
                mono, members = _monorepo(given)
                monorepos.append(mono)
                services += members
            else:
                services.append(_service(load_config(given, AGENTS.settings_models())))
        except ConfigError as exc:
            problems.extend(exc.problems)
    names = [s.name for s in services]
    problems += [
        ConfigProblem("(command line)", "service.name", "one qeflow.toml per service name", f"{name} twice")
        for name in sorted({n for n in names if names.count(n) > 1})
    ]
    if problems:
        raise ConfigError(problems)
    return Served(services, monorepos)


def _event_parameters(service: ServedService | ServedMonorepo, phases: list[str] | None) -> dict[str, Any]:
    parameters: dict[str, Any] = {
        "path": service.path,
        "repo": "{{ event.payload.repo_url }}",
        "head": "{{ event.payload.sha }}",
        "selected_because": [_BECAUSE],
    }
    if phases is not None:
        parameters["phases"] = phases
    return parameters


def _merge_trigger(target: ServedService | ServedMonorepo) -> Any:
    from prefect.events import DeploymentEventTrigger

    return DeploymentEventTrigger(
        name=f"{target.name}: merge to the default branch",
        expect={"git.merge"},
        # The push to the default branch, not also the "PR closed as merged" delivery of it.
        match={"prefect.resource.id": resource_id(target.repository), "git.source": "push"},
        parameters=_event_parameters(target, MERGE_PHASES),
    )


def _pre_merge_triggers(target: ServedService | ServedMonorepo, phases: list[str] | None) -> list[Any]:
    """A push to a branch, and a pull/merge request opened or updated: the commit phase.

    A request's changed lines are those since its merge-base with the branch it goes into (its
    target, which need not be the default branch); a push's, since the merge-base with the default.
    """
    from prefect.events import DeploymentEventTrigger

    match = {"prefect.resource.id": resource_id(target.repository)}
    request = {**_event_parameters(target, phases), "target_branch": "{{ event.payload.base_ref }}"}
    return [
        DeploymentEventTrigger(
            name=f"{target.name}: push to a branch (pre-merge)",
            expect={"git.push"},
            match=match,
            parameters=_event_parameters(target, phases),
        ),
        DeploymentEventTrigger(
            name=f"{target.name}: pull request (pre-merge)",
            expect={"git.pull_request"},
            match=match,
            parameters=request,
        ),
    ]


def deployments_for_monorepo(mono: ServedMonorepo) -> list[Any]:  # list[RunnerDeployment]
    """`monorepo/<repository>`: every event of the repository, for the services the change touches."""
    from prefect.deployments.runner import EntrypointType

    return [
        monorepo.to_deployment(
            mono.name,
            description=f"The services of {mono.repository} ({', '.join(mono.services)}) that a change touches, "
            "or that consume an API it changes: the commit phase before a merge, build → production after.",
            parameters={"path": mono.path, "repo": mono.repo},
            tags=["qeflow", "monorepo", *mono.services],
            triggers=[*_pre_merge_triggers(mono, ["commit"]), _merge_trigger(mono)],
            entrypoint_type=EntrypointType.MODULE_PATH,
        )
    ]


def deployments_for(service: ServedService) -> list[Any]:  # list[RunnerDeployment]; prefect is imported lazily
    """The deployments of one service: the whole pipeline, then one per phase."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    defaults = {"path": service.path, "repo": service.repo}
    tags = ["qeflow", service.name]
    events = service.monorepo is None  # in a monorepo, the monorepo's deployment takes the events
    whole = pipeline.to_deployment(
        service.name,
        description=f"The quality pipeline of {service.name}: every merge to the default branch runs build → "
        "production; the nightly schedule runs every phase on the default branch's tip.",
        parameters=defaults,
        tags=tags,
        schedules=[Cron(service.nightly, timezone=service.timezone)] if service.nightly else None,
        triggers=[_merge_trigger(service)] if events else None,
        entrypoint_type=EntrypointType.MODULE_PATH,
    )
    result = [whole]
    for phase, phase_flow in SINGLE_PHASE_FLOWS.items():
        triggers = []
        if phase == "commit" and events:
            triggers += _pre_merge_triggers(service, None)
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


def prefect_yaml(served: Served, work_pool: str = "qeflow") -> dict[str, Any]:
    """The same deployments as `qeflow server` serves, as a prefect.yaml for work pools and workers.

    Workers need qeflow installed (`pip install` of this repository); the pull step moves into its
    directory, named by the QEFLOW_ROOT variable on the worker.
    """
    deployments: list[dict[str, Any]] = []
    for deployment in served.deployments():
        module, function = deployment.entrypoint.rsplit(".", 1)
        repo = deployment.parameters["repo"]
        remote = "://" in repo or "@" in repo
        deployments.append(
            {
                "name": deployment.name,
                "description": deployment.description,
                "entrypoint": f"{module.replace('.', '/')}.py:{function}",
                "tags": deployment.tags,
                # A local path means nothing on a worker: the repository URL comes from the deployer's
                # environment at `prefect deploy` time instead.
                "parameters": {**deployment.parameters, "repo": repo if remote else "{{ $QEFLOW_REPO }}"},
                "work_pool": {"name": work_pool},
                "schedules": [
                    {"cron": s.schedule.cron, "timezone": s.schedule.timezone, "active": True}
                    for s in deployment.schedules or []
                ],
                "triggers": [_trigger_yaml(t) for t in deployment.triggers or []],
            }
        )
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
    found = discover([Path(p) for p in sys.argv[1:]])
    sys.stdout.write(header + yaml.safe_dump(prefect_yaml(found), sort_keys=False, width=110, allow_unicode=True))
