"""Git-host clients: one `post_status` for GitHub's statuses API and GitLab's commit status API.

    GitHub  POST {api}/repos/{owner}/{repo}/statuses/{sha}
            {"state": pending|success|failure|error, "target_url", "description", "context"}
            Authorization: Bearer <token>, Accept: application/vnd.github+json,
            X-GitHub-Api-Version: 2022-11-28                            -> 201 + the status
    GitLab  POST {api}/projects/{id}/statuses/{sha}
            {"state": pending|running|success|failed|canceled, "name", "target_url", "description"}
            PRIVATE-TOKEN: <token>                                      -> 201 + the status

States are given in GitHub's vocabulary (pending, success, failure, error); the GitLab client maps
them (`GITLAB_STATES`). Posting never raises: every outcome, including a missing token, a 4xx
answer or a dead host, is a `PostedStatus` with `posted` false and an error message. 5xx answers
and connection errors are retried with backoff; 4xx answers are not. The token is read from the
environment at post time and scrubbed from every message; it is never part of a record.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Literal
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field

from tasks.commit_status.settings import GitHostProvider, GitHostSettings, looks_like_token

__all__ = [
    "DESCRIPTION_MAX",
    "GITLAB_STATES",
    "STATES",
    "GitHostClient",
    "GitHubClient",
    "GitLabClient",
    "PostedStatus",
    "State",
    "make_client",
    "truncate_description",
]

State = Literal["pending", "success", "failure", "error"]
STATES: tuple[str, ...] = ("pending", "success", "failure", "error")
GITLAB_STATES: dict[str, str] = {"pending": "running", "success": "success", "failure": "failed", "error": "failed"}
DESCRIPTION_MAX = 140  # GitHub's limit; GitLab's is larger, one limit keeps both records alike
_SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_ERROR_TEXT_MAX = 300


def truncate_description(text: str, limit: int = DESCRIPTION_MAX) -> str:
    """One line of at most `limit` characters; a cut one ends with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _scrub(text: str, token: str | None) -> str:
    if token:
        text = text.replace(token, "***")
    return text if len(text) <= _ERROR_TEXT_MAX else text[: _ERROR_TEXT_MAX - 3] + "..."


def _is_http(url: str | None) -> bool:
    return bool(url) and url.lower().startswith(("http://", "https://"))  # type: ignore[union-attr]


