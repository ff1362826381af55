"""StatusReporter: pending at phase start, final at the end, records for the evidence."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from tasks.commit_status import GitHostSettings, StatusReporter, default_report_url
from tests.tasks.commit_status.conftest import SHA, TOKEN, Sleeps
from tests.tasks.commit_status.fake_host import FakeGitHost

# The keys of the recorded-only era (flows/policy.py commit_status), kept in every record.
RECORD_KEYS = {"sha", "state", "context", "description", "target_url", "posted", "http_status", "error"}


def _reporter(
    tmp_path: Path, sleeps: Sleeps, url: str | None = None, env: dict[str, str] | None = None, **table: object
) -> StatusReporter:
    if url is not None:
        table = {"provider": "github", "api_url": url, "repository": "acme/users-service", **table}
    return StatusReporter(
        GitHostSettings.model_validate(table),
        sha=SHA,
        service="users-service",
        run_id="20240101T000000Z-0123456-abcdef",
        run_dir=str(tmp_path / "run"),
        flow_run_id="7d1f0c1e-0000-4000-8000-000000000001",
        env={"GITHUB_TOKEN": TOKEN} if env is None else env,
        sleep=sleeps,
    )


def test_provider_none_records_without_posting(tmp_path: Path, sleeps: Sleeps) -> None:
    reporter = _reporter(tmp_path, sleeps)
    pending = reporter.pending("commit")
    final = reporter.finish("commit", True, "commit gate passed")
    assert pending is not None and set(pending) >= RECORD_KEYS and set(final) >= RECORD_KEYS
    assert pending["state"] == "pending" and final["state"] == "success"
    assert final["posted"] is False and 'provider = "none"' in final["note"]
    assert final["context"] == "qeflow/commit" and final["sha"] == SHA
    assert final["target_url"] == (tmp_path / "run" / "report.html").as_uri()
    json.dumps(final)


def test_pending_then_success_posts_two_statuses(tmp_path: Path, sleeps: Sleeps, github: FakeGitHost) -> None:
    reporter = _reporter(tmp_path, sleeps, github.url, target_url="https://ci.example/{service}/{run_id}/{phase}")
    pending = reporter.pending("commit")
    assert pending is not None and pending["posted"] is True and pending["http_status"] == 201
    assert reporter.is_open("commit")
    final = reporter.finish("commit", True, "commit gate passed (7 conditions)")
    assert not reporter.is_open("commit")
    assert [r.json["state"] for r in github.requests] == ["pending", "success"]
    assert github.violations == []
    assert final["posted"] is True and final["state"] == "success" and final["attempts"] == 1
    assert final["target_url"] == "https://ci.example/users-service/20240101T000000Z-0123456-abcdef/commit"
    assert final["request"]["body"]["target_url"] == final["target_url"]
    assert final["pending"]["posted"] is True and final["pending"]["http_status"] == 201
    assert set(final) >= RECORD_KEYS and "note" not in final
    assert TOKEN not in json.dumps(final) + json.dumps(pending)


def test_failure_and_abandon(tmp_path: Path, sleeps: Sleeps, github: FakeGitHost) -> None:
    reporter = _reporter(tmp_path, sleeps, github.url)
    reporter.pending("commit")
    failed = reporter.finish("commit", False, "commit gate failed: unit-tests.changed_lines_coverage > 80 — actual: 50")
    assert failed["state"] == "failure" and failed["posted"]
    reporter.pending("build")
    abandoned = reporter.abandon("run interrupted")
    assert list(abandoned) == ["build"] and abandoned["build"]["state"] == "error"
    assert reporter.abandon("again") == {}
    assert [r.json["state"] for r in github.requests] == ["pending", "failure", "pending", "error"]
    assert github.violations == []


def test_only_listed_phases_post(tmp_path: Path, sleeps: Sleeps, github: FakeGitHost) -> None:
    reporter = _reporter(tmp_path, sleeps, github.url, phases=["build"])
    assert reporter.pending("commit") is None and reporter.pending("staging") is None
    record = reporter.status("staging", "failure", "staging gate failed")  # e.g. the block-review policy
    assert record["posted"] is False and "staging is not in [git_host] phases" in record["note"]
    assert github.requests == []
    assert reporter.pending("build") is not None and len(github.requests) == 1


def test_host_failures_are_recorded_not_raised(
    tmp_path: Path, sleeps: Sleeps, github: FakeGitHost, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="qeflow.progress")
    github.answer(401, {"message": f"Bad credentials {TOKEN}"})
    record = _reporter(tmp_path, sleeps, github.url).finish("commit", True, "ok")
    assert record["posted"] is False and record["http_status"] == 401
    assert record["error"] == "HTTP 401: Bad credentials ***"
    assert "not posted to github: HTTP 401" in caplog.text and TOKEN not in caplog.text
    missing = _reporter(tmp_path, sleeps, github.url, env={}).pending("commit")
    assert missing is not None and missing["posted"] is False and "GITHUB_TOKEN" in missing["error"]


def test_uses_the_process_environment_by_default(
    tmp_path: Path, sleeps: Sleeps, github: FakeGitHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QEFLOW_STATUS_TOKEN", TOKEN)
    reporter = StatusReporter(
        GitHostSettings(provider="github", api_url=github.url, repository="a/b", token_env="QEFLOW_STATUS_TOKEN"),
        sha=SHA,
        service="svc",
        run_id="r1",
        run_dir=str(tmp_path),
        sleep=sleeps,
    )
    assert reporter.finish("commit", True, "ok")["posted"] is True and github.violations == []


# --- target_url -----------------------------------------------------------------------------------


def test_target_url_defaults_to_report_html(tmp_path: Path, sleeps: Sleeps) -> None:
    reporter = _reporter(tmp_path, sleeps, env={})
    assert reporter.target_url("commit") == (tmp_path / "run" / "report.html").as_uri()
    assert default_report_url("s3://bucket/runs/r1/") == "s3://bucket/runs/r1/report.html"


def test_target_url_is_the_prefect_ui_when_known(tmp_path: Path, sleeps: Sleeps) -> None:
    reporter = _reporter(tmp_path, sleeps, env={"PREFECT_UI_URL": "http://127.0.0.1:4200/"})
    assert reporter.target_url("build") == "http://127.0.0.1:4200/runs/flow-run/7d1f0c1e-0000-4000-8000-000000000001"


def test_target_url_template_and_fallback(tmp_path: Path, sleeps: Sleeps) -> None:
    templated = _reporter(tmp_path, sleeps, env={}, target_url="https://ci.example/{sha}/{phase}")
    assert templated.target_url("build") == f"https://ci.example/{SHA}/build"
    needs_ui = _reporter(tmp_path, sleeps, env={}, target_url="{ui}/runs/flow-run/{flow_run_id}?tab=Logs")
    assert needs_ui.target_url("build") == (tmp_path / "run" / "report.html").as_uri()
    with_ui = _reporter(
        tmp_path,
        sleeps,
        env={"PREFECT_UI_URL": "https://prefect.example"},
        target_url="{ui}/runs/flow-run/{flow_run_id}?tab=Logs",
    )
    assert with_ui.target_url("build").endswith("/runs/flow-run/7d1f0c1e-0000-4000-8000-000000000001?tab=Logs")


def test_a_file_link_is_recorded_but_not_sent(tmp_path: Path, sleeps: Sleeps, github: FakeGitHost) -> None:
    record = _reporter(tmp_path, sleeps, github.url).finish("commit", True, "ok")
    assert record["posted"] and record["target_url"].startswith("file://")
    assert "target_url" not in github.requests[0].json and "target_url not sent" in record["note"]


def test_unknown_state_is_a_programming_error(tmp_path: Path, sleeps: Sleeps) -> None:
    with pytest.raises(ValueError, match="pending, success, failure, error"):
        _reporter(tmp_path, sleeps).status("commit", "passed", "x")


def test_the_package_imports_no_higher_layer() -> None:
    code = (
        "import sys, tasks.commit_status\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'gates', 'flows', 'deployments'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parents[3]
    )
    assert out.stdout.strip() == "[]"
