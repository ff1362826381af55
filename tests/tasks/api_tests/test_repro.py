"""Reproduction files: the curl script (rendering only) and the pytest file, run for real.

The pytest files run as child processes (so those tests are marked slow) against a small stdlib
HTTP server that records what it receives and answers what each test tells it to: the replayed
request must be byte for byte the recorded one, and the assertion must match the failing check.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tasks.api_tests import (
    RecordedRequest,
    Repro,
    UniqueFailure,
    curl_command,
    render_curl,
    render_pytest,
    replay_headers,
    request_target,
)

BASE = "http://127.0.0.1:41234"
HEADERS = {
    "User-Agent": "schemathesis/4.32.5",
    "Accept-Encoding": "gzip, deflate",
    "Accept": "*/*",
    "Connection": "keep-alive",
    "Content-Type": "application/json",
    "Content-Length": "31",
    "X-Schemathesis-TestCaseId": "abc",
    "X-Trace": "it's here",
}
SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/users": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["id"],
                                    "properties": {"id": {"type": "integer"}},
                                }
                            }
                        },
                    },
                    "4XX": {"description": "client error", "content": {"application/json": {}}},
                },
            }
        }
    },
}
DOCUMENTED = {"201": ["application/json"], "4XX": ["application/json"]}


def make_failure(
    check: str = "not_a_server_error",
    *,
    uri: str = BASE + "/users?name=O%27Brien&tag=%F0%9F%90%8D&x=%7B%7D",
    body: bytes | None = b'{"name": "it\'s", "n": [1, 2]}\n',
    steps: list[RecordedRequest] | None = None,
    status: int = 500,
) -> UniqueFailure:
    return UniqueFailure(
        check=check,
        operation="POST /users",
        method="POST",
        path_template="/users",
        status=status,
        code="ST101",
        title="Server error",
        message='Tricky """ message \\ with quotes',
        severity="critical",
        phase="fuzzing",
        request=RecordedRequest("POST", uri, dict(HEADERS), body),
        steps=steps or [],
        response={"status": status},
    )


def make_repro(failure: UniqueFailure, base_url: str = BASE) -> Repro:
    return Repro(1, failure, base_url, DOCUMENTED, facts={"seed": "20261204", "schemathesis": "4.32.5"})


# -- pure rendering ---------------------------------------------------------------------------------


def test_request_target_keeps_the_encoding_as_sent() -> None:
    assert request_target(BASE + "/users?a=%20b&c=%7C", BASE) == "/users?a=%20b&c=%7C"
    assert request_target(BASE + "/api/users", BASE + "/api") == "/users"
    assert request_target("http://elsewhere:9/x/y?q=1", BASE) == "/x/y?q=1"
    assert request_target(BASE, BASE) == "/"


def test_client_bookkeeping_headers_are_not_replayed() -> None:
    assert replay_headers(HEADERS) == {"Accept": "*/*", "Content-Type": "application/json", "X-Trace": "it's here"}


def test_curl_command_quotes_every_value_for_a_posix_shell() -> None:
    failure = make_failure()
    command = curl_command(failure.request, BASE)
    argv = shlex.split(command.replace("\\\n", " "))
    assert argv[:7] == ["curl", "--globoff", "--silent", "--show-error", "--include", "--request", "POST"]
    # `"${BASE_URL:-...}"` stays for the shell to expand; the target is one single-quoted word.
    assert argv[7] == "${BASE_URL:-http://127.0.0.1:41234}/users?name=O%27Brien&tag=%F0%9F%90%8D&x=%7B%7D"
    assert argv[8:] == [
        "--header",
        "Accept: */*",
        "--header",
        "Content-Type: application/json",
        "--header",
        "X-Trace: it's here",
        "--data-binary",
        '{"name": "it\'s", "n": [1, 2]}\n',
    ]


def test_a_body_a_shell_cannot_carry_goes_to_a_file() -> None:
    failure = make_failure(body=b"\x00\xff binary")
    repro = make_repro(failure)
    assert repro.body_files() == {"repro_1.body0.bin": b"\x00\xff binary"}
    script = render_curl(repro)
    assert script.startswith("#!/bin/sh\n# api-tests failure 1: not_a_server_error on POST /users (HTTP 500)\n")
    assert script.rstrip().endswith("--data-binary @repro_1.body0.bin")


def test_curl_script_replays_the_stateful_steps_first() -> None:
    step = RecordedRequest("POST", BASE + "/users", {"Content-Type": "application/json"}, b'{"a": 1}')
    script = render_curl(make_repro(make_failure(steps=[step], body=None)))
    assert "1 earlier request(s) of the stateful sequence come first." in script
    curls = [line for line in script.splitlines() if line.startswith("curl ")]
    assert [line.split('}"')[1].split()[0] for line in curls] == [
        "/users",
        "'/users?name=O%27Brien&tag=%F0%9F%90%8D&x=%7B%7D'",
    ]


def test_the_pytest_file_is_valid_python_whatever_the_message() -> None:
    for check in ("not_a_server_error", "status_code_conformance", "content_type_conformance", "use_after_free"):
        source = render_pytest(make_repro(make_failure(check)))
        compile(source, "repro_1.py", "exec")
        assert "def test_repro_1() -> None:" in source
    assert "# `use_after_free` cannot be judged outside schemathesis" in source


# -- the pytest file, run against a server ----------------------------------------------------------


