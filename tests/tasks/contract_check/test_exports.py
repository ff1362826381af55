"""The package re-exports the public names of its modules, and each module lists what it exports."""

from __future__ import annotations

import importlib

import pytest

import tasks.contract_check as package

MODULES = [
    "agent",
    "catalogue",
    "engine",
    "graphql",
    "ignore",
    "loader",
    "model",
    "pairs",
    "render",
    "schema_pair",
    "schemas",
]
CHECK_MODULES = ["checks_constraints", "checks_io", "checks_objects", "checks_operations", "checks_schema"]


@pytest.mark.parametrize("name", MODULES)
def test_module_exports_exist_and_are_re_exported(name: str) -> None:
    module = importlib.import_module(f"tasks.contract_check.{name}")
    for export in module.__all__:
        assert hasattr(module, export), f"{module.__name__}.__all__ names missing {export}"
        assert export in package.__all__, f"tasks.contract_check does not re-export {export}"
        assert getattr(package, export) is getattr(module, export)


@pytest.mark.parametrize("name", CHECK_MODULES)
def test_check_modules_export_only_their_check_list(name: str) -> None:
    module = importlib.import_module(f"tasks.contract_check.{name}")
    assert module.__all__ == ["CHECKS"]
    assert all(c.id in package.CATALOGUE for c in module.CHECKS)


def test_package_all_is_complete_and_unique() -> None:
    assert len(set(package.__all__)) == len(package.__all__)
    for export in package.__all__:
        assert hasattr(package, export)
