"""GitHub/GitLab payloads -> GitEvent: which Prefect event, which repo, ref and shas."""

from __future__ import annotations

import pytest

from deployments.webhooks import GitEvent, Ignored, PayloadError, normalize_github, normalize_gitlab
from tests.deployments.webhooks.payloads import (
    SHA_AFTER,
    SHA_BASE,
    SHA_BEFORE,
    SHA_MERGE,
    ZERO_SHA,
    github_pull_request,
    github_push,
    gitlab_merge_request,
    gitlab_push,
    without,
)


def _event(result: GitEvent | Ignored) -> GitEvent:
    assert isinstance(result, GitEvent), result
    return result


def test_github_push_to_a_feature_branch_is_git_push() -> None:
    event = _event(normalize_github("push", github_push(), "d-1"))
    assert event.name == "git.push"
    assert event.resource_id == "git.repo.Codertocat.users-service"
    assert (event.ref, event.sha, event.base_sha) == ("refs/heads/feature/login", SHA_AFTER, SHA_BEFORE)
    assert event.repo_url == "https://github.com/Codertocat/users-service.git"
    assert (event.sender, event.delivery, event.provider, event.source) == ("Codertocat", "d-1", "github", "push")
    assert event.number is None and event.action is None


def test_github_push_to_the_default_branch_is_git_merge() -> None:
    event = _event(normalize_github("push", github_push(ref="refs/heads/trunk", default_branch="trunk"), "d"))
    assert event.name == "git.merge"
    assert event.default_branch == "trunk"


def test_github_push_creating_a_branch_has_no_base_sha() -> None:
    assert _event(normalize_github("push", github_push(before=ZERO_SHA), "d")).base_sha is None


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (github_push(ref="refs/tags/v1.0.0"), "push.tag"),
        (github_push(after=ZERO_SHA, deleted=True), "push.deleted"),
    ],
)
def test_github_push_of_a_tag_or_a_deletion_is_ignored(payload: dict, reason: str) -> None:
    assert normalize_github("push", payload, "d") == Ignored(reason=reason)


@pytest.mark.parametrize("action", ["opened", "reopened", "synchronize"])
def test_github_pull_request_update_is_git_pull_request(action: str) -> None:
    event = _event(normalize_github("pull_request", github_pull_request(action=action, number=7), "d"))
    assert event.name == "git.pull_request"
    assert (event.ref, event.sha) == ("refs/heads/feature/login", SHA_AFTER)
    assert (event.base_ref, event.base_sha) == ("refs/heads/main", SHA_BASE)
    assert (event.number, event.action, event.source) == (7, action, "pull_request")


def test_github_pull_request_closed_as_merged_is_git_merge_on_the_base_branch() -> None:
    event = _event(normalize_github("pull_request", github_pull_request(action="closed", merged=True), "d"))
    assert event.name == "git.merge"
    assert (event.ref, event.sha, event.base_sha) == ("refs/heads/main", SHA_MERGE, SHA_BASE)


@pytest.mark.parametrize("action", ["closed", "edited", "labeled", "assigned"])
def test_github_pull_request_closed_unmerged_or_edited_is_ignored(action: str) -> None:
    result = normalize_github("pull_request", github_pull_request(action=action, merged=False), "d")
    assert result == Ignored(reason=f"pull_request.{action}")


@pytest.mark.parametrize("event_type", ["issues", "release", "workflow_run", ""])
def test_github_unhandled_event_type_is_ignored(event_type: str) -> None:
    assert isinstance(normalize_github(event_type, {}, "d"), Ignored)


@pytest.mark.parametrize("path", ["ref", "after", "repository.owner.login", "repository.clone_url"])
def test_github_push_missing_a_field_names_it(path: str) -> None:
    with pytest.raises(PayloadError, match=path):
        normalize_github("push", without(github_push(), path), "d")


def test_github_pull_request_missing_head_sha_names_it() -> None:
    with pytest.raises(PayloadError, match=r"head\.sha"):
        normalize_github("pull_request", without(github_pull_request(), "pull_request.head.sha"), "d")


def test_gitlab_push_to_a_feature_branch_is_git_push() -> None:
    event = _event(normalize_gitlab("Push Hook", gitlab_push(namespace="acme/platform"), "u-1"))
    assert event.name == "git.push"
    assert event.resource_id == "git.repo.acme.platform.users-service"
    assert (event.ref, event.sha, event.base_sha) == ("refs/heads/feature/login", SHA_AFTER, SHA_BEFORE)
    assert event.repo_url == "http://example.com/acme/platform/users-service.git"
    assert (event.sender, event.provider) == ("jsmith", "gitlab")


def test_gitlab_push_to_the_default_branch_is_git_merge() -> None:
    assert _event(normalize_gitlab("Push Hook", gitlab_push(ref="refs/heads/main"), "u")).name == "git.merge"


def test_gitlab_push_deleting_a_branch_is_ignored() -> None:
    assert normalize_gitlab("Push Hook", gitlab_push(after=ZERO_SHA), "u") == Ignored(reason="push.deleted")


@pytest.mark.parametrize(("action", "oldrev"), [("open", None), ("reopen", None), ("update", SHA_BEFORE)])
def test_gitlab_merge_request_with_new_commits_is_git_pull_request(action: str, oldrev: str | None) -> None:
    event = _event(normalize_gitlab("Merge Request Hook", gitlab_merge_request(action=action, oldrev=oldrev), "u"))
    assert event.name == "git.pull_request"
    assert (event.ref, event.sha, event.base_ref) == ("refs/heads/feature/login", SHA_AFTER, "refs/heads/main")
    assert (event.number, event.action, event.sender) == (1, action, "root")
    assert event.resource_id == "git.repo.gitlabhq.users-service"


def test_gitlab_merge_request_merged_is_git_merge() -> None:
    payload = gitlab_merge_request(action="merge", merge_commit_sha=SHA_MERGE)
    event = _event(normalize_gitlab("Merge Request Hook", payload, "u"))
    assert (event.name, event.ref, event.sha) == ("git.merge", "refs/heads/main", SHA_MERGE)


@pytest.mark.parametrize(("action", "oldrev"), [("close", None), ("update", None), ("approved", None)])
def test_gitlab_merge_request_closed_or_edited_is_ignored(action: str, oldrev: str | None) -> None:
    result = normalize_gitlab("Merge Request Hook", gitlab_merge_request(action=action, oldrev=oldrev), "u")
    assert result == Ignored(reason=f"merge_request.{action}")


@pytest.mark.parametrize("event_type", ["Tag Push Hook", "Issue Hook", "Pipeline Hook"])
def test_gitlab_unhandled_event_type_is_ignored(event_type: str) -> None:
    assert normalize_gitlab(event_type, gitlab_push(), "u") == Ignored(reason=event_type)


def test_gitlab_project_without_namespace_is_refused() -> None:
    payload = gitlab_push()
    payload["project"]["path_with_namespace"] = "users-service"
    with pytest.raises(PayloadError, match="namespace"):
        normalize_gitlab("Push Hook", payload, "u")


def test_payload_carries_everything_a_trigger_templates() -> None:
    payload = _event(normalize_github("pull_request", github_pull_request(), "d-9")).payload()
    assert {"repo_url", "ref", "sha", "base_sha", "sender", "delivery", "provider", "number", "action"} <= set(payload)
    assert "name" not in payload
