"""Provider states: configured fixture, conventional file, state-change URL, or a clear miss."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tasks.errors import ConfigError
from tasks.pact import StatePlan, plan_states, state_slug


@pytest.fixture
def service(tmp_path: Path) -> Path:
    states = tmp_path / "pacts" / "states"
    states.mkdir(parents=True)
    for name in ("user-1-exists.sql", "default.sql", "custom.sql"):
        (states / name).write_text("SELECT 1;\n", encoding="utf-8")
    return tmp_path


def plan(service: Path, states: list[str], **kwargs: Any) -> StatePlan:
    options = {"configured": {}, "default_state": None, "url": None, **kwargs}
    return plan_states(states, service_dir=service, pacts_dir="pacts", config_file="qeflow.toml", **options)


@pytest.mark.parametrize(
    ("name", "slug"),
    [("user 1 exists", "user-1-exists"), ("No User #42!", "no-user-42"), ("  ", "state"), ("a/b\\c", "a-b-c")],
)
def test_state_slug(name: str, slug: str) -> None:
    assert state_slug(name) == slug


def test_conventional_fixture_and_default_are_found(service: Path) -> None:
    found = plan(service, ["user 1 exists"])
    assert found.fixtures == {"user 1 exists": service / "pacts/states/user-1-exists.sql"}
    assert found.origin == {"user 1 exists": "convention"}
    assert found.default == service / "pacts/states/default.sql"
    assert found.unresolved == []


def test_configured_fixture_wins_over_the_convention(service: Path) -> None:
    found = plan(service, ["user 1 exists"], configured={"user 1 exists": "pacts/states/custom.sql"})
    assert found.fixtures["user 1 exists"] == service / "pacts/states/custom.sql"
    assert found.origin["user 1 exists"] == "config"


def test_a_state_without_fixture_falls_back_to_the_url(service: Path) -> None:
    found = plan(service, ["no user 42"], url="{base_url}/_pact/state")
    assert "no user 42" not in found.fixtures
    assert found.unresolved == []


def test_a_state_with_neither_is_unresolved(service: Path) -> None:
    assert plan(service, ["no user 42", "user 1 exists"]).unresolved == ["no user 42"]


def test_missing_configured_files_are_config_errors_listing_each(service: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        plan(service, [], configured={"a": "pacts/states/a.sql"}, default_state="pacts/states/none.sql")
    locations = [p.location for p in caught.value.problems]
    assert locations == ["agents.pact.states.a", "agents.pact.default_state"]


def test_plan_json_uses_service_relative_paths(service: Path) -> None:
    data = plan(service, ["user 1 exists"]).to_json(service)
    assert data["fixtures"]["user 1 exists"] == {"file": "pacts/states/user-1-exists.sql", "from": "convention"}
    assert data["default_state"] == "pacts/states/default.sql"
