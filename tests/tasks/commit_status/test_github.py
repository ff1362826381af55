"""GitHub statuses API: request shapes checked by the fake host, retries, errors, the token kept out."""

from __future__ import annotations

import json
import logging

import pytest

from tasks.commit_status import GitHostSettings, GitHubClient, PostedStatus, make_client
from tests.tasks.commit_status.conftest import SHA, TOKEN, Sleeps
from tests.tasks.commit_status.fake_host import FakeGitHost

ENV = {"QEFLOW_GH": TOKEN}


def _client(url: str, sleeps: Sleeps, **overrides: object) -> GitHubClient:
    settings = GitHostSettings.model_validate(
        {
            "provider": "github",
            "api_url": url,
            "repository": "acme/users-service",
            "token_env": "QEFLOW_GH",
            **overrides,
        }
    )
    client = make_client(settings, env=ENV, sleep=sleeps)
    assert isinstance(client, GitHubClient)
    return client


def _no_token(*things: object) -> None:
    for thing in things:
        text = (
            thing
            if isinstance(thing, str)
            else json.dumps(thing, default=str)
            if isinstance(thing, dict)
            else repr(thing)
        )
        assert TOKEN not in text


@pytest.mark.parametrize("state", ["pending", "success", "failure", "error"])
def test_each_state_posts_the_documented_request(github: FakeGitHost, sleeps: Sleeps, state: str) -> None:
    sent = _client(github.url, sleeps).post_status(
        SHA, "commit", state, "commit gate passed", "https://ci.example/run/1"
    )
    assert github.violations == []
    [req] = github.requests
    assert req.path == f"/repos/acme/users-service/statuses/{SHA}"
    assert req.json == {
        "state": state,
        "description": "commit gate passed",
        "context": "qeflow/commit",
        "target_url": "https://ci.example/run/1",
    }
    assert sent.posted and sent.ok and sent.http_status == 201 and sent.attempts == 1 and sent.error is None
    assert sent.response["id"] == 1 and sent.response["state"] == state
    assert sent.url == f"{github.url}/repos/acme/users-service/statuses/{SHA}"
    assert sent.body == req.json
    _no_token(sent.to_record(), sent)


def test_enterprise_api_prefix_and_context_prefix(github: FakeGitHost, sleeps: Sleeps) -> None:
    client = _client(github.url + "/api/v3/", sleeps, context_prefix="ci/quality")
    sent = client.post_status(SHA, "build", "success", "ok", None)
    assert sent.posted and github.violations == []
    assert github.requests[0].path == f"/api/v3/repos/acme/users-service/statuses/{SHA}"
    assert github.requests[0].json["context"] == "ci/quality/build"


def test_server_error_then_success_is_retried_with_backoff(github: FakeGitHost, sleeps: Sleeps) -> None:
    github.answer(502)
    github.answer(503)
    sent = _client(github.url, sleeps, retries=2, backoff_s=0.25).post_status(SHA, "commit", "pending", "running")
    assert sent.posted and sent.attempts == 3 and sent.http_status == 201
    assert len(github.requests) == 3 and github.violations == []
    assert sleeps == [0.25, 0.5]


def test_persistent_server_error_is_reported_after_the_retries(github: FakeGitHost, sleeps: Sleeps) -> None:
    for _ in range(3):
        github.answer(500, {"message": "Server Error"})
    sent = _client(github.url, sleeps, retries=2, backoff_s=0).post_status(SHA, "commit", "failure", "gate failed")
    assert not sent.posted and sent.attempts == 3 and sent.http_status == 500
    assert sent.error == "HTTP 500: Server Error"
    assert len(github.requests) == 3


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (401, "Bad credentials"),
        (403, "Resource not accessible by integration"),
        (404, "Not Found"),
        (422, "No commit found for SHA: 0123456"),
    ],
)
def test_client_errors_are_not_retried_and_reported(
    github: FakeGitHost, sleeps: Sleeps, status: int, message: str
) -> None:
    github.answer(status, {"message": message, "documentation_url": "https://docs.github.com/rest"})
    sent = _client(github.url, sleeps, retries=3).post_status(SHA, "commit", "success", "ok")
    assert len(github.requests) == 1 and sleeps == []
    assert not sent.posted and sent.http_status == status and sent.attempts == 1
    assert sent.error == f"HTTP {status}: {message}"


