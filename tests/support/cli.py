"""The real `qeflow` command in a subprocess, and the processes a run leaves behind.

`QeflowCli(workdir)` runs `python -m deployments.cli ...` the way a user or a CI job does, in a
hermetic environment: a PREFECT_HOME of its own under `workdir` (ephemeral Prefect on SQLite, never
the developer's profile or API URL), no inherited PREFECT_* setting, no terminal width (stdout is a
pipe, as in CI logs), a git identity, and a marker variable whose value is unique to each run.
Every process the run starts inherits the marker, which is how `leftover_processes(mark)` tells
this run's processes from anyone else's (another test session, a colleague's run) without
guessing by name alone. Each run leads its own session, so a test can signal its group only.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

__all__ = [
    "MARK_VAR",
    "REPO_ROOT",
    "CliResult",
    "Leftover",
    "QeflowCli",
    "kill_leftovers",
    "leftover_processes",
    "wait_for_no_leftovers",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
MARK_VAR = "QEFLOW_E2E_RUN"
SETTLE_S = 10.0
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "qeflow tests",
    "GIT_AUTHOR_EMAIL": "tests@qeflow.invalid",
    "GIT_COMMITTER_NAME": "qeflow tests",
    "GIT_COMMITTER_EMAIL": "tests@qeflow.invalid",
}
# What a run starts: the Prefect ephemeral server (uvicorn), the team's tools (npm, node), the
# embedded PostgreSQL (initdb, pg_ctl, postgres).
_STARTED_BY_QEFLOW = re.compile(r"\b(node|npm|postgres|pg_ctl|initdb|uvicorn|prefect)\b")


def _tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:]) or "(empty)"


@dataclass(frozen=True)
class CliResult:
    args: tuple[str, ...]
    mark: str
    returncode: int
    stdout: str
    stderr: str
    duration_s: float

    def json(self) -> Any:
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError as exc:
            raise AssertionError(f"stdout of the run is not JSON ({exc}):\n{self}") from exc

    def __str__(self) -> str:
        return (
            f"`qeflow {' '.join(self.args)}` exited {self.returncode} after {self.duration_s:.1f}s\n"
            f"--- stdout (tail) ---\n{_tail(self.stdout)}\n--- stderr (tail) ---\n{_tail(self.stderr)}"
        )


class QeflowCli:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.prefect_home = workdir / "prefect-home"
        self.prefect_home.mkdir(parents=True, exist_ok=True)

    def env(self, mark: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_") and k not in ("COLUMNS", "LINES")}
        env.update(GIT_IDENTITY)
        env.update(
            PREFECT_HOME=str(self.prefect_home),
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            DO_NOT_TRACK="1",
            PACT_DO_NOT_TRACK="true",
        )
        env[MARK_VAR] = mark
        return env

    def start(self, *args: str, label: str = "qeflow") -> tuple[subprocess.Popen[str], str]:
        """Start `qeflow ARGS` in its own session; return the process and its run marker."""
        mark = f"{label}-{uuid.uuid4().hex[:12]}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "deployments.cli", *args],
            cwd=REPO_ROOT,
            env=self.env(mark),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        return proc, mark

    def finish(
        self, proc: subprocess.Popen[str], mark: str, args: Iterable[str], t0: float, timeout_s: float = 300
    ) -> CliResult:
        try:
            out, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            kill_leftovers(mark)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            raise AssertionError(
                f"`qeflow {' '.join(args)}` still running after {timeout_s:g}s; killed\n"
                f"--- stdout ---\n{_tail(out)}\n--- stderr ---\n{_tail(err)}"
            ) from None
        return CliResult(tuple(args), mark, proc.returncode, out, err, time.monotonic() - t0)

    def run(self, *args: str, label: str = "qeflow", timeout_s: float = 300) -> CliResult:
        t0 = time.monotonic()
        proc, mark = self.start(*args, label=label)
        return self.finish(proc, mark, args, t0, timeout_s)


@dataclass(frozen=True)
class Leftover:
    pid: int
    description: str

    def __str__(self) -> str:
        return self.description


def _marked(proc: psutil.Process, mark: str) -> bool:
    try:
        return proc.environ().get(MARK_VAR) == mark
    except (psutil.Error, OSError):
        return False


def leftover_processes(mark: str, paths: Iterable[str] = (), since: float = 0.0) -> list[Leftover]:
    """Live processes of the run marked `mark`, created at or after `since` (epoch seconds).

    A process is the run's when it carries the marker; or when it is a node/npm/postgres/pg_ctl/
    initdb/uvicorn/prefect process whose command line or working directory holds one of `paths`
    (the run's temporary directories, its run id); or when it is a postgres backend whose parent
    carries the marker (PostgreSQL overwrites its children's environment with their titles).
    """
    paths = [p for p in paths if p]
    found: list[Leftover] = []
    for proc in psutil.process_iter(["pid", "ppid", "name", "cmdline", "create_time", "status"]):
        info = proc.info
        if info["pid"] == os.getpid() or info["status"] == psutil.STATUS_ZOMBIE:
            continue
        if (info["create_time"] or 0.0) < since:
            continue
        name = info["name"] or ""
        cmdline = " ".join(info["cmdline"] or [])
        ours = _marked(proc, mark)
        if not ours and _STARTED_BY_QEFLOW.search(f"{name} {cmdline}"):
            try:
                cwd = proc.cwd()
            except (psutil.Error, OSError):
                cwd = ""
            ours = any(p in cmdline or p in cwd for p in paths)
            if not ours and name == "postgres":
                with contextlib.suppress(psutil.Error):
                    parent = proc.parent()
                    ours = parent is not None and _marked(parent, mark)
        if ours:
            found.append(Leftover(info["pid"], f"pid {info['pid']} ({name}, parent {info['ppid']}): {cmdline[:240]}"))
    return found


def wait_for_no_leftovers(
    mark: str, paths: Iterable[str] = (), since: float = 0.0, settle_s: float = SETTLE_S
) -> list[Leftover]:
    """Poll until the run has no live process left, for up to `settle_s`; return what is left."""
    paths = list(paths)
    deadline = time.monotonic() + settle_s
    while True:
        left = leftover_processes(mark, paths, since)
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.25)


def kill_leftovers(mark: str, paths: Iterable[str] = (), since: float = 0.0) -> None:
    """SIGKILL what a failed test's run left behind (only processes attributed to that run)."""
    for leftover in leftover_processes(mark, paths, since):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(leftover.pid, signal.SIGKILL)
