"""Fixtures for the pact tests: a fake users-service, a service repository, and agent contexts.

The fake provider speaks just enough of the example's API for the orders-service pact (GET
/users/{id}, POST /users) and has a state-change endpoint (POST /_pact/state), so the real
verifier (pact-python, the FFI, in the agent's worker process) runs against it in well under a
second, with no database and no node. The environments are a stub whose release is that fake:
the seam between the agent and the release machinery, which the slow tests exercise for real.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tasks.config import load_config
from tasks.context import AgentContext
from tasks.evidence import EvidenceStore
from tasks.git import resolve_context
from tasks.pact import SPEC, PactSettings
from tasks.workspace import Workspace

EXAMPLE_PACT = Path(__file__).resolve().parents[3] / "examples/users-service/pacts/orders-service-users-service.json"

ADA = {"email": "ada@example.com", "name": "Ada Lovelace", "role": "member"}


@dataclass
class FakeUsers:
    """The users API as the pact sees it; `name_field` renames `name` in responses (the defect)."""

    name_field: str = "name"
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    state_calls: list[dict[str, Any]] = field(default_factory=list)
    next_id: int = 1

    def user(self, uid: int) -> dict[str, Any]:
        data = self.users[uid]
        return {
            "id": uid,
            "email": data["email"],
            self.name_field: data["name"],
            "role": data["role"],
            "created_at": "2024-01-01T00:00:00.000Z",
            "updated_at": "2024-01-01T00:00:00.000Z",
        }

    def set_state(self, state: str) -> int:
        if state == "user 1 exists":
            self.users, self.next_id = {1: dict(ADA)}, 2
        elif state in ("no user 42", ""):
            self.users, self.next_id = {}, 1
        else:
            return 400
        return 200


@pytest.fixture
def fake_users() -> Iterator[tuple[FakeUsers, str]]:
    fake = FakeUsers()

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, code: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            uid = self.path.rsplit("/", 1)[-1]
            if self.path.startswith("/users/") and uid.isdigit() and int(uid) in fake.users:
                self._reply(200, fake.user(int(uid)))
            else:
                self._reply(404, {"error": "user not found"})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            if self.path == "/_pact/state":
                fake.state_calls.append(body)
                code = fake.set_state(str(body.get("state", "")))
                self._reply(code, {})
            elif self.path == "/users":
                uid, fake.next_id = fake.next_id, fake.next_id + 1
                fake.users[uid] = {"email": body["email"], "name": body["name"], "role": body.get("role", "member")}
                self._reply(201, fake.user(uid))
            else:
                self._reply(404, {"error": "not found"})

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class StubEnvironment:
    """An Environment whose release is a server that is already running."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.database_url: str | None = None
        self.released: list[str] = []
        self.stopped = False

    def release(self, sha: str) -> SimpleNamespace:
        self.released.append(sha)
        port = int(self.base_url.rsplit(":", 1)[-1])
        instance = SimpleNamespace(base_url=self.base_url, port=port, index=0)
        return SimpleNamespace(sha=sha, instances=[instance], base_urls=[self.base_url])

    def stop(self) -> None:
        self.stopped = True


class StubEnvironments:
    def __init__(self, base_url: str) -> None:
        self.environment = StubEnvironment(base_url)
        self.asked: list[str] = []
        self.cluster = None

    def get(self, name: str) -> StubEnvironment:
        self.asked.append(name)
        return self.environment


TOML = """\
[service]
name = "users-service"
start = ["node", "src/server.js"]

[database]
mode = "none"
"""


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, stdin=subprocess.DEVNULL
    ).stdout.strip()


@dataclass
class PactRun:
    ctx: AgentContext
    environments: StubEnvironments
    root: Path

    @property
    def evidence(self) -> Path:
        return self.ctx.evidence_dir


@pytest.fixture
def make_pact_run(tmp_path: Path, fake_users: tuple[FakeUsers, str]) -> Iterator[Callable[..., PactRun]]:
    """Factory: a committed service repo with the given pact files, and the pact agent's context."""
    workspaces: list[Workspace] = []
    counter = iter(range(1000))

    def make(
        *,
        pacts: dict[str, str] | None = None,
        files: dict[str, str] | None = None,
        toml: str = TOML,
        settings: PactSettings | None = None,
        store: Path | None = None,
    ) -> PactRun:
        root = tmp_path / f"repo{next(counter)}"
        root.mkdir()
        (root / "qeflow.toml").write_text(toml, encoding="utf-8")
        for name, text in (pacts if pacts is not None else {"orders-service-users-service.json": ""}).items():
            target = root / "pacts" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if text:
                target.write_text(text, encoding="utf-8")
            else:
                shutil.copy(EXAMPLE_PACT, target)
        for name, text in (files or {}).items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        _git(root, "init", "-q", "-b", "main")
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", "service with pacts")
        config = load_config(root, {"pact": PactSettings})
        git = resolve_context(config.service_dir)
        run = EvidenceStore(store or tmp_path / "runs").create_run(git.head)
        workspace = Workspace(git.repo, git.service_path, config.service_dir, config.service.dependencies, "pacttest")
        workspaces.append(workspace)
        environments = StubEnvironments(fake_users[1])
        ctx = AgentContext(
            run=run,
            phase=SPEC.phase,
            agent=SPEC.name,
            config=config,
            settings=settings or config.agent("pact", PactSettings),
            git=git,
            workspace=workspace,
            environments=environments,  # type: ignore[arg-type]
        )
        return PactRun(ctx, environments, root)

    yield make
    for workspace in workspaces:
        workspace.close()
