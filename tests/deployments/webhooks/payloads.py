"""Webhook payloads shaped like the real ones (trimmed copies of the examples in GitHub's
"Webhook events and payloads" and GitLab's "Webhook events" docs), as factories with keyword
defaults, plus the malformed bodies the receiver must refuse, as named constants.
"""

from __future__ import annotations

import copy
from typing import Any

SHA_BEFORE = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
SHA_AFTER = "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"
SHA_BASE = "9049f1265b7d61be4a8904a9a27120d2064dab3b"
SHA_MERGE = "e4d0a3f1b2c5a6d7e8f9a0b1c2d3e4f5a6b7c8d9"
ZERO_SHA = "0" * 40

MALFORMED_JSON = b'{"ref": "refs/heads/main", '
NOT_AN_OBJECT = b'["refs/heads/main"]'
NOT_UTF8 = b"\xff\xfe{}"


def _github_repository(owner: str, name: str, default_branch: str) -> dict[str, Any]:
    return {
        "id": 186853002,
        "node_id": "MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=",
        "name": name,
        "full_name": f"{owner}/{name}",
        "private": False,
        "owner": {"login": owner, "id": 21031067, "type": "User", "site_admin": False},
        "html_url": f"https://github.com/{owner}/{name}",
        "url": f"https://api.github.com/repos/{owner}/{name}",
        "git_url": f"git://github.com/{owner}/{name}.git",
        "ssh_url": f"git@github.com:{owner}/{name}.git",
        "clone_url": f"https://github.com/{owner}/{name}.git",
        "default_branch": default_branch,
        "master_branch": default_branch,
    }


def _github_sender(login: str) -> dict[str, Any]:
    return {"login": login, "id": 21031067, "type": "User", "site_admin": False}


def github_push(
    *, owner: str = "Codertocat", name: str = "users-service", ref: str = "refs/heads/feature/login",
    default_branch: str = "main", before: str = SHA_BEFORE, after: str = SHA_AFTER, deleted: bool = False,
    sender: str = "Codertocat",
) -> dict[str, Any]:  # fmt: skip
    commit = {
        "id": after, "tree_id": "f9d2a07e9488b91af2641b26b9407fe22a451433", "distinct": True,
        "message": "Add login endpoint", "timestamp": "2024-05-15T15:20:41Z",
        "url": f"https://github.com/{owner}/{name}/commit/{after}",
        "author": {"name": "Codertocat", "email": "21031067+Codertocat@users.noreply.github.com", "username": sender},
        "committer": {"name": "GitHub", "email": "noreply@github.com", "username": "web-flow"},
        "added": ["src/login.js"], "removed": [], "modified": ["src/server.js"],
    }  # fmt: skip
    return {
        "ref": ref,
        "before": before,
        "after": after,
        "repository": _github_repository(owner, name, default_branch),
        "pusher": {"name": sender, "email": "21031067+Codertocat@users.noreply.github.com"},
        "sender": _github_sender(sender),
        "created": before == ZERO_SHA,
        "deleted": deleted,
        "forced": False,
        "base_ref": None,
        "compare": f"https://github.com/{owner}/{name}/compare/{before[:12]}...{after[:12]}",
        "commits": [] if deleted else [commit],
        "head_commit": None if deleted else commit,
    }


def github_pull_request(
    *, action: str = "opened", number: int = 2, merged: bool = False, owner: str = "Codertocat",
    name: str = "users-service", head_ref: str = "feature/login", base_ref: str = "main",
    head_sha: str = SHA_AFTER, base_sha: str = SHA_BASE, merge_commit_sha: str | None = SHA_MERGE,
    sender: str = "Codertocat",
) -> dict[str, Any]:  # fmt: skip
    repository = _github_repository(owner, name, "main")
    pull_request = {
        "url": f"https://api.github.com/repos/{owner}/{name}/pulls/{number}",
        "id": 279147437,
        "html_url": f"https://github.com/{owner}/{name}/pull/{number}",
        "number": number,
        "state": "closed" if action == "closed" else "open",
        "locked": False,
        "title": "Add login endpoint",
        "user": _github_sender(sender),
        "body": "This is a pretty simple change that we need to pull into main.",
        "created_at": "2024-05-15T15:20:33Z",
        "updated_at": "2024-05-15T15:20:33Z",
        "closed_at": "2024-05-15T16:00:00Z" if action == "closed" else None,
        "merged_at": "2024-05-15T16:00:00Z" if merged else None,
        "merge_commit_sha": merge_commit_sha,
        "draft": False,
        "head": {"label": f"{owner}:{head_ref}", "ref": head_ref, "sha": head_sha, "user": _github_sender(owner),
                 "repo": repository},
        "base": {"label": f"{owner}:{base_ref}", "ref": base_ref, "sha": base_sha, "user": _github_sender(owner),
                 "repo": repository},
        "merged": merged,
        "mergeable": None,
        "commits": 1, "additions": 12, "deletions": 1, "changed_files": 2,
    }  # fmt: skip
    return {
        "action": action,
        "number": number,
        "pull_request": pull_request,
        "repository": repository,
        "sender": _github_sender(sender),
    }


