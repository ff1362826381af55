"""A Prefect API for a local run: the one PREFECT_API_URL names, or a server of our own.

Prefect's own ephemeral mode starts its server as a child in our process group, so a Ctrl-C in
the terminal kills it along with us, and the flow engine then retries every API call against a
dead server for minutes before the run can end. Our server runs in its own session instead: a
Ctrl-C reaches only qeflow, which stops the agents' processes, records the run as crashed
through a live API, and then stops the server itself. Runs land in PREFECT_HOME's database as
with ephemeral mode, so `prefect server start` later shows their history in the UI.
"""

from __future__ import annotations

import atexit
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tasks.environment import free_port
from tasks.errors import QeflowError
from tasks.processes import ManagedProcess, spawn

__all__ = ["drain_prefect_workers", "prefect_api", "start_prefect_server", "wait_healthy"]

_START_TIMEOUT_S = 120.0  # the first start on a machine creates and migrates the database


def wait_healthy(
    url: str,
    process: ManagedProcess,
    log: Path,
    what: str = "the local Prefect server",
    timeout_s: float = _START_TIMEOUT_S,
) -> None:
    """Poll GET `url` until it answers 200; raise, with the log's tail, if `process` exits first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not process.alive():
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
            raise QeflowError(f"{what} exited during start (log: {log}):\n{tail}")
        try:
            if httpx.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise QeflowError(f"{what} did not answer {url} within {timeout_s:g}s (log: {log})")


def start_prefect_server(port: int, log: Path, *, ui: bool, env: dict[str, str]) -> ManagedProcess:
    """Start `prefect server start` on 127.0.0.1:`port` in its own session; return once healthy.

    `env` is the whole environment of the server (PREFECT_HOME, its database URL...). The caller
    stops it (`.stop()`); an interpreter exit stops it too.
    """
    argv = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    argv += ["--analytics-off"] if ui else ["--no-ui", "--analytics-off"]
    server = spawn(argv, cwd=log.parent, log_path=log, env=env, track=False)
    atexit.register(server.stop, 2.0)  # idempotent: a normal end has stopped it already
    try:
        wait_healthy(f"http://127.0.0.1:{port}/api/health", server, log)
    except BaseException:
        server.stop(grace_s=5.0)
        raise
    return server


@contextmanager
def prefect_api() -> Iterator[str]:
    """Yield the API URL to use; start (and finally stop) a local server when none is configured."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = os.environ.get("PREFECT_API_URL") or PREFECT_API_URL.value()
    if configured:
        yield configured
        return
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    log = Path(tempfile.mkdtemp(prefix="qeflow-prefect-")) / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    server = start_prefect_server(port, log, ui=False, env=env)
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            yield url
    finally:
        drain_prefect_workers()
        server.stop(grace_s=10.0)


def drain_prefect_workers() -> None:
    """Send Prefect's queued logs and events while the server still listens.

    Prefect drains them at interpreter exit, after the server would be gone, and then retries
    each batch against a closed port for minutes.
    """
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        try:
            worker.drain_all(timeout=15)
        except Exception as exc:  # draining is best effort; the run's evidence is already written
            print(f"qeflow: could not flush Prefect's {worker.__name__}: {exc}", file=sys.stderr)
