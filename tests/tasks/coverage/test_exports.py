"""The package re-exports the public names of its modules, and each module lists what it exports."""

from __future__ import annotations

import importlib

import pytest

import tasks.coverage as package

MODULES = ["agent", "branches", "merge"]


@pytest.mark.parametrize("name", MODULES)
def test_module_exports_exist_and_are_re_exported(name: str) -> None:
    module = importlib.import_module(f"tasks.coverage.{name}")
    for export in module.__all__:
        assert hasattr(module, export), f"{module.__name__}.__all__ names missing {export}"
        assert export in package.__all__, f"tasks.coverage does not re-export {export}"
        assert getattr(package, export) is getattr(module, export)


def test_package_all_is_complete() -> None:
    assert len(set(package.__all__)) == len(package.__all__)
    for export in package.__all__:
        assert hasattr(package, export)
