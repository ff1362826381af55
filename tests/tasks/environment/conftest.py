"""Fixtures for the environment tests: a tiny HTTP service in a throwaway git repository.

The service is a stdlib `http.server` script, committed in four revisions:
`good` (v1), `good2` (v2), `crash` (exits at once) and `sick` (health answers 500).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tasks.config import DatabaseSettings, DependencySettings, ServiceSettings
from tasks.environment.release import Environment
from tasks.workspace import Workspace

SERVER = """\
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

VERSION = {version!r}
HEALTH = {health}
if {crash}:
    print("boom: refusing to start", flush=True)
    sys.exit(3)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        code = HEALTH if self.path == "/health" else 200
        body = " ".join([VERSION, os.environ.get("INSTANCE", ""), os.environ.get("DB", "-")]).encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


print("listening", os.environ["PORT"], flush=True)
ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
"""

REVISIONS = {
    "good": {"version": "v1", "health": 200, "crash": False},
    "good2": {"version": "v2", "health": 200, "crash": False},
    "crash": {"version": "v3", "health": 200, "crash": True},
    "sick": {"version": "v4", "health": 500, "crash": False},
}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=qeflow", "-c", "user.email=qeflow@example.invalid", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@pytest.fixture(scope="module")
def service_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A git repository with one commit per revision of REVISIONS; returns (repo, {name: sha})."""
    repo = tmp_path_factory.mktemp("service-repo")
    _git(repo, "init", "-q", "-b", "main")
    shas: dict[str, str] = {}
    for name, params in REVISIONS.items():
        (repo / "server.py").write_text(SERVER.format(**params), encoding="utf-8")
        _git(repo, "add", "server.py")
        _git(repo, "commit", "-q", "-m", name)
        shas[name] = _git(repo, "rev-parse", "HEAD")
    return repo, shas


@pytest.fixture(scope="module")
def workspace(service_repo: tuple[Path, dict[str, str]]) -> Iterator[Workspace]:
    repo, _ = service_repo
    ws = Workspace(repo, "", repo, DependencySettings(), "envtest")
    yield ws
    ws.close()


@pytest.fixture
def shas(service_repo: tuple[Path, dict[str, str]]) -> dict[str, str]:
    return service_repo[1]


@pytest.fixture
def make_service() -> Callable[..., ServiceSettings]:
    def make(
        *, instances: int = 2, health_timeout_s: float = 10.0, env: dict[str, str] | None = None
    ) -> ServiceSettings:
        return ServiceSettings(
            name="tiny",
            start=[sys.executable, "server.py"],
            instances=instances,
            health_timeout_s=health_timeout_s,
            env={"INSTANCE": "{instance}", **(env or {})},
        )

    return make


@pytest.fixture
def make_environment(
    workspace: Workspace, tmp_path: Path, make_service: Callable[..., ServiceSettings]
) -> Iterator[Callable[..., Environment]]:
    """Factory of environments over the tiny service; every one is stopped after the test."""
    made: list[Environment] = []

    def make(
        *,
        name: str = "staging",
        database: DatabaseSettings | None = None,
        database_url: str | None = None,
        **service: object,
    ) -> Environment:
        env = Environment(
            name,
            service=make_service(**service),
            database=database or DatabaseSettings(mode="none"),
            database_url=database_url,
            workspace=workspace,
            log_dir=tmp_path / "logs",
        )
        made.append(env)
        return env

    yield make
    for env in made:
        env.stop()
