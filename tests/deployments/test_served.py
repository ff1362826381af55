"""What `qeflow server` deploys per service: names, entrypoints, triggers, parameters, schedule."""

import subprocess
from pathlib import Path

import pytest

from deployments.served import (
    MERGE_PHASES,
    ServedService,
    deployments_for,
    discover,
    prefect_yaml,
    resource_id,
)
from tasks.errors import ConfigError
from tests.support.cli import REPO_ROOT

EXAMPLE = REPO_ROOT / "examples" / "users-service"
SERVICE = ServedService(name="users-service", repo="https://github.com/acme/users-service.git",
                        path="services/users", repository="acme/users-service", nightly="30 2 * * 1-5",
                        timezone="Europe/Paris")  # fmt: skip


def _by_flow(service: ServedService = SERVICE) -> dict[str, object]:
    return {d.flow_name: d for d in deployments_for(service)}


def test_one_pipeline_deployment_and_one_per_phase_named_after_the_service() -> None:
    deployments = _by_flow()
    assert list(deployments) == ["pipeline", *(f"{p}-phase" for p in ("commit", "build", "integration",
                                                                        "staging", "production"))]  # fmt: skip
    for deployment in deployments.values():
        assert deployment.name == "users-service"
        assert deployment.parameters == {"path": "services/users", "repo": SERVICE.repo}
        assert deployment.entrypoint.startswith("flows.")  # a module path: no dependence on the cwd
    assert deployments["integration-phase"].entrypoint == "flows.single_phase.integration_phase"


def test_pushes_and_pull_requests_of_the_repository_start_the_commit_phase() -> None:
    push, request = _by_flow()["commit-phase"].triggers
    assert (push.expect, request.expect) == ({"git.push"}, {"git.pull_request"})
    for trigger in (push, request):
        assert trigger.match.model_dump() == {"prefect.resource.id": "git.repo.acme.users-service"}
        assert trigger.parameters["repo"] == "{{ event.payload.repo_url }}"
        assert trigger.parameters["head"] == "{{ event.payload.sha }}"
        assert trigger.parameters["path"] == "services/users"
        assert "phases" not in trigger.parameters
    # A pull request is compared with the branch it goes into; a push, with the default branch.
    assert request.parameters["target_branch"] == "{{ event.payload.base_ref }}"
    assert "target_branch" not in push.parameters
    for flow in ("build-phase", "integration-phase", "staging-phase", "production-phase"):
        assert not _by_flow()[flow].triggers  # run by people: the UI's Run button, `prefect deployment run`


def test_a_merge_starts_build_to_production_once_and_the_night_runs_everything() -> None:
    pipeline = _by_flow()["pipeline"]
    (trigger,) = pipeline.triggers
    assert trigger.expect == {"git.merge"}
    # The push to the default branch, not also the "PR closed as merged" delivery of the same merge.
    assert trigger.match.model_dump() == {"prefect.resource.id": "git.repo.acme.users-service", "git.source": "push"}
    assert trigger.parameters["phases"] == MERGE_PHASES == ["build", "integration", "staging", "production"]
    (schedule,) = pipeline.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 2 * * 1-5", "Europe/Paris")
    assert "phases" not in pipeline.parameters  # the nightly run: every phase, on the default branch's tip


def test_no_nightly_cron_means_no_schedule() -> None:
    quiet = ServedService(**{**SERVICE.__dict__, "nightly": ""})
    assert not _by_flow(quiet)["pipeline"].schedules


def test_gitlab_groups_become_dots_in_the_resource_id() -> None:
    assert resource_id("group/sub/name") == "git.repo.group.sub.name"


def _repo_with(tmp_path: Path, config: str, origin: str | None = None) -> Path:
    service = tmp_path / "services" / "users"
    service.mkdir(parents=True)
    (service / "qeflow.toml").write_text(config)
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    if origin:
        subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", origin], check=True)
    return service