class Server:
    """Answers `reply(method, path) -> (status, content_type, body)`; records every request."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str, dict[str, str], bytes]] = []
        self.reply: Callable[[str, str], tuple[int, str, bytes]] = lambda method, path: (200, "text/plain", b"ok")
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.received.append((self.command, self.path, dict(self.headers), body))
                status, content_type, payload = server.reply(self.command, self.path)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _any

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.close()


def write_repro(tmp_path: Path, failure: UniqueFailure, base_url: str) -> Path:
    path = tmp_path / "repro_1.py"
    path.write_text(render_pytest(make_repro(failure, base_url)), encoding="utf-8")
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    return path


def run_file(path: Path, base_url: str, *pytest_args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args] if pytest_args else []
    return subprocess.run(
        [*argv, path.name] if argv else [sys.executable, path.name],
        cwd=path.parent,
        env={"BASE_URL": base_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_replays_the_exact_request_and_reproduces_a_server_error(tmp_path: Path, server: Server) -> None:
    failure = make_failure(uri=BASE + "/users?name=O%27Brien&tag=%F0%9F%90%8D&x=%7B%7D|")
    path = write_repro(tmp_path, failure, BASE)  # recorded against BASE; replayed against BASE_URL
    server.reply = lambda method, target: (500, "application/json", b'{"error":"internal error"}')
    result = run_file(path, server.url)
    assert result.returncode == 1, result.stderr
    assert "reproduced: POST /users?name=O%27Brien" in result.stderr and "answered 500" in result.stderr
    ((method, target, headers, body),) = server.received
    assert (method, target, body) == ("POST", "/users?name=O%27Brien&tag=%F0%9F%90%8D&x=%7B%7D|", failure.request.body)
    assert headers["X-Trace"] == "it's here" and headers["Content-Type"] == "application/json"
    assert "X-Schemathesis-TestCaseId" not in headers


@pytest.mark.slow
def test_passes_once_fixed_and_reports_no_verdict_without_a_server(tmp_path: Path, server: Server) -> None:
    path = write_repro(tmp_path, make_failure(), BASE)
    server.reply = lambda method, target: (201, "application/json", b'{"id": 1}')
    assert run_file(path, server.url).returncode == 0
    pytest_run = run_file(path, server.url, "-W", "error")
    assert pytest_run.returncode == 0, pytest_run.stdout
    assert "1 passed" in pytest_run.stdout
    gone = run_file(path, "http://127.0.0.1:9")  # nothing listens on the discard port
    assert gone.returncode == 2
    assert "ConnectError" in gone.stderr


@pytest.mark.slow
def test_under_pytest_a_reproduced_failure_is_a_failed_test(tmp_path: Path, server: Server) -> None:
    path = write_repro(tmp_path, make_failure(), BASE)
    server.reply = lambda method, target: (502, "text/html", b"<h1>bad gateway</h1>")
    result = run_file(path, server.url, "-W", "error")
    assert result.returncode == 1
    assert "1 failed" in result.stdout and "expected a status below 500" in result.stdout


@pytest.mark.slow
def test_stateful_steps_are_sent_first_in_order(tmp_path: Path, server: Server) -> None:
    steps = [
        RecordedRequest("POST", BASE + "/users", {"Content-Type": "application/json"}, b'{"a": 1}'),
        RecordedRequest("DELETE", BASE + "/users/1", {}, None),
    ]
    path = write_repro(tmp_path, make_failure(steps=steps, body=None), BASE)
    run_file(path, server.url)
    assert [(m, t) for m, t, _, _ in server.received] == [
        ("POST", "/users"),
        ("DELETE", "/users/1"),
        ("POST", "/users?name=O%27Brien&tag=%F0%9F%90%8D&x=%7B%7D"),
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("check", "status", "content_type", "body", "expected_code"),
    [
        ("status_code_conformance", 302, "application/json", b"{}", 1),  # 302 is not documented
        ("status_code_conformance", 404, "application/json", b"{}", 0),  # 4XX is
        ("content_type_conformance", 201, "text/html", b"<p>", 1),
        ("content_type_conformance", 201, "application/json; charset=utf-8", b'{"id": 1}', 0),
        ("response_schema_conformance", 201, "application/json", b'{"id": "seven"}', 1),
        ("response_schema_conformance", 201, "application/json", b'{"id": 7}', 0),
    ],
)
def test_each_check_is_asserted_as_schemathesis_judged_it(
    tmp_path: Path, server: Server, check: str, status: int, content_type: str, body: bytes, expected_code: int
) -> None:
    path = write_repro(tmp_path, make_failure(check, status=status), BASE)
    server.reply = lambda method, target: (status, content_type, body)
    result = run_file(path, server.url)
    assert result.returncode == expected_code, result.stderr + result.stdout
    if expected_code == 1:
        assert result.stderr.startswith("reproduced: POST /users?")


def test_the_header_names_the_check_and_the_run(tmp_path: Path) -> None:
    source = render_pytest(make_repro(make_failure()))
    header = source.split('"""')[1]
    assert header.startswith("api-tests failure 1: not_a_server_error on POST /users (HTTP 500).")
    assert "Run: seed 20261204, schemathesis 4.32.5." in header
    assert f"BASE_URL={BASE} python -m pytest repro_1.py" in header
    assert json.loads(json.dumps(DOCUMENTED)) == DOCUMENTED
