"""The monorepo flow runs the pipeline only for the services a change touches, and says why."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from flows.errors import PipelineFailed
from tasks.registry import AgentSpec, Registry
from tests.flows.test_pipeline_flow import ProbeSettings, probe

pytestmark = pytest.mark.usefixtures("prefect_harness")

SERVICE = """\
[service]
name = "{name}"
start = ["python3", "app.py"]
[database]
mode = "none"
[agents.probe]
score = {score}
[gates.commit]
conditions = ["probe.score > 90"]
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_monorepo_runs_changed_services_and_their_consumers(tmp_path: Path, monkeypatch) -> None:
    import flows.monorepo as monorepo_module
    import flows.pipeline as pipeline_module

    registry = Registry([AgentSpec("probe", "commit", probe, ProbeSettings, "probe")])
    monkeypatch.setattr(pipeline_module, "AGENTS", registry)
    monkeypatch.setattr(monorepo_module, "AGENTS", registry)

    _git(tmp_path, "init", "-q", "-b", "main")
    for rel, name, score in [("users", "users-service", 95), ("orders", "orders-service", 40), ("web", "web", 99)]:
        (tmp_path / rel).mkdir()
        (tmp_path / rel / "qeflow.toml").write_text(SERVICE.format(name=name, score=score))
        (tmp_path / rel / "openapi.yaml").write_text("openapi: 3.0.3\n")
    (tmp_path / "qeflow.toml").write_text(
        '[monorepo]\nservices = ["users", "orders", "web"]\n[monorepo.consumers]\nusers-service = ["orders-service"]\n'
    )
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "base")
    (tmp_path / "users" / "openapi.yaml").write_text("openapi: 3.1.0\n")
    _git(tmp_path, "commit", "-qam", "users api")

    state = monorepo_module.monorepo(
        str(tmp_path), phases=["commit"], evidence=str(tmp_path / ".runs"), return_state=True
    )
    outcome = state.result(raise_on_failure=False)
    assert isinstance(outcome, PipelineFailed)  # orders-service scores 40: its gate fails
    services = {s["service"]: s for s in outcome.report["services"]}
    assert services["web"]["selected"] is False
    assert services["users-service"]["report"]["status"] == "passed"
    assert services["orders-service"]["report"]["status"] == "failed"
    assert services["orders-service"]["report"]["selected_because"] == [
        "consumer of users-service, whose API document users/openapi.yaml changed"
    ]


def test_a_served_monorepo_run_checks_the_sha_out_and_keeps_evidence_in_qeflow_home(
    tmp_path: Path, monkeypatch
) -> None:
    import flows.monorepo as monorepo_module
    import flows.pipeline as pipeline_module

    registry = Registry([AgentSpec("probe", "commit", probe, ProbeSettings, "probe")])
    for module in (pipeline_module, monorepo_module):
        monkeypatch.setattr(module, "AGENTS", registry)
    home = tmp_path / "home"
    monkeypatch.setenv("QEFLOW_HOME", str(home))
    origin = tmp_path / "origin"
    origin.mkdir()
    _git(origin, "init", "-q", "-b", "main")
    for rel, name in [("users", "users-service"), ("web", "web")]:
        (origin / rel).mkdir()
        (origin / rel / "qeflow.toml").write_text(SERVICE.format(name=name, score=95))
    (origin / "qeflow.toml").write_text('[monorepo]\nservices = ["users", "web"]\n')
    _git(origin, "add", "-A")
    _git(origin, "commit", "-qm", "base")
    _git(origin, "checkout", "-q", "-b", "change")
    (origin / "web" / "index.html").write_text("<h1>hi</h1>\n")
    _git(origin, "add", "-A")
    _git(origin, "commit", "-qm", "web page")
    head = subprocess.run(["git", "-C", str(origin), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    _git(origin, "checkout", "-q", "main")  # the working copy is elsewhere: the run must not use it

    state = monorepo_module.monorepo(".", phases=["commit"], head=head.strip(), repo=str(origin), return_state=True)

    summary = state.result(raise_on_failure=False)
    services = {s["service"]: s for s in summary["services"]}
    assert services["users-service"]["selected"] is False  # the change touches web/ only
    assert services["web"]["report"]["status"] == "passed"
    assert services["web"]["reasons"] == ["changed: web/index.html"]
    assert [p.name for p in (home / "runs").iterdir()], "served evidence belongs in QEFLOW_HOME/runs"
    assert not list((home / "checkouts").iterdir())  # the checkout is gone with the run
