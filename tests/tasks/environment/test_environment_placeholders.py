"""Placeholders in commands and env: known ones filled, unknown ones kept, missing ones named."""

from __future__ import annotations

import pytest

from tasks.environment._placeholders import Unavailable, fill, fill_argv, fill_env

VALUES: dict[str, str | None] = {"port": "8080", "host": "127.0.0.1", "database_url": None}


def test_known_placeholders_are_filled() -> None:
    assert fill("http://{host}:{port}/x", VALUES) == "http://127.0.0.1:8080/x"


def test_unknown_braces_are_left_alone() -> None:
    assert fill_argv(['{"a": 1}', "{nope}"], VALUES) == ['{"a": 1}', "{nope}"]


def test_placeholder_without_value_is_named() -> None:
    with pytest.raises(Unavailable) as info:
        fill("{database_url}", VALUES)
    assert info.value.name == "database_url"


def test_migration_env_drops_variables_needing_missing_values() -> None:
    env = {"DB": "{database_url}", "HOST": "{host}"}
    assert fill_env(env, VALUES, drop_unavailable=True) == {"HOST": "127.0.0.1"}
    with pytest.raises(Unavailable):
        fill_env(env, VALUES)