def github_ping() -> dict[str, Any]:
    return {
        "zen": "Keep it logically awesome.",
        "hook_id": 109948940,
        "hook": {"type": "Repository", "id": 109948940, "events": ["push", "pull_request"], "active": True},
        "repository": _github_repository("Codertocat", "users-service", "main"),
        "sender": _github_sender("Codertocat"),
    }


def _gitlab_project(namespace: str, name: str, default_branch: str) -> dict[str, Any]:
    return {
        "id": 15,
        "name": name,
        "description": "Users service",
        "web_url": f"http://example.com/{namespace}/{name}",
        "avatar_url": None,
        "git_ssh_url": f"git@example.com:{namespace}/{name}.git",
        "git_http_url": f"http://example.com/{namespace}/{name}.git",
        "namespace": namespace.rsplit("/", 1)[-1],
        "visibility_level": 0,
        "path_with_namespace": f"{namespace}/{name}",
        "default_branch": default_branch,
        "homepage": f"http://example.com/{namespace}/{name}",
        "url": f"git@example.com:{namespace}/{name}.git",
    }


def gitlab_push(
    *, namespace: str = "mike", name: str = "users-service", ref: str = "refs/heads/feature/login",
    default_branch: str = "main", before: str = SHA_BEFORE, after: str = SHA_AFTER, user: str = "jsmith",
) -> dict[str, Any]:  # fmt: skip
    project = _gitlab_project(namespace, name, default_branch)
    return {
        "object_kind": "push",
        "event_name": "push",
        "before": before,
        "after": after,
        "ref": ref,
        "ref_protected": True,
        "checkout_sha": None if after == ZERO_SHA else after,
        "user_id": 4,
        "user_name": "John Smith",
        "user_username": user,
        "user_email": "john@example.com",
        "project_id": 15,
        "project": project,
        "repository": {"name": name, "url": project["url"], "homepage": project["homepage"],
                       "git_http_url": project["git_http_url"], "git_ssh_url": project["git_ssh_url"]},
        "commits": [] if after == ZERO_SHA else [{
            "id": after, "message": "Add login endpoint", "title": "Add login endpoint",
            "timestamp": "2024-05-15T15:20:41+02:00", "url": f"{project['web_url']}/-/commit/{after}",
            "author": {"name": "John Smith", "email": "john@example.com"},
            "added": ["src/login.js"], "modified": ["src/server.js"], "removed": [],
        }],
        "total_commits_count": 0 if after == ZERO_SHA else 1,
    }  # fmt: skip


def gitlab_merge_request(
    *, action: str = "open", iid: int = 1, namespace: str = "gitlabhq", name: str = "users-service",
    source_branch: str = "feature/login", target_branch: str = "main", last_commit: str = SHA_AFTER,
    merge_commit_sha: str | None = None, oldrev: str | None = None, user: str = "root",
) -> dict[str, Any]:  # fmt: skip
    project = _gitlab_project(namespace, name, "main")
    state = {"merge": "merged", "close": "closed"}.get(action, "opened")
    attributes: dict[str, Any] = {
        "id": 99, "iid": iid, "target_branch": target_branch, "source_branch": source_branch,
        "source_project_id": 14, "target_project_id": 14, "author_id": 51, "title": "Add login endpoint",
        "created_at": "2024-05-15 15:20:33 UTC", "updated_at": "2024-05-15 15:20:33 UTC",
        "state": state, "merge_status": "unchecked", "detailed_merge_status": "not_open",
        "merge_commit_sha": merge_commit_sha, "url": f"{project['web_url']}/-/merge_requests/{iid}",
        "source": project, "target": project,
        "last_commit": {"id": last_commit, "message": "Add login endpoint", "title": "Add login endpoint",
                        "timestamp": "2024-05-15T15:20:41+02:00",
                        "url": f"{project['web_url']}/-/commit/{last_commit}",
                        "author": {"name": "GitLab dev user", "email": "gitlabdev@dv6700.(none)"}},
        "work_in_progress": False, "draft": False, "action": action,
    }  # fmt: skip
    if oldrev is not None:
        attributes["oldrev"] = oldrev
    return {
        "object_kind": "merge_request",
        "event_type": "merge_request",
        "user": {"id": 1, "name": "Administrator", "username": user, "email": "admin@example.com"},
        "project": project,
        "repository": {"name": name, "url": project["url"], "homepage": project["homepage"]},
        "object_attributes": attributes,
        "labels": [],
        "changes": {},
    }


def without(payload: dict[str, Any], path: str) -> dict[str, Any]:
    """A deep copy of `payload` with the key at dotted `path` removed."""
    out = copy.deepcopy(payload)
    node = out
    *parents, last = path.split(".")
    for key in parents:
        node = node[key]
    del node[last]
    return out
