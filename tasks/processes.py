"""Child processes that never outlive the run.

Every command qeflow starts runs as an argv list (never through a shell) in its own session, so
it is its own process group: killing the group takes its children with it (npm -> node -> c8 ->
node...). Each live group is tracked by the module's `reaper`; `reaper.kill_all()` runs at
interpreter exit and from the CLI's signal handlers, so a passing, failing, timed-out or
interrupted run leaves nothing behind.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CommandResult", "ManagedProcess", "reaper", "run_command", "spawn"]

_GRACE_S = 5.0


class _Reaper:
    """Tracks the process groups this interpreter started and kills them on demand."""

    def __init__(self) -> None:
        # Re-entrant: kill_all may run from a signal handler while this thread holds the lock.
        self._lock = threading.RLock()
        self._live: dict[int, subprocess.Popen[bytes]] = {}
        self._cleanups: dict[int, object] = {}

    def track(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._live[proc.pid] = proc

    def forget(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._live.pop(proc.pid, None)

    def add_cleanup(self, key: int, fn: object) -> None:
        """Register a callable run by kill_all (e.g. stopping a daemonised PostgreSQL)."""
        with self._lock:
            self._cleanups[key] = fn

    def remove_cleanup(self, key: int) -> None:
        with self._lock:
            self._cleanups.pop(key, None)

    def live_pids(self) -> list[int]:
        with self._lock:
            return [pid for pid, p in self._live.items() if p.poll() is None]

    def kill_all(self) -> None:
        with self._lock:
            procs = list(self._live.values())
            cleanups = list(self._cleanups.values())
            self._cleanups.clear()
        for proc in procs:
            terminate_group(proc, grace_s=2.0)
        for fn in cleanups:
            with contextlib.suppress(Exception):
                fn()  # type: ignore[operator]


reaper = _Reaper()
atexit.register(reaper.kill_all)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def terminate_group(proc: subprocess.Popen[bytes], grace_s: float = _GRACE_S) -> int | None:
    """SIGTERM the process group, wait `grace_s`, then SIGKILL it. Returns the exit code."""
    if getattr(proc, "_qeflow_swept", False):
        # Swept before: its group id may since belong to someone else, so never signal it again.
        return proc.returncode
    if proc.poll() is None:
        _signal_group(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace_s)
    # The leader may be gone while grandchildren linger in the group: always sweep it.
    _signal_group(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace_s)
    proc._qeflow_swept = True  # type: ignore[attr-defined]
    reaper.forget(proc)
    return proc.returncode


@dataclass(frozen=True)
class CommandResult:
    argv: tuple[str, ...]
    returncode: int | None
    duration_s: float
    log_path: Path
    timed_out: bool = False
    cancelled: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and not self.cancelled

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def describe(self) -> str:
        how = "timed out" if self.timed_out else "was cancelled" if self.cancelled else f"exited {self.returncode}"
        return f"`{' '.join(self.argv)}` {how} after {self.duration_s:.1f}s (log: {self.log_path})"


def _popen(
    argv: Sequence[str], cwd: Path, env: Mapping[str, str] | None, log_path: Path, track: bool = True
) -> subprocess.Popen[bytes]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    full_env = {**os.environ, **(env or {})}
    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    if track:
        reaper.track(proc)
    return proc


def run_command(
    argv: Sequence[str],
    *,
    cwd: Path,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    timeout_s: float = 600,
    cancel: threading.Event | None = None,
) -> CommandResult:
    """Run argv to completion with its output in `log_path`; kill its group on timeout or cancel."""
    started = time.monotonic()
    try:
        proc = _popen(argv, cwd, env, log_path)
    except FileNotFoundError:
        log_path.write_text(f"command not found: {argv[0]}\n", encoding="utf-8")
        return CommandResult(tuple(argv), 127, 0.0, log_path)
    timed_out = cancelled = False
    deadline = started + timeout_s
    while proc.poll() is None:
        if cancel is not None and cancel.is_set():
            cancelled = True
            break
        if time.monotonic() > deadline:
            timed_out = True
            break
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=0.1)
    code = terminate_group(proc)
    return CommandResult(
        tuple(argv),
        None if (timed_out or cancelled) else code,
        time.monotonic() - started,
        log_path,
        timed_out=timed_out,
        cancelled=cancelled,
    )


class ManagedProcess:
    """A long-running child (a service instance): started now, stopped by `stop()` or the reaper."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path,
        log_path: Path,
        env: Mapping[str, str] | None = None,
        track: bool = True,
    ):
        self.argv = tuple(argv)
        self.log_path = log_path
        self.proc = _popen(argv, cwd, env, log_path, track)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, grace_s: float = _GRACE_S) -> int | None:
        return terminate_group(self.proc, grace_s=grace_s)


def spawn(
    argv: Sequence[str], *, cwd: Path, log_path: Path, env: Mapping[str, str] | None = None, track: bool = True
) -> ManagedProcess:
    """Start a long-running child. `track=False` leaves it out of `reaper.kill_all()` (an
    interrupt's first move): the caller must stop it, e.g. the Prefect server that has to
    outlive the agents' processes long enough to record the interrupted run."""
    return ManagedProcess(argv, cwd=cwd, log_path=log_path, env=env, track=track)
