"""A real `prefect server` in a subprocess, for tests that need a Prefect API over HTTP.

`running_prefect_server(workdir)` starts `python -m prefect server start` on a free localhost
port with its own PREFECT_HOME and a SQLite database under `workdir`, in its own session (so its
whole process group can be stopped), waits for GET /api/health to answer 200, and on exit stops
the group (SIGTERM, then SIGKILL) and checks with psutil that no process it started is left.

`PrefectServer.client_env()` is the environment a client process (e.g. `qeflow run`) needs to
talk to that server and nothing else: PREFECT_API_URL set, every other inherited PREFECT_*
variable dropped, a PREFECT_HOME of its own.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil

__all__ = ["PrefectServer", "group_members", "running_prefect_server", "stop_group"]

_START_TIMEOUT_S = 60.0
_STOP_GRACE_S = 10.0
_OFFLINE = {"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _base_env() -> dict[str, str]:
    """os.environ without any PREFECT_* setting (a developer's profile or API URL must not leak in)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}


def group_members(pgid: int) -> list[psutil.Process]:
    """Live processes of a process group (zombies count as gone)."""
    members = []
    for proc in psutil.process_iter(["status"]):
        try:
            if proc.info["status"] != psutil.STATUS_ZOMBIE and os.getpgid(proc.pid) == pgid:
                members.append(proc)
        except (ProcessLookupError, psutil.NoSuchProcess):
            continue
    return members


def _alive(procs: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for proc in procs:
        try:
            if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
        except psutil.NoSuchProcess:
            continue
    return alive


def stop_group(proc: subprocess.Popen[Any], grace_s: float = _STOP_GRACE_S) -> list[str]:
    """Stop `proc`'s whole process group (it must lead its own session) and everything it spawned.

    SIGTERM first, SIGKILL after `grace_s`. Returns a description of every process that was still
    alive after SIGTERM's grace period (empty when the group shut down cleanly); after this call
    none is left.
    """
    pgid = proc.pid
    try:
        descendants = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    tracked = list({p.pid: p for p in [*group_members(pgid), *descendants]}.values())
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    for child in descendants:  # a descendant that left the group (setsid) gets the signal too
        with contextlib.suppress(psutil.NoSuchProcess):
            child.terminate()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace_s)
    deadline = time.monotonic() + grace_s
    while _alive(tracked) and time.monotonic() < deadline:
        time.sleep(0.1)
    stubborn = [_describe(p) for p in _alive(tracked)]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    for child in _alive(tracked):
        with contextlib.suppress(psutil.NoSuchProcess):
            child.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace_s)
    psutil.wait_procs(tracked, timeout=grace_s)
    return stubborn


def _describe(proc: psutil.Process) -> str:
    try:
        return f"{proc.pid} {' '.join(proc.cmdline()[:4])}"
    except psutil.Error:
        return str(proc.pid)


@dataclass
class PrefectServer:
    url: str  # http://127.0.0.1:PORT
    home: Path  # the server's PREFECT_HOME
    database: Path
    log: Path  # the server's stdout and stderr
    process: subprocess.Popen[bytes]
    start_s: float = 0.0  # from spawn to the first 200 of /api/health
    stop_s: float | None = None

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def client_env(self, home: Path, **extra: str) -> dict[str, str]:
        home.mkdir(parents=True, exist_ok=True)
        return {**_base_env(), **_OFFLINE, "PREFECT_HOME": str(home), "PREFECT_API_URL": self.api_url, **extra}

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.api_url, timeout=30.0)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log.exists():
            return "(no server log)"
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


@contextlib.contextmanager
def running_prefect_server(workdir: Path, timeout_s: float = _START_TIMEOUT_S) -> Iterator[PrefectServer]:
    workdir.mkdir(parents=True, exist_ok=True)
    home, database, log = workdir / "prefect-home", workdir / "prefect.db", workdir / "server.log"
    home.mkdir(exist_ok=True)
    port = _free_port()
    env = {
        **_base_env(),
        **_OFFLINE,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{database}",
        "PREFECT_SERVER_UI_ENABLED": "false",
    }
    argv = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--no-ui", "--analytics-off"]
    t0 = time.monotonic()
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, env=env, cwd=workdir, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    server = PrefectServer(f"http://127.0.0.1:{port}", home, database, log, process)
    try:
        with httpx.Client(timeout=2.0) as http:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"prefect server exited with {process.returncode}:\n{server.log_tail()}")
                with contextlib.suppress(httpx.TransportError):
                    if http.get(f"{server.api_url}/health").status_code == 200:
                        break
                if time.monotonic() - t0 > timeout_s:
                    raise TimeoutError(f"prefect server not healthy after {timeout_s:g}s:\n{server.log_tail()}")
                time.sleep(0.2)
        server.start_s = time.monotonic() - t0
        yield server
    finally:
        t1 = time.monotonic()
        stubborn = stop_group(process)
        server.stop_s = time.monotonic() - t1
        left = group_members(process.pid)
        print(f"\n[prefect-server] stopped in {server.stop_s:.2f}s", flush=True)
        if left:
            raise AssertionError(f"processes of the prefect server outlived it: {[p.pid for p in left]}")
        if stubborn:
            print(f"[prefect-server] needed SIGKILL: {stubborn}", flush=True)
