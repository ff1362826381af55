"""Imports point one way: deployments -> flows -> gates -> tasks (DESIGN.md, Layout)."""

from __future__ import annotations

import subprocess
import sys

import pytest

LAYERS = ["tasks", "gates", "flows", "deployments"]
MODULES = {
    "tasks": [
        "tasks",
        "tasks.runner",
        "tasks.environment",
        "tasks.unit_tests",
        "tasks.integration_tests",
        "tasks.contract_check",
        "tasks.static_analysis",
        "tasks.api_tests",
        "tasks.coverage",
        "tasks.pact",
        "tasks.test_data",
        "tasks.commit_status",
    ],
    "gates": ["gates"],
    "flows": ["flows.pipeline", "flows.report"],
    "deployments": ["deployments.cli", "deployments.webhooks"],
}


@pytest.mark.parametrize("layer", LAYERS)
def test_a_layer_never_imports_a_higher_one(layer: str) -> None:
    higher = LAYERS[LAYERS.index(layer) + 1 :]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in MODULES[layer])
        + f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(higher)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]", f"{layer} imports {out.strip()}"


@pytest.mark.parametrize("package", ["gates", "tasks.environment", "tasks.unit_tests", "flows.report"])
def test_package_exports_exist(package: str) -> None:
    module = __import__(package, fromlist=["__all__"])
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []
