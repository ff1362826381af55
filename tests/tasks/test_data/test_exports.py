"""The package exports what it documents, and every module lists its public names."""

from __future__ import annotations

import importlib
import pkgutil

import tasks.test_data as package


def test_package_all_names_exist() -> None:
    for name in package.__all__:
        assert hasattr(package, name), name
    assert package.SPEC.name == "test-data"
    assert package.SPEC.phase == "build"
    assert {"violations", "invalid_payloads", "rows_per_s", "seed"} <= set(package.SPEC.metrics)


def test_every_module_has_an_all_whose_names_exist() -> None:
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        assert hasattr(module, "__all__"), info.name
        for name in module.__all__:
            assert hasattr(module, name), f"{info.name}.{name}"


def test_settings_reject_bad_row_counts() -> None:
    import pydantic
    import pytest

    with pytest.raises(pydantic.ValidationError, match="row counts are integers"):
        package.TestDataSettings(rows={"users": -1})
    with pytest.raises(pydantic.ValidationError, match="Extra inputs are not permitted"):
        package.TestDataSettings(rowz={"users": 1})  # type: ignore[call-arg]
