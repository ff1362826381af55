"""One Pact verification in a child process: `python _worker.py JOB.json`.

Why a child process, run by path with only the standard library and pact-python:

- the Pact FFI prints its report straight to file descriptor 1, which would corrupt
  `qeflow run --json` and interleave with the progress lines; a child's output goes to a log;
- a verification inside the FFI cannot be interrupted; a child process group can be timed out
  and cancelled like every other command (`tasks.processes.run_command`).

Provider states go through a state-change endpoint served here, not pact-python's function
handler: that one answers 500 when a handler raises, and the verifier retries a 5xx with
exponential back-off (about two minutes per failing state, measured with pact_ffi 0.5.12). This
endpoint answers 400 with the reason, which the verifier does not retry. Per state it runs the
state's SQL fixture with psql, or forwards the request to the service's own state-change URL.
The empty state name is Pact's "interaction without provider state": it runs the default
fixture when there is one, and nothing otherwise.

JOB.json (written by `tasks.pact.agent`, holds no secret):
    provider, base_url, pact (file path), out (directory for the results),
    states {name: fixture path}, default_state (path | null), state_change_url (url | null),
    psql (path | null), request_timeout_ms
The database URL comes from the environment variable QEFLOW_PACT_DATABASE_URL.

Writes to `out`: results.json (the verifier's own JSON), output.txt (its report, no colours),
states.json (every state change: state, action, how, ok, message, ms). Exit code: 0 verified,
1 verification failed, 2 the worker itself failed (traceback on stderr).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

DATABASE_ENV = "QEFLOW_PACT_DATABASE_URL"
PSQL_TIMEOUT_S = 60
FORWARD_TIMEOUT_S = 30


class StateError(Exception):
    """A provider state could not be set up; the message says why and how to fix it."""


class States:
    """Sets up provider states; records every call for the evidence."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.fixtures: dict[str, str] = job.get("states") or {}
        self.default: str | None = job.get("default_state")
        self.url: str | None = job.get("state_change_url")
        self.psql: str | None = job.get("psql")
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def _run_sql(self, fixture: str) -> str:
        database = os.environ.get(DATABASE_ENV)
        if not database:
            raise StateError(f"SQL fixture {fixture}: this environment has no database (database mode 'none')")
        if not self.psql:
            raise StateError(f"SQL fixture {fixture}: no psql client found (install PostgreSQL client binaries)")
        argv = [self.psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database, "-f", fixture]
        proc = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=PSQL_TIMEOUT_S,
            env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
            check=False,
        )
        output = (proc.stdout + proc.stderr).strip()
        if proc.returncode != 0:
            raise StateError(f"SQL fixture {fixture} failed (psql exit {proc.returncode}): {output[-500:]}")
        return output

    def _forward(self, body: bytes) -> str:
        assert self.url is not None
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=FORWARD_TIMEOUT_S) as response:
                return f"{self.url} answered {response.status}"
        except urllib.error.HTTPError as exc:
            raise StateError(f"the service's state-change URL {self.url} answered {exc.code}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise StateError(f"the service's state-change URL {self.url} is unreachable: {exc}") from exc

    def handle(self, state: str, action: str, body: bytes) -> None:
        started = time.monotonic()
        how = "none"
        try:
            if action != "setup":
                how, message = "ignored", "teardown: fixtures replace the state before each interaction"
            elif state in self.fixtures:
                how, message = f"sql {self.fixtures[state]}", self._run_sql(self.fixtures[state])
            elif state == "" and self.default:
                how, message = f"sql {self.default}", self._run_sql(self.default)
            elif self.url:
                how, message = f"url {self.url}", self._forward(body)
            elif state == "":
                how, message = "none", "no provider state, no default fixture: nothing to set up"
            else:
                raise StateError(
                    f"provider state {state!r} has no fixture: add it to [agents.pact] states in qeflow.toml "
                    f'(e.g. states = {{ "{state}" = "pacts/states/<file>.sql" }}), put a fixture at the '
                    "conventional path, or set state_change_url"
                )
            ok = True
        except StateError as exc:
            ok, message = False, str(exc)
        with self._lock:
            self.calls.append(
                {
                    "state": state,
                    "action": action,
                    "how": how,
                    "ok": ok,
                    "message": message,
                    "ms": round(1000 * (time.monotonic() - started), 1),
                }
            )
        if not ok:
            raise StateError(message)


def _serve_states(states: States) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                payload = json.loads(body or b"{}")
                states.handle(str(payload.get("state") or ""), str(payload.get("action") or "setup"), body)
                code, reply = 200, {"ok": True}
            except StateError as exc:
                code, reply = 400, {"error": str(exc)}  # 4xx: the verifier does not retry it
            except Exception as exc:  # a bug here must fail the interaction, not hang the verifier
                code, reply = 400, {"error": f"{type(exc).__name__}: {exc}"}
            data = json.dumps(reply).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, name="pact-states", daemon=True).start()
    return server


def run(job: dict[str, Any]) -> int:
    os.environ.setdefault("PACT_DO_NOT_TRACK", "true")
    from pact import Verifier  # the FFI loads here, in the child only

    out = Path(job["out"])
    out.mkdir(parents=True, exist_ok=True)
    states = States(job)
    server = _serve_states(states)
    state_url = f"http://127.0.0.1:{server.server_address[1]}/_qeflow/state"
    verifier = (
        Verifier(job["provider"], host=urllib.parse.urlsplit(job["base_url"]).hostname or "127.0.0.1")
        .add_transport(url=job["base_url"])
        .add_source(Path(job["pact"]))
        .state_handler(state_url, teardown=False, body=True)
        .set_request_timeout(int(job.get("request_timeout_ms") or 5000))
        .set_coloured_output(enabled=False)
    )
    verified = True
    try:
        verifier.verify()
    except RuntimeError:  # the FFI's way of saying "verification failed"; results tell the rest
        verified = False
    finally:
        server.shutdown()
    (out / "results.json").write_text(json.dumps(verifier.results, indent=2) + "\n", encoding="utf-8")
    (out / "output.txt").write_text(verifier.output(strip_ansi=True), encoding="utf-8")
    (out / "states.json").write_text(json.dumps(states.calls, indent=2) + "\n", encoding="utf-8")
    return 0 if verified else 1


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: _worker.py JOB.json", file=sys.stderr)
        return 2
    try:
        return run(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
    except Exception:
        traceback.print_exc()
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
