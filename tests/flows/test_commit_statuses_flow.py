"""The pipeline posts commit statuses around the commit and build phases (tasks/commit_status)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.flows.test_pipeline_flow import _registry, _run, _toml, probe
from tests.tasks.commit_status.conftest import TOKEN
from tests.tasks.commit_status.fake_host import FakeGitHost, start

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def github(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGitHost]:
    host, server = start("github", TOKEN)
    monkeypatch.setenv("QEFLOW_TEST_GH_TOKEN", TOKEN)
    monkeypatch.setenv("PREFECT_UI_URL", "http://127.0.0.1:4200")
    yield host
    server.shutdown()
    server.server_close()


def _git_host(url: str) -> str:
    return (
        f'\n[git_host]\nprovider = "github"\napi_url = "{url}"\n'
        'repository = "acme/tiny"\ntoken_env = "QEFLOW_TEST_GH_TOKEN"\n'
    )


def test_passing_phases_post_pending_then_success(monkeypatch, tiny_service, github: FakeGitHost) -> None:
    registry = _registry(("probe", "commit", probe), ("later", "build", probe))
    report = _run(monkeypatch, registry, tiny_service(_toml(extra=_git_host(github.url))), phases=["commit", "build"])
    assert report["status"] == "passed" and github.violations == []
    sent = [(r.json["context"], r.json["state"]) for r in github.requests]
    assert sent == [
        ("qeflow/commit", "pending"),
        ("qeflow/commit", "success"),
        ("qeflow/build", "pending"),
        ("qeflow/build", "success"),
    ]
    assert all(r.json["target_url"].startswith("http://127.0.0.1:4200/runs/flow-run/") for r in github.requests)
    record = json.loads(Path(report["evidence"], "commit", "commit-status.json").read_text())
    assert record["posted"] is True and record["http_status"] == 201 and record["state"] == "success"
    assert record["description"].startswith("commit gate passed: 1 condition(s) met")
    assert TOKEN not in Path(report["evidence"], "commit", "commit-status.json").read_text()


def test_failed_gate_posts_failure_through_the_block_policy(monkeypatch, tiny_service, github: FakeGitHost) -> None:
    registry = _registry(("probe", "commit", probe), ("later", "build", probe))
    report = _run(
        monkeypatch, registry, tiny_service(_toml(score=42, extra=_git_host(github.url))), phases=["commit", "build"]
    )
    assert report["status"] == "failed" and github.violations == []
    assert [r.json["state"] for r in github.requests] == ["pending", "failure"]
    assert "probe.score > 90 — actual: 42" in github.requests[1].json["description"]
    policy = json.loads(Path(report["evidence"], "commit", "policy.json").read_text())
    assert policy["actions"][0]["result"] == "merge blocked: failed commit status posted"


def test_missing_token_is_recorded_and_the_run_goes_on(monkeypatch, tiny_service, github: FakeGitHost) -> None:
    monkeypatch.delenv("QEFLOW_TEST_GH_TOKEN")
    registry = _registry(("probe", "commit", probe))
    report = _run(monkeypatch, registry, tiny_service(_toml(extra=_git_host(github.url))), phases=["commit"])
    assert report["status"] == "passed" and github.requests == []
    record = json.loads(Path(report["evidence"], "commit", "commit-status.json").read_text())
    assert record["posted"] is False and "QEFLOW_TEST_GH_TOKEN" in record["error"]
