"""Fixtures for the static-analysis tests: small services in temporary git repositories.

`service_repo(*revisions)` commits each revision (a dict path -> text, None deletes the file) on
`main` of a fresh repository whose top level is the service (with a minimal qeflow.toml), and
returns its path. `agent_context(repo, **settings)` builds a real AgentContext for head (base:
head's parent, or the empty tree for a single commit); its workspaces close at teardown.
`fake_tools` points analyzers at tests/tasks/static_analysis/fake_tool.py and returns the log of
the argv lists they were called with.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from tasks.config import load_config
from tasks.context import AgentContext
from tasks.evidence import EvidenceStore
from tasks.git import resolve_context
from tasks.static_analysis import StaticAnalysisSettings
from tasks.workspace import Workspace

DATA = Path(__file__).parent / "data"
FAKE_TOOL = Path(__file__).parent / "fake_tool.py"
QEFLOW_TOML = """\
[service]
name = "svc"
start = ["python3", "-m", "http.server"]

[database]
mode = "none"
"""
MODELS = {"static-analysis": StaticAnalysisSettings}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, stdin=subprocess.DEVNULL
    ).stdout.strip()


@pytest.fixture
def service_repo(tmp_path: Path) -> Callable[..., Path]:
    def make(*revisions: Mapping[str, str | None], name: str = "svc") -> Path:
        repo = tmp_path / name
        repo.mkdir()
        (repo / "qeflow.toml").write_text(QEFLOW_TOML, encoding="utf-8")
        git(repo, "init", "-q", "-b", "main")
        for n, files in enumerate(revisions, 1):
            for rel, text in files.items():
                path = repo / rel
                if text is None:
                    path.unlink()
                    continue
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            git(repo, "add", "-A")
            git(repo, "commit", "-q", "--allow-empty", "-m", f"revision {n}")
        return repo

    return make


@pytest.fixture
def agent_context(tmp_path: Path) -> Iterator[Callable[..., AgentContext]]:
    workspaces: list[Workspace] = []

    def make(repo: Path, **settings: object) -> AgentContext:
        config = load_config(repo / "qeflow.toml", MODELS)
        git_ctx = resolve_context(config.service_dir)
        workspace = Workspace(git_ctx.repo, git_ctx.service_path, config.service_dir, config.service.dependencies, "sa")
        workspaces.append(workspace)
        return AgentContext(
            run=EvidenceStore(tmp_path / "runs").create_run(git_ctx.head),
            phase="commit",
            agent="static-analysis",
            config=config,
            settings=StaticAnalysisSettings.model_validate(settings),
            git=git_ctx,
            workspace=workspace,
        )

    yield make
    for workspace in workspaces:
        workspace.close()


@pytest.fixture
def fake_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[dict[str, object]]]:
    """Set FAKE_TOOL_LOG; return a reader of the calls made so far."""
    log = tmp_path / "fake-tool-calls.jsonl"
    monkeypatch.setenv("FAKE_TOOL_LOG", str(log))

    def calls() -> list[dict[str, object]]:
        if not log.is_file():
            return []
        return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]

    return calls


def fake(tool: str) -> list[str]:
    """A `commands.<tool>` value that runs the fake tool."""
    return [sys.executable, str(FAKE_TOOL), tool]
