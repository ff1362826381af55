"""GitHub and GitLab webhook payloads -> `GitEvent` (or `Ignored`). Pure functions.

Which host event becomes which Prefect event:

    GitHub                                    GitLab                                   event
    push to the default branch                Push Hook to project.default_branch      git.merge
    push to another branch                    Push Hook to another branch              git.push
    pull_request opened/reopened/synchronize  Merge Request Hook open/reopen/update*   git.pull_request
    pull_request closed with merged=true      Merge Request Hook action=merge          git.merge
    anything else (tags, branch deletion, PR closed unmerged, edited/labeled, ...)      Ignored

    * a GitLab MR update only when it brought new commits (`oldrev` present); title/label edits
      are ignored, like GitHub's `edited`.

Note: a merged pull request reaches GitHub as two deliveries (`pull_request` closed+merged and a
`push` to the default branch), both `git.merge` with the same `sha`; a trigger that must start
one run per merge should match on `payload.source` (or de-duplicate on `payload.sha`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deployments.webhooks._model import GitEvent, Ignored

__all__ = ["PayloadError", "normalize_github", "normalize_gitlab"]

_ZERO_SHA = "0" * 40
_HEADS = "refs/heads/"
_GITHUB_PR_ACTIONS = {"opened", "reopened", "synchronize"}
_GITLAB_MR_ACTIONS = {"open", "reopen", "update"}


class PayloadError(ValueError):
    """Valid JSON that lacks a field the event needs; the message names the field path."""


def _get(data: Mapping[str, Any], path: str) -> Any:
    """`data["a"]["b"]` for path "a.b"; PayloadError naming the path when a step is missing or null."""
    node: Any = data
    for key in path.split("."):
        if not isinstance(node, Mapping) or node.get(key) is None:
            raise PayloadError(f"payload has no {path!r}")
        node = node[key]
    return node


def _object(data: Mapping[str, Any], path: str) -> Mapping[str, Any]:
    node = _get(data, path)
    if not isinstance(node, Mapping):
        raise PayloadError(f"payload's {path!r} is not an object")
    return node


def _opt(data: Mapping[str, Any], path: str) -> Any:
    try:
        return _get(data, path)
    except PayloadError:
        return None


def _branch_ref(branch: str) -> str:
    return branch if branch.startswith("refs/") else f"{_HEADS}{branch}"


# --- GitHub ---------------------------------------------------------------------------------------


def _github_repo(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "owner": str(_get(payload, "repository.owner.login")),
        "repo": str(_get(payload, "repository.name")),
        "repo_url": str(_get(payload, "repository.clone_url")),
        "default_branch": _opt(payload, "repository.default_branch"),
        "sender": _opt(payload, "sender.login"),
    }


def normalize_github(event_type: str, payload: Mapping[str, Any], delivery: str) -> GitEvent | Ignored:
    """One GitHub delivery (`X-GitHub-Event`, parsed body, `X-GitHub-Delivery`) -> GitEvent | Ignored."""
    if event_type == "push":
        return _github_push(payload, delivery)
    if event_type == "pull_request":
        return _github_pull_request(payload, delivery)
    return Ignored(reason=event_type or "(no event type)")


def _github_push(payload: Mapping[str, Any], delivery: str) -> GitEvent | Ignored:
    ref = str(_get(payload, "ref"))
    if not ref.startswith(_HEADS):
        return Ignored(reason="push.tag")
    after = str(_get(payload, "after"))
    if payload.get("deleted") or after == _ZERO_SHA:
        return Ignored(reason="push.deleted")
    repo = _github_repo(payload)
    before = payload.get("before")
    on_default = repo["default_branch"] is not None and ref == _branch_ref(repo["default_branch"])
    return GitEvent(
        name="git.merge" if on_default else "git.push", provider="github", delivery=delivery, **repo,
        ref=ref, sha=after, base_sha=None if before in (None, _ZERO_SHA) else str(before), source="push",
    )  # fmt: skip


def _github_pull_request(payload: Mapping[str, Any], delivery: str) -> GitEvent | Ignored:
    action = str(_get(payload, "action"))
    pr = _object(payload, "pull_request")
    merged = action == "closed" and bool(pr.get("merged"))
    if action not in _GITHUB_PR_ACTIONS and not merged:
        return Ignored(reason=f"pull_request.{action}")
    repo = _github_repo(payload)
    base_ref = _branch_ref(str(_get(pr, "base.ref")))
    common = {
        "provider": "github", "delivery": delivery, **repo, "base_sha": str(_get(pr, "base.sha")),
        "base_ref": base_ref, "number": int(_get(payload, "number")), "action": action, "source": "pull_request",
    }  # fmt: skip
    if merged:  # the change now lives on the base branch: build what was merged there
        sha = pr.get("merge_commit_sha") or _get(pr, "head.sha")
        return GitEvent(name="git.merge", ref=base_ref, sha=str(sha), **common)
    return GitEvent(name="git.pull_request", ref=_branch_ref(str(_get(pr, "head.ref"))), sha=str(_get(pr, "head.sha")),
                    **common)  # fmt: skip


# --- GitLab ---------------------------------------------------------------------------------------


def _gitlab_repo(payload: Mapping[str, Any], sender_path: str) -> dict[str, Any]:
    path = str(_get(payload, "project.path_with_namespace"))
    namespace, _, name = path.rpartition("/")
    if not namespace:
        raise PayloadError(f"project.path_with_namespace {path!r} has no namespace")
    return {
        "owner": namespace.replace("/", "."),
        "repo": name,
        "repo_url": str(_get(payload, "project.git_http_url")),
        "default_branch": _opt(payload, "project.default_branch"),
        "sender": _opt(payload, sender_path),
    }


def normalize_gitlab(event_type: str, payload: Mapping[str, Any], delivery: str) -> GitEvent | Ignored:
    """One GitLab delivery (`X-Gitlab-Event`, parsed body, delivery id) -> GitEvent | Ignored."""
    if event_type == "Push Hook":
        return _gitlab_push(payload, delivery)
    if event_type == "Merge Request Hook":
        return _gitlab_merge_request(payload, delivery)
    return Ignored(reason=event_type or "(no event type)")


def _gitlab_push(payload: Mapping[str, Any], delivery: str) -> GitEvent | Ignored:
    ref = str(_get(payload, "ref"))
    after = str(_get(payload, "after"))
    if after == _ZERO_SHA:  # branch deleted
        return Ignored(reason="push.deleted")
    repo = _gitlab_repo(payload, "user_username")
    before = payload.get("before")
    on_default = repo["default_branch"] is not None and ref == _branch_ref(repo["default_branch"])
    return GitEvent(
        name="git.merge" if on_default else "git.push", provider="gitlab", delivery=delivery, **repo,
        ref=_branch_ref(ref), sha=after, base_sha=None if before in (None, _ZERO_SHA) else str(before),
        source="push",
    )  # fmt: skip


def _gitlab_merge_request(payload: Mapping[str, Any], delivery: str) -> GitEvent | Ignored:
    attrs = _object(payload, "object_attributes")
    action = str(attrs.get("action") or "")
    if action == "update" and not attrs.get("oldrev"):
        return Ignored(reason="merge_request.update")  # no new commits: a title, label or reviewer change
    if action not in _GITLAB_MR_ACTIONS and action != "merge":
        return Ignored(reason=f"merge_request.{action or 'unknown'}")
    repo = _gitlab_repo(payload, "user.username")
    base_ref = _branch_ref(str(_get(attrs, "target_branch")))
    common = {
        "provider": "gitlab", "delivery": delivery, **repo, "base_ref": base_ref,
        "number": int(_get(attrs, "iid")), "action": action, "source": "pull_request",
    }  # fmt: skip
    head = str(_get(attrs, "last_commit.id"))
    if action == "merge":
        return GitEvent(name="git.merge", ref=base_ref, sha=str(attrs.get("merge_commit_sha") or head), **common)
    return GitEvent(name="git.pull_request", ref=_branch_ref(str(_get(attrs, "source_branch"))), sha=head, **common)