def test_connection_errors_are_retried_then_reported(dead_url: str, sleeps: Sleeps) -> None:
    sent = _client(dead_url, sleeps, retries=2, backoff_s=0.1).post_status(SHA, "commit", "pending", "running")
    assert not sent.posted and sent.http_status is None and sent.attempts == 3
    assert sent.error and sent.error.startswith("ConnectError")
    assert sleeps == [0.1, 0.2]


@pytest.mark.parametrize("env", [{}, {"QEFLOW_GH": ""}])
def test_missing_token_names_the_variable_and_sends_nothing(
    github: FakeGitHost, sleeps: Sleeps, env: dict[str, str]
) -> None:
    settings = GitHostSettings(
        provider="github", api_url=github.url, repository="acme/users-service", token_env="QEFLOW_GH"
    )
    sent = GitHubClient(settings, env=env, sleep=sleeps).post_status(SHA, "commit", "pending", "running")
    assert not sent.posted and sent.attempts == 0 and github.requests == []
    assert sent.error is not None and "QEFLOW_GH" in sent.error and "not set" in sent.error


def test_default_token_variable_is_github_token(github: FakeGitHost, sleeps: Sleeps) -> None:
    settings = GitHostSettings(provider="github", api_url=github.url, repository="acme/users-service")
    sent = GitHubClient(settings, env={}, sleep=sleeps).post_status(SHA, "commit", "pending", "running")
    assert sent.error is not None and "GITHUB_TOKEN" in sent.error
    sent = GitHubClient(settings, env={"GITHUB_TOKEN": TOKEN}, sleep=sleeps).post_status(SHA, "commit", "pending", "x")
    assert sent.posted and github.violations == []


def test_the_token_never_appears_in_records_logs_or_messages(
    github: FakeGitHost, dead_url: str, sleeps: Sleeps, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # A host that echoes the token back in its error body (some proxies do).
    github.answer(401, {"message": f"Bad credentials: Bearer {TOKEN}"})
    github.answer(500, f"upstream said {TOKEN}")
    github.answer(500, {"error": TOKEN})
    results: list[PostedStatus] = [
        _client(github.url, sleeps).post_status(SHA, "commit", "success", "ok"),
        _client(github.url, sleeps, retries=1).post_status(SHA, "commit", "success", "ok"),
        _client(dead_url, sleeps, retries=0).post_status(SHA, "commit", "success", "ok"),
        _client(github.url, sleeps).post_status("not-a-sha", "commit", "success", "ok"),
    ]
    assert results[0].error == "HTTP 401: Bad credentials: Bearer ***"
    assert results[1].error == "HTTP 500: ***"
    for sent in results:
        _no_token(sent.to_record(), sent, str(sent.error))
    _no_token(caplog.text)


def test_description_is_one_line_of_at_most_140_characters(github: FakeGitHost, sleeps: Sleeps) -> None:
    long = "commit gate failed:\n" + "; ".join(
        f"unit-tests.changed_lines_coverage > 80 — actual: {i}" for i in range(9)
    )
    sent = _client(github.url, sleeps).post_status(SHA, "commit", "failure", long)
    sent_description = github.requests[0].json["description"]
    assert len(sent_description) == 140 and sent_description.endswith("…") and "\n" not in sent_description
    assert sent.description == sent_description and github.violations == []
    short = _client(github.url, sleeps).post_status(SHA, "commit", "failure", "x" * 140)
    assert short.description == "x" * 140


@pytest.mark.parametrize("link", ["file:///tmp/run/report.html", "/tmp/run", "s3://bucket/run", None])
def test_only_http_links_are_sent(github: FakeGitHost, sleeps: Sleeps, link: str | None) -> None:
    sent = _client(github.url, sleeps).post_status(SHA, "commit", "success", "ok", link)
    assert "target_url" not in github.requests[0].json
    assert sent.target_url == link and not sent.target_url_sent and sent.posted


def test_a_bad_sha_or_state_sends_nothing(github: FakeGitHost, sleeps: Sleeps) -> None:
    client = _client(github.url, sleeps)
    bad_sha = client.post_status("HEAD", "commit", "success", "ok")
    bad_state = client.post_status(SHA, "commit", "passed", "ok")
    assert github.requests == []
    assert not bad_sha.posted and "HEAD" in str(bad_sha.error)
    assert not bad_state.posted and "pending, success, failure, error" in str(bad_state.error)


def test_provider_none_has_no_client() -> None:
    assert make_client(GitHostSettings(), env={}) is None
