"""GitLab commit status API: request shapes checked by the fake host, state mapping, retries."""

from __future__ import annotations

import json

import pytest

from tasks.commit_status import GITLAB_STATES, GitHostSettings, GitLabClient, make_client
from tests.tasks.commit_status.conftest import SHA, TOKEN, Sleeps
from tests.tasks.commit_status.fake_host import FakeGitHost

ENV = {"GITLAB_TOKEN": TOKEN}


def _client(url: str, sleeps: Sleeps, repository: str = "4242", **overrides: object) -> GitLabClient:
    settings = GitHostSettings.model_validate(
        {"provider": "gitlab", "api_url": url, "repository": repository, **overrides}
    )
    client = make_client(settings, env=ENV, sleep=sleeps)
    assert isinstance(client, GitLabClient)
    return client


@pytest.mark.parametrize(("state", "host_state"), sorted(GITLAB_STATES.items()))
def test_each_state_posts_the_documented_request(
    gitlab: FakeGitHost, sleeps: Sleeps, state: str, host_state: str
) -> None:
    sent = _client(gitlab.url + "/api/v4", sleeps).post_status(
        SHA, "build", state, "build gate", "https://ci.example/r"
    )
    assert gitlab.violations == []
    [req] = gitlab.requests
    assert req.path == f"/api/v4/projects/4242/statuses/{SHA}"
    assert req.headers["private-token"] == TOKEN and "authorization" not in req.headers
    assert req.json == {
        "state": host_state,
        "name": "qeflow/build",
        "description": "build gate",
        "target_url": "https://ci.example/r",
    }
    assert sent.posted and sent.http_status == 201 and sent.state == state and sent.host_state == host_state
    assert sent.response["status"] == host_state and sent.response["name"] == "qeflow/build"
    assert TOKEN not in json.dumps(sent.to_record())


@pytest.mark.parametrize(
    ("repository", "path_part"),
    [
        ("4242", "4242"),
        ("acme/users-service", "acme%2Fusers-service"),
        ("acme/sub/svc", "acme%2Fsub%2Fsvc"),
        ("acme%2Fsvc", "acme%2Fsvc"),
    ],
)
def test_project_path_is_url_encoded(gitlab: FakeGitHost, sleeps: Sleeps, repository: str, path_part: str) -> None:
    sent = _client(gitlab.url, sleeps, repository=repository).post_status(SHA, "commit", "pending", "running")
    assert sent.posted and gitlab.violations == []
    assert gitlab.requests[0].path == f"/projects/{path_part}/statuses/{SHA}"


def test_server_error_then_success_is_retried(gitlab: FakeGitHost, sleeps: Sleeps) -> None:
    gitlab.answer(500, {"message": "500 Internal Server Error"})
    sent = _client(gitlab.url, sleeps, backoff_s=1.5).post_status(SHA, "commit", "success", "ok")
    assert sent.posted and sent.attempts == 2 and len(gitlab.requests) == 2 and sleeps == [1.5]


def test_client_error_is_not_retried_and_reported(gitlab: FakeGitHost, sleeps: Sleeps) -> None:
    gitlab.answer(400, {"message": "Cannot transition status via :run from :running"})
    sent = _client(gitlab.url, sleeps, retries=5).post_status(SHA, "commit", "pending", "running")
    assert not sent.posted and sent.http_status == 400 and len(gitlab.requests) == 1 and sleeps == []
    assert sent.error == "HTTP 400: Cannot transition status via :run from :running"


def test_missing_token_names_the_variable(gitlab: FakeGitHost, sleeps: Sleeps) -> None:
    settings = GitHostSettings(provider="gitlab", api_url=gitlab.url, repository="1", token_env="CI_STATUS_TOKEN")
    sent = GitLabClient(settings, env={}, sleep=sleeps).post_status(SHA, "commit", "pending", "running")
    assert not sent.posted and gitlab.requests == [] and "CI_STATUS_TOKEN" in str(sent.error)


def test_token_echoed_by_the_host_is_scrubbed(gitlab: FakeGitHost, sleeps: Sleeps) -> None:
    gitlab.answer(401, {"message": f"401 Unauthorized ({TOKEN})"})
    sent = _client(gitlab.url, sleeps).post_status(SHA, "commit", "pending", "running")
    assert sent.error == "HTTP 401: 401 Unauthorized (***)"
    assert TOKEN not in json.dumps(sent.to_record()) and TOKEN not in repr(sent)
