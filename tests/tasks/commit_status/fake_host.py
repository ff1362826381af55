"""A local git host for tests: records every request and checks it against the documented shapes.

    GitHub  https://docs.github.com/en/rest/commits/statuses#create-a-commit-status
    GitLab  https://docs.gitlab.com/ee/api/commits.html#set-the-pipeline-status-of-a-commit

It answers like the real APIs (201 and the created status as JSON) unless a test queues other
answers (`host.answer(502)`, `host.answer(401, {"message": "Bad credentials"})`). Each request that
breaks the documented shape adds a line to `host.violations`; tests assert it stays empty.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

GITHUB_STATES = {"pending", "success", "failure", "error"}
GITLAB_STATES = {"pending", "running", "success", "failed", "canceled"}
_GITHUB_PATH = re.compile(r"^(?P<prefix>.*)/repos/(?P<owner>[^/]+)/(?P<repo>[^/]+)/statuses/(?P<sha>[0-9a-f]{40})$")
_GITLAB_PATH = re.compile(r"^(?P<prefix>.*)/projects/(?P<project>[0-9]+|[^/]+)/statuses/(?P<sha>[0-9a-f]{40})$")


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any = None


@dataclass
class FakeGitHost:
    kind: str  # "github" | "gitlab"
    token: str
    requests: list[Recorded] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    answers: deque[tuple[int, Any]] = field(default_factory=deque)
    url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def answer(self, status: int, body: Any = None) -> None:
        """Queue one answer for the next request (default afterwards: 201 like the real API)."""
        self.answers.append((status, body))

    # --- shape checks --------------------------------------------------------------------------
    def check(self, req: Recorded) -> None:
        bad = self.violations.append
        if req.method != "POST":
            bad(f"method {req.method}, expected POST")
        if req.headers.get("content-type", "").split(";")[0] != "application/json":
            bad(f"content-type {req.headers.get('content-type')!r}, expected application/json")
        if not isinstance(req.json, dict):
            bad(f"body is not a JSON object: {req.body[:80]!r}")
            return
        body = req.json
        if self.kind == "github":
            if not _GITHUB_PATH.match(req.path):
                bad(f"path {req.path!r}, expected /repos/{{owner}}/{{repo}}/statuses/{{sha}}")
            if req.headers.get("authorization") != f"Bearer {self.token}":
                bad("authorization header is not 'Bearer <token>'")
            if req.headers.get("accept") != "application/vnd.github+json":
                bad(f"accept {req.headers.get('accept')!r}")
            if req.headers.get("x-github-api-version") != "2022-11-28":
                bad(f"x-github-api-version {req.headers.get('x-github-api-version')!r}")
            allowed, states, name_key = {"state", "target_url", "description", "context"}, GITHUB_STATES, "context"
        else:
            if not _GITLAB_PATH.match(req.path):
                bad(f"path {req.path!r}, expected /projects/{{id}}/statuses/{{sha}}")
            if req.headers.get("private-token") != self.token:
                bad("private-token header is not the token")
            if "authorization" in req.headers:
                bad("gitlab request carries an authorization header")
            allowed = {"state", "ref", "name", "context", "target_url", "description", "coverage", "pipeline_id"}
            states, name_key = GITLAB_STATES, "name"
        extra = set(body) - allowed
        if extra:
            bad(f"unknown body keys {sorted(extra)}")
        if body.get("state") not in states:
            bad(f"state {body.get('state')!r} not in {sorted(states)}")
        if not isinstance(body.get(name_key), str) or not body[name_key]:
            bad(f"{name_key} missing or empty")
        description = body.get("description")
        if description is not None and (not isinstance(description, str) or len(description) > 140):
            bad(f"description not a string of <= 140 characters: {description!r}")
        if description is not None and "\n" in description:
            bad("description spans lines")
        target = body.get("target_url")
        if target is not None and not (isinstance(target, str) and re.match(r"^https?://", target)):
            bad(f"target_url {target!r} is not an http(s) URL")

    def created(self, req: Recorded) -> dict[str, Any]:
        body = req.json if isinstance(req.json, dict) else {}
        sha = req.path.rsplit("/", 1)[-1]
        ident = next(self._ids)
        if self.kind == "github":
            return {
                "url": f"{self.url}{req.path}",
                "id": ident,
                "node_id": f"SC_{ident}",
                "state": body.get("state"),
                "description": body.get("description"),
                "target_url": body.get("target_url"),
                "context": body.get("context", "default"),
                "created_at": "2024-01-01T00:00:00Z",
                "updated_at": "2024-01-01T00:00:00Z",
                "creator": {"login": "qeflow-bot", "id": 1},
            }
        return {
            "id": ident,
            "sha": sha,
            "ref": "main",
            "status": body.get("state"),
            "name": body.get("name", "default"),
            "target_url": body.get("target_url"),
            "description": body.get("description"),
            "created_at": "2024-01-01T00:00:00Z",
            "author": {"username": "qeflow-bot", "id": 1},
            "allow_failure": False,
        }


def start(kind: str, token: str) -> tuple[FakeGitHost, ThreadingHTTPServer]:
    host = FakeGitHost(kind=kind, token=token)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self._handle()

        def do_GET(self) -> None:
            self._handle()

        def do_PUT(self) -> None:
            self._handle()

        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                parsed = json.loads(raw) if raw else None
            except ValueError:
                parsed = None
            req = Recorded(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, raw, parsed)
            with lock:
                host.requests.append(req)
                host.check(req)
                status, body = host.answers.popleft() if host.answers else (201, None)
                if body is None and status == 201:
                    body = host.created(req)
            payload = json.dumps(body if body is not None else {"message": f"status {status}"}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    host.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
    return host, server
