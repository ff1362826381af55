"""`[git_host]` in qeflow.toml: where commit statuses go and how.

The token itself is never in the config: `token_env` names the environment variable that
holds it, and the variable is read only when a status is posted.
"""

from __future__ import annotations

import enum
import re
import string

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

__all__ = [
    "DEFAULT_API_URLS",
    "DEFAULT_TOKEN_ENVS",
    "TARGET_URL_FIELDS",
    "GitHostProvider",
    "GitHostSettings",
    "looks_like_token",
]

# Kept equal to tasks.config.PHASES by a test; importing tasks.config here would be circular
# (tasks.config composes GitHostSettings into Config).
_PHASES = ("commit", "build", "integration", "staging", "production")


class GitHostProvider(enum.StrEnum):
    GITHUB = "github"
    GITLAB = "gitlab"
    NONE = "none"


DEFAULT_API_URLS: dict[GitHostProvider, str] = {
    GitHostProvider.GITHUB: "https://api.github.com",
    GitHostProvider.GITLAB: "https://gitlab.com/api/v4",
}
DEFAULT_TOKEN_ENVS: dict[GitHostProvider, str] = {
    GitHostProvider.GITHUB: "GITHUB_TOKEN",
    GitHostProvider.GITLAB: "GITLAB_TOKEN",
}
# Placeholders of `target_url`; each is filled by the StatusReporter for the current run.
TARGET_URL_FIELDS: dict[str, str] = {
    "ui": "PREFECT_UI_URL (the Prefect UI), without a trailing slash",
    "flow_run_id": "the pipeline's Prefect flow run id",
    "run_id": "the qeflow run id",
    "run_dir": "the run directory (path or fsspec URL)",
    "report": "report.html of the run, as a URL (file:// for a local store)",
    "phase": "the phase the status is about",
    "sha": "the commit sha",
    "service": "the service name",
}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Prefixes of GitHub and GitLab tokens: a value that starts like this is a token, not a name.
_TOKEN_PREFIXES = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "gldt-", "glptt-")
_GITHUB_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


def looks_like_token(value: str) -> bool:
    return value.startswith(_TOKEN_PREFIXES)


class GitHostSettings(BaseModel):
    """Commit statuses on the git host: what "block merge" means for the commit and build gates."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    provider: GitHostProvider = Field(
        default=GitHostProvider.NONE,
        description='"github" (statuses API), "gitlab" (commit status API) or "none" (statuses are '
        "only recorded in the evidence).",
    )
    api_url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="API root; default https://api.github.com or https://gitlab.com/api/v4 "
        "(set it for GitHub Enterprise or a self-managed GitLab).",
    )
    repository: str | None = Field(
        default=None,
        min_length=1,
        description='GitHub: "owner/name"; GitLab: the project id or its path ("group/name", '
        "encoded for the URL by qeflow; an already encoded path is kept).",
    )
    token_env: str | None = Field(
        default=None,
        description="NAME of the environment variable holding the token (default GITHUB_TOKEN or "
        "GITLAB_TOKEN); the token itself never goes in the config.",
    )
    context_prefix: str = Field(
        default="qeflow",
        min_length=1,
        max_length=100,
        description='Status context (GitLab: name) is "<context_prefix>/<phase>".',
    )
    target_url: str | None = Field(
        default=None,
        description="Link of the status; placeholders: "
        + ", ".join(f"{{{k}}}" for k in TARGET_URL_FIELDS)
        + ". Default: {ui}/runs/flow-run/{flow_run_id} when PREFECT_UI_URL is set, else {report}. "
        "Only http(s) links are sent to the host; others are kept in the evidence record.",
    )
    phases: list[str] = Field(
        default_factory=lambda: ["commit", "build"],
        description="Phases whose start and end post a status (the merge gates by default).",
    )
    timeout_s: float = Field(default=10.0, gt=0, le=120, description="Timeout of one HTTP request.")
    retries: int = Field(
        default=2, ge=0, le=5, description="Extra attempts after a 5xx answer or a connection error (never on 4xx)."
    )
    backoff_s: float = Field(
        default=0.5, ge=0, le=30, description="Wait before the first retry; doubles for each further one."
    )

    @field_validator("token_env")
    @classmethod
    def _a_variable_name(cls, value: str | None) -> str | None:
        if value is None:
            return value
        # Never echo the value in the message: it may be a pasted token.
        if looks_like_token(value):
            raise ValueError(
                "token_env looks like a token itself: put the token in an environment variable and "
                "give that variable's name here (e.g. GITHUB_TOKEN); then revoke the exposed token"
            )
        if not _ENV_NAME.match(value):
            raise ValueError("token_env: an environment variable name (letters, digits, _), e.g. GITHUB_TOKEN")
        return value

    @field_validator("target_url")
    @classmethod
    def _known_placeholders(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            names = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
        except ValueError as exc:
            raise ValueError(
                f"target_url: not a valid template ({exc}); write a literal brace as {{{{ or }}}}"
            ) from exc
        unknown = sorted({n for n in names if n not in TARGET_URL_FIELDS})
        if unknown:
            raise ValueError(
                "target_url: unknown placeholder(s) "
                + ", ".join(f"{{{n}}}" for n in unknown)
                + "; valid: "
                + ", ".join(f"{{{k}}}" for k in TARGET_URL_FIELDS)
            )
        return value

    @field_validator("phases")
    @classmethod
    def _known_phases(cls, value: list[str]) -> list[str]:
        unknown = [p for p in value if p not in _PHASES]
        if unknown:
            raise ValueError(f"phases: unknown phase(s) {', '.join(unknown)}; valid: {', '.join(_PHASES)}")
        return value

    @model_validator(mode="after")
    def _repository_for_provider(self) -> GitHostSettings:
        if self.provider is GitHostProvider.NONE:
            return self
        if not self.repository:
            example = '"owner/name"' if self.provider is GitHostProvider.GITHUB else 'a project id or "group/name"'
            raise ValueError(f'repository: required when provider = "{self.provider.value}": {example}')
        if self.provider is GitHostProvider.GITHUB and not _GITHUB_REPO.match(self.repository):
            raise ValueError(f'repository: "owner/name" for GitHub (found {self.repository!r})')
        return self

    @property
    def enabled(self) -> bool:
        return self.provider is not GitHostProvider.NONE

    @property
    def effective_api_url(self) -> str:
        if self.api_url:
            return self.api_url.rstrip("/")
        return DEFAULT_API_URLS.get(self.provider, "")

    @property
    def effective_token_env(self) -> str:
        return self.token_env or DEFAULT_TOKEN_ENVS.get(self.provider, "")
