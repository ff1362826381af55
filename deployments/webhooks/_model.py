"""The one shape every git host's webhook is normalised into, and what is ignored instead.

`GitEvent` is what the receiver turns into a Prefect event; `Ignored` says why a delivery
starts nothing. Both are plain data: no I/O, no Prefect.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["EVENT_NAMES", "EventName", "GitEvent", "Ignored", "Provider"]

Provider = Literal["github", "gitlab"]
EventName = Literal["git.push", "git.pull_request", "git.merge"]
EVENT_NAMES: tuple[EventName, ...] = ("git.push", "git.pull_request", "git.merge")


class GitEvent(BaseModel):
    """A push, pull/merge request or merge, the same whichever host sent it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: EventName = Field(description="Prefect event name")
    provider: Provider
    delivery: str = Field(min_length=1, description="the host's delivery id (or a hash of the body)")
    owner: str = Field(min_length=1, description="GitHub owner login; GitLab namespace path, '/' as '.'")
    repo: str = Field(min_length=1, description="repository name")
    repo_url: str = Field(min_length=1, description="clone URL (https)")
    default_branch: str | None = None
    ref: str = Field(min_length=1, description="full ref of the change: refs/heads/<branch>")
    sha: str = Field(min_length=1, description="head commit to run the pipeline on")
    base_sha: str | None = Field(default=None, description="push: `before`; PR: base sha (GitLab: unknown)")
    base_ref: str | None = Field(default=None, description="PR/MR target branch (refs/heads/<branch>)")
    sender: str | None = Field(default=None, description="login of who caused the event")
    number: int | None = Field(default=None, description="PR number / MR iid")
    action: str | None = Field(default=None, description="PR/MR action as the host names it")
    source: Literal["push", "pull_request"] = Field(description="which host event this came from")

    @property
    def resource_id(self) -> str:
        return f"git.repo.{self.owner}.{self.repo}"

    def payload(self) -> dict[str, object]:
        """The Prefect event payload (everything a deployment trigger may template into parameters)."""
        return self.model_dump(mode="json", exclude={"name"})


class Ignored(BaseModel):
    """A well-formed delivery that starts nothing; `reason` is short and safe to echo."""

    model_config = ConfigDict(frozen=True)

    reason: str