class PostedStatus(BaseModel):
    """What was sent for one status, and what came of it (the evidence record's core)."""

    model_config = ConfigDict(frozen=True)

    provider: str
    sha: str
    phase: str
    context: str
    state: str = Field(description="qeflow's state: pending, success, failure or error.")
    host_state: str = Field(description="The state as the host names it (GitLab: running, failed, ...).")
    description: str
    target_url: str | None = Field(description="The run's link (sent only when it is http(s)).")
    target_url_sent: bool
    method: str = "POST"
    url: str = Field(description="Request URL; never carries the token.")
    body: dict[str, Any] = Field(description="The JSON body sent.")
    posted: bool
    http_status: int | None = None
    attempts: int = 0
    error: str | None = None
    response: dict[str, Any] = Field(default_factory=dict, description="id and state of the status the host made.")

    @property
    def ok(self) -> bool:
        return self.posted

    def to_record(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class GitHostClient:
    """Posts commit statuses to one repository. Subclasses give the request shape and auth."""

    provider: ClassVar[GitHostProvider]

    def __init__(
        self,
        settings: GitHostSettings,
        *,
        env: Mapping[str, str],
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.env = env
        self.http = http
        self.sleep = sleep

    # --- per host ---------------------------------------------------------------------------
    def host_state(self, state: str) -> str:
        return state

    def request(
        self, sha: str, context: str, state: str, description: str, target_url: str | None
    ) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def headers(self, token: str) -> dict[str, str]:
        raise NotImplementedError

    # --- shared -----------------------------------------------------------------------------
    def context(self, phase: str) -> str:
        return f"{self.settings.context_prefix}/{phase}"

    def post_status(
        self, sha: str, phase: str, state: str, description: str, target_url: str | None = None
    ) -> PostedStatus:
        """Post one status; never raises. `state` is pending, success, failure or error."""
        context = self.context(phase)
        description = truncate_description(description)
        send_url = target_url if _is_http(target_url) else None
        host_state = self.host_state(state) if state in STATES else state
        url, body = self.request(sha, context, host_state, description, send_url)
        base = {
            "provider": self.provider.value,
            "sha": sha,
            "phase": phase,
            "context": context,
            "state": state,
            "host_state": host_state,
            "description": description,
            "target_url": target_url,
            "target_url_sent": send_url is not None,
            "url": url,
            "body": body,
        }
        if state not in STATES:
            return PostedStatus(**base, posted=False, error=f"state {state!r}: one of {', '.join(STATES)}")
        if not _SHA.match(sha):
            return PostedStatus(
                **base, posted=False, error=f"sha {sha!r}: a full commit sha (40 or 64 lowercase hex digits)"
            )
        name = self.settings.effective_token_env
        if looks_like_token(name):  # settings reject this; a hand-built object might not
            return PostedStatus(**base, posted=False, error="[git_host] token_env holds a token, not a variable name")
        token = self.env.get(name, "")
        if not token:
            return PostedStatus(
                **base,
                posted=False,
                error=f"no token: environment variable {name} is not set or empty; export the "
                f"{self.provider.value} token in {name}, or name another variable in [git_host] token_env",
            )
        return self._send(base, url, body, token)

    def _send(self, base: dict[str, Any], url: str, body: dict[str, Any], token: str) -> PostedStatus:
        attempts = 0
        last_status: int | None = None
        error = "not sent"
        client = self.http or httpx.Client(timeout=self.settings.timeout_s, follow_redirects=False)
        try:
            for attempt in range(self.settings.retries + 1):
                if attempt:
                    self.sleep(self.settings.backoff_s * 2 ** (attempt - 1))
                attempts += 1
                try:
                    response = client.post(url, json=body, headers=self.headers(token), timeout=self.settings.timeout_s)
                except httpx.TransportError as exc:  # connection refused, timeouts, protocol errors: retried
                    last_status = None
                    error = _scrub(f"{type(exc).__name__}: {exc}", token)
                    continue
                except (httpx.HTTPError, httpx.InvalidURL) as exc:  # a bad api_url and the like: not retried
                    error = _scrub(f"{type(exc).__name__}: {exc}", token)
                    break
                last_status = response.status_code
                if response.is_success:
                    return PostedStatus(
                        **base, posted=True, http_status=last_status, attempts=attempts, response=_summary(response)
                    )
                error = _scrub(f"HTTP {last_status}: {_message(response)}", token)
                if response.status_code < 500:
                    break  # 4xx: the request is wrong (token, repository, sha); repeating won't help
        finally:
            if self.http is None:
                client.close()
        return PostedStatus(**base, posted=False, http_status=last_status, attempts=attempts, error=error)


def _summary(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: data[k] for k in ("id", "state", "status", "context", "name") if k in data}


def _message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text.strip() or response.reason_phrase
    if isinstance(data, dict):
        for key in ("message", "error", "error_description"):
            if key in data:
                return str(data[key])
    return str(data)


class GitHubClient(GitHostClient):
    provider = GitHostProvider.GITHUB

    def request(
        self, sha: str, context: str, state: str, description: str, target_url: str | None
    ) -> tuple[str, dict[str, Any]]:
        owner, _, name = (self.settings.repository or "").partition("/")
        url = f"{self.settings.effective_api_url}/repos/{quote(owner, safe='')}/{quote(name, safe='')}/statuses/{sha}"
        body: dict[str, Any] = {"state": state, "description": description, "context": context}
        if target_url:
            body["target_url"] = target_url
        return url, body

    def headers(self, token: str) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }


class GitLabClient(GitHostClient):
    provider = GitHostProvider.GITLAB

    def host_state(self, state: str) -> str:
        return GITLAB_STATES[state]

    def request(
        self, sha: str, context: str, state: str, description: str, target_url: str | None
    ) -> tuple[str, dict[str, Any]]:
        project = self.settings.repository or ""
        if not project.isdigit() and "%" not in project:
            project = quote(project, safe="")  # "group/name" -> "group%2Fname"
        url = f"{self.settings.effective_api_url}/projects/{project}/statuses/{sha}"
        body: dict[str, Any] = {"state": state, "name": context, "description": description}
        if target_url:
            body["target_url"] = target_url
        return url, body

    def headers(self, token: str) -> dict[str, str]:
        return {"PRIVATE-TOKEN": token, "Accept": "application/json"}


_CLIENTS: dict[GitHostProvider, type[GitHostClient]] = {
    GitHostProvider.GITHUB: GitHubClient,
    GitHostProvider.GITLAB: GitLabClient,
}


def make_client(
    settings: GitHostSettings,
    *,
    env: Mapping[str, str],
    http: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> GitHostClient | None:
    """The client for `settings.provider`, or None when statuses are only recorded (provider none)."""
    cls = _CLIENTS.get(settings.provider)
    return None if cls is None else cls(settings, env=env, http=http, sleep=sleep)
