"""Commit statuses on the git host: what "block merge" means for the commit and build gates.

    settings.py  GitHostSettings, the `[git_host]` table of qeflow.toml
    client.py    GitHubClient / GitLabClient: post_status(sha, phase, state, description, target_url)
                 -> PostedStatus; never raises, retries 5xx and connection errors only
    reporter.py  StatusReporter: pending(phase) at phase start, finish(phase, passed, summary) at the
                 end, each returning the `<phase>/commit-status.json` record

Not an agent: the pipeline drives it around the phases. It imports nothing above `tasks`.
"""

from tasks.commit_status.client import (
    DESCRIPTION_MAX,
    GITLAB_STATES,
    STATES,
    GitHostClient,
    GitHubClient,
    GitLabClient,
    PostedStatus,
    State,
    make_client,
    truncate_description,
)
from tasks.commit_status.reporter import StatusReporter, default_report_url
from tasks.commit_status.settings import (
    DEFAULT_API_URLS,
    DEFAULT_TOKEN_ENVS,
    TARGET_URL_FIELDS,
    GitHostProvider,
    GitHostSettings,
    looks_like_token,
)

__all__ = [
    "DEFAULT_API_URLS",
    "DEFAULT_TOKEN_ENVS",
    "DESCRIPTION_MAX",
    "GITLAB_STATES",
    "STATES",
    "TARGET_URL_FIELDS",
    "GitHostClient",
    "GitHostProvider",
    "GitHostSettings",
    "GitHubClient",
    "GitLabClient",
    "PostedStatus",
    "State",
    "StatusReporter",
    "default_report_url",
    "looks_like_token",
    "make_client",
    "truncate_description",
]
