"""In-process flow tests: one Prefect test harness per session, tiny services in temp git repos."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=90):
        yield


@pytest.fixture
def tiny_service(tmp_path: Path) -> Callable[[str], Path]:
    """A git repository whose qeflow.toml is `toml`; rewritten and recommitted on each call."""
    root = tmp_path / "tiny"

    def make(toml: str) -> Path:
        if not root.exists():
            root.mkdir()
            subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
        (root / "qeflow.toml").write_text(toml, encoding="utf-8")
        (root / "app.py").write_text("print('tiny')\n", encoding="utf-8")
        subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
        subprocess.run(["git", "-C", str(root), "commit", "-q", "--allow-empty", "-m", "change"], check=True)
        return root

    return make
