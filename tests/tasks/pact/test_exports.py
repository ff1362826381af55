"""The package re-exports the public names of its modules, and each module lists what it exports."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import tasks.pact as package

MODULES = ["agent", "broker", "matrix", "pactfile", "results", "states"]


@pytest.mark.parametrize("name", MODULES)
def test_module_exports_exist_and_are_re_exported(name: str) -> None:
    module = importlib.import_module(f"tasks.pact.{name}")
    for export in module.__all__:
        assert hasattr(module, export), f"{module.__name__}.__all__ names missing {export}"
        assert export in package.__all__, f"tasks.pact does not re-export {export}"
        assert getattr(package, export) is getattr(module, export)


def test_package_all_is_complete() -> None:
    assert len(set(package.__all__)) == len(package.__all__)
    for export in package.__all__:
        assert hasattr(package, export)


def test_the_worker_needs_only_the_standard_library_and_pact() -> None:
    source = importlib.import_module("tasks.pact._worker").__file__
    assert source is not None
    text = Path(source).read_text(encoding="utf-8")
    assert "from tasks" not in text and "import tasks" not in text  # it runs by path, in a child
