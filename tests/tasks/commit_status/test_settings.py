"""`[git_host]` settings: defaults, validation, and no token ever echoed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tasks.commit_status import GitHostProvider, GitHostSettings
from tasks.commit_status.settings import _PHASES
from tasks.config import PHASES
from tests.tasks.commit_status.conftest import TOKEN


def test_defaults_record_only() -> None:
    settings = GitHostSettings()
    assert settings.provider is GitHostProvider.NONE and not settings.enabled
    assert settings.phases == ["commit", "build"] and settings.context_prefix == "qeflow"
    assert settings.retries == 2 and settings.timeout_s == 10


@pytest.mark.parametrize(
    ("provider", "api", "token_env"),
    [("github", "https://api.github.com", "GITHUB_TOKEN"), ("gitlab", "https://gitlab.com/api/v4", "GITLAB_TOKEN")],
)
def test_provider_defaults(provider: str, api: str, token_env: str) -> None:
    settings = GitHostSettings(provider=provider, repository="acme/svc")
    assert settings.enabled and settings.effective_api_url == api and settings.effective_token_env == token_env


def test_api_url_trailing_slash_is_dropped() -> None:
    settings = GitHostSettings(provider="github", repository="a/b", api_url="https://ghe.example/api/v3/")
    assert settings.effective_api_url == "https://ghe.example/api/v3"


@pytest.mark.parametrize(
    ("table", "says"),
    [
        ({"provider": "github"}, 'required when provider = "github"'),
        ({"provider": "gitlab"}, 'required when provider = "gitlab"'),
        ({"provider": "github", "repository": "just-a-name"}, '"owner/name" for GitHub'),
        ({"provider": "bitbucket"}, "'github', 'gitlab' or 'none'"),
        ({"api_url": "ftp://host"}, "https?://"),
        ({"token_env": "MY TOKEN"}, "an environment variable name"),
        ({"target_url": "https://ci/{nope}"}, "unknown placeholder(s) {nope}; valid: {ui}"),
        ({"target_url": "https://ci/{"}, "not a valid template"),
        ({"phases": ["commit", "deploy"]}, "unknown phase(s) deploy; valid: commit, build"),
        ({"retries": 9}, "less than or equal to 5"),
        ({"timeout_s": 0}, "greater than 0"),
        ({"token": "x"}, "Extra inputs are not permitted"),
    ],
)
def test_bad_values_are_refused_with_the_valid_ones(table: dict[str, object], says: str) -> None:
    with pytest.raises(ValidationError) as info:
        GitHostSettings.model_validate(table)
    assert says in str(info.value)


@pytest.mark.parametrize("pasted", [TOKEN, "github_pat_11ABCDEFG0123456789", "glpat-abcdefghijklmnop"])
def test_a_token_pasted_as_token_env_is_refused_without_echoing_it(pasted: str) -> None:
    with pytest.raises(ValidationError) as info:
        GitHostSettings(provider="github", repository="a/b", token_env=pasted)
    errors = info.value.errors(include_input=False)
    assert "looks like a token itself" in errors[0]["msg"]
    assert pasted not in errors[0]["msg"]


def test_phase_names_match_the_pipeline() -> None:
    assert _PHASES == PHASES
