"""One running copy of the service: start it on its own port and wait until it answers health.

Instances are `ManagedProcess`es, so each runs in its own process group and the reaper kills it
if the run dies. Health is `GET http://127.0.0.1:PORT{health_path}` answering 200, polled every
100 ms; a process that exits while we wait fails at once (no point waiting for the timeout), and
every failure carries the last lines of the instance's log, which is where the reason is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tasks.environment._placeholders import Unavailable, fill_argv, fill_env
from tasks.environment.ports import free_port
from tasks.errors import EnvironmentError_, HealthTimeout
from tasks.processes import ManagedProcess, spawn

__all__ = ["HOST", "Instance", "launch_instance", "log_tail", "wait_healthy"]

HOST = "127.0.0.1"
POLL_S = 0.1


def log_tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


@dataclass(frozen=True)
class Instance:
    """A started instance: where it listens, its process and its log."""

    index: int
    port: int
    process: ManagedProcess
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def alive(self) -> bool:
        return self.process.alive()

    def stop(self) -> int | None:
        return self.process.stop()


def launch_instance(
    *,
    index: int,
    start: list[str],
    env: dict[str, str],
    port_env: str,
    service_dir: Path,
    database_url: str | None,
    log_path: Path,
) -> Instance:
    """Spawn one instance on a fresh port with its placeholders filled; do not wait for health."""
    port = free_port(HOST)
    values: dict[str, str | None] = {
        "port": str(port),
        "database_url": database_url,
        "host": HOST,
        "base_url": f"http://{HOST}:{port}",
        "instance": str(index),
    }
    try:
        argv = fill_argv(start, values)
        full_env = fill_env(env, values)
    except Unavailable as exc:
        raise EnvironmentError_(
            f"service start/env uses {{{exc.name}}}, which has no value here "
            '(the database mode is "none"?); remove it or configure [database]'
        ) from exc
    full_env[port_env] = str(port)
    try:
        process = spawn(argv, cwd=service_dir, log_path=log_path, env=full_env)
    except OSError as exc:  # FileNotFoundError, PermissionError: argv[0] cannot be run
        raise EnvironmentError_(
            f"cannot start the service with {argv!r} in {service_dir}: {exc}; check [service] start"
        ) from exc
    return Instance(index=index, port=port, process=process, log_path=log_path)


def _probe(client: httpx.Client, url: str) -> str | None:
    """None when healthy, else what was seen (for the error message)."""
    try:
        response = client.get(url)
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return None if response.status_code == 200 else f"HTTP {response.status_code}"


def wait_healthy(instances: list[Instance], *, health_path: str, timeout_s: float) -> None:
    """Return when every instance answers 200 on `health_path`; raise on exit or timeout."""
    deadline = time.monotonic() + timeout_s
    pending = list(instances)
    last: dict[int, str] = {i.index: "no answer yet" for i in instances}
    # trust_env=False: an HTTP(S)_PROXY in the environment must not intercept loopback probes.
    with httpx.Client(trust_env=False, timeout=httpx.Timeout(2.0)) as client:
        while pending:
            for instance in list(pending):
                if not instance.alive():
                    raise EnvironmentError_(
                        f"instance {instance.index} on port {instance.port} exited with code "
                        f"{instance.process.proc.returncode} before becoming healthy "
                        f"(log: {instance.log_path}):\n{log_tail(instance.log_path)}"
                    )
                seen = _probe(client, instance.base_url + health_path)
                if seen is None:
                    pending.remove(instance)
                else:
                    last[instance.index] = seen
            if not pending:
                return
            if time.monotonic() >= deadline:
                first = pending[0]
                raise HealthTimeout(
                    f"instance {first.index} on port {first.port} did not answer 200 on "
                    f"{health_path} within {timeout_s:g}s (last: {last[first.index]}; "
                    f"log: {first.log_path}):\n{log_tail(first.log_path)}"
                )
            time.sleep(POLL_S)