MINIMAL = '[service]\nname = "users"\nstart = ["node", "server.js"]\n'


@pytest.mark.parametrize(
    "origin", ["https://github.com/acme/users.git", "git@github.com:acme/users.git", "ssh://git@host:22/acme/users"]
)
def test_the_repository_is_read_from_the_origin_remote_when_not_configured(tmp_path: Path, origin: str) -> None:
    (service,) = discover([_repo_with(tmp_path, MINIMAL, origin)]).services
    assert (service.repository, service.repo, service.path) == ("acme/users", origin, "services/users")


def test_without_origin_the_repository_must_be_configured(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        discover([_repo_with(tmp_path, MINIMAL)])
    assert raised.value.problems[0].location == "serve.repository"


def test_the_example_serves_from_its_repository(tmp_path: Path) -> None:
    (service,) = discover([EXAMPLE]).services
    assert (service.name, service.repository, service.path) == ("users-service", "acme/users-service",
                                                                  "examples/users-service")  # fmt: skip
    with pytest.raises(ConfigError, match=r"one qeflow\.toml per service name"):
        discover([EXAMPLE, EXAMPLE])


def test_prefect_yaml_describes_the_same_deployments_as_the_server() -> None:
    yaml = pytest.importorskip("yaml")
    committed = yaml.safe_load((REPO_ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    assert committed == prefect_yaml(discover([EXAMPLE])), (
        "prefect.yaml is stale: python -m deployments.served examples/users-service > prefect.yaml"
    )
    from prefect.flows import load_flow_from_entrypoint

    # What a worker does with each entrypoint (after the pull step moved into QEFLOW_ROOT).
    names = {load_flow_from_entrypoint(str(REPO_ROOT / d["entrypoint"])).name for d in committed["deployments"]}
    assert names == {"pipeline", "commit-phase", "build-phase", "integration-phase", "staging-phase",
                     "production-phase"}  # fmt: skip


def _monorepo(tmp_path: Path) -> Path:
    subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path)], check=True)
    for rel, name in [("services/users", "users-service"), ("services/orders", "orders-service")]:
        (tmp_path / rel).mkdir(parents=True)
        (tmp_path / rel / "qeflow.toml").write_text(
            f'[service]\nname = "{name}"\nstart = ["node", "server.js"]\n[serve]\nrepository = "acme/Platform"\n'
        )
    (tmp_path / "qeflow.toml").write_text('[monorepo]\nservices = ["services/users", "services/orders"]\n')
    return tmp_path


def test_a_monorepo_gets_one_deployment_for_its_events_and_its_services_keep_theirs(tmp_path: Path) -> None:
    served = discover([_monorepo(tmp_path)])
    (mono,) = served.monorepos
    assert (mono.name, mono.path, mono.services) == ("platform", ".", ("users-service", "orders-service"))
    (deployment,) = [d for d in served.deployments() if d.flow_name == "monorepo"]
    assert deployment.name == "platform" and deployment.entrypoint == "flows.monorepo.monorepo"
    push, request, merge = deployment.triggers
    assert (push.expect, request.expect, merge.expect) == ({"git.push"}, {"git.pull_request"}, {"git.merge"})
    assert push.parameters["phases"] == request.parameters["phases"] == ["commit"]
    assert merge.parameters["phases"] == MERGE_PHASES
    assert push.match.model_dump() == {"prefect.resource.id": "git.repo.acme.Platform"}
    # The services' own deployments stay (reruns, the nightly run) but take no events: a push would
    # otherwise run every service of the repository.
    members = [d for d in served.deployments() if d.flow_name != "monorepo"]
    assert {d.name for d in members} == {"users-service", "orders-service"} and len(members) == 12
    assert not any(d.triggers for d in members)
    assert {d.parameters["path"] for d in members} == {"services/users", "services/orders"}
    assert all(d.schedules for d in members if d.flow_name == "pipeline")
