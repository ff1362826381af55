"""Shared fixtures. Factory fixtures live in tests/support and are loaded as plugins."""

from __future__ import annotations

import os

import pytest

pytest_plugins = ["tests.support.factories"]

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PACT_DO_NOT_TRACK", "true")


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests make commits in temporary repositories: give git an identity that is not the user's."""
    for key, value in {
        "GIT_AUTHOR_NAME": "qeflow tests",
        "GIT_AUTHOR_EMAIL": "tests@qeflow.invalid",
        "GIT_COMMITTER_NAME": "qeflow tests",
        "GIT_COMMITTER_EMAIL": "tests@qeflow.invalid",
    }.items():
        monkeypatch.setenv(key, value)
