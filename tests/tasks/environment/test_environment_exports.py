"""The package's public names: `__all__` lists exactly what it exports, and each one exists."""

from __future__ import annotations

import tasks.environment as environment


def test_all_names_are_exported() -> None:
    for name in environment.__all__:
        assert hasattr(environment, name), name


def test_all_is_sorted_and_unique() -> None:
    assert list(environment.__all__) == sorted(set(environment.__all__))
