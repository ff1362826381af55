"""A safety net for long-lived parents: adopt orphaned descendants, and stop them at the end.

`qeflow server` runs flow runs in processes its Prefect runner starts. A run stops what it started
when it ends or is cancelled, but a run killed outright (SIGKILL after the runner's grace period,
an out-of-memory kill) cannot: its service instances and embedded PostgreSQL (which pg_ctl
daemonises) would be re-parented to init and live on. As a Linux child subreaper the server
adopts them instead, so when it stops it can find every process that descends from it and end
them: SIGTERM, a grace period, then SIGKILL.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import time
from collections.abc import Iterable
from pathlib import Path

__all__ = ["become_subreaper", "descendants", "parent_map", "stop_descendants"]

_PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> bool:
    """Ask Linux to re-parent this process's orphaned descendants to it. False where unsupported."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def parent_map() -> dict[int, int]:
    """pid -> parent pid of every live process (zombies left out), read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            fields = stat.rsplit(")", 1)[-1].split()  # comm may hold spaces and parentheses
            if fields[0] != "Z":  # zombies are gone already
                parents[int(entry.name)] = int(fields[1])
    return parents


def descendants(pid: int | None = None) -> list[int]:
    """Every live process below `pid` (default: this process), by parent links."""
    root = os.getpid() if pid is None else pid
    parents = parent_map()
    children: dict[int, list[int]] = {}
    for child, parent in parents.items():
        children.setdefault(parent, []).append(child)
    found: list[int] = []
    todo = list(children.get(root, []))
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return sorted(found)


def stop_descendants(keep: Iterable[int] = (), grace_s: float = 10.0) -> list[int]:
    """SIGTERM every descendant not in `keep` (nor below it), SIGKILL what is left after `grace_s`.

    Returns the pids that were signalled.
    """
    kept = set(keep)
    for pid in list(kept):
        kept.update(descendants(pid))
    targets = [pid for pid in descendants() if pid not in kept]
    for pid in targets:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        alive = set(descendants())
        if not alive.intersection(targets):
            break
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0] > 0:  # adopted orphans are ours to reap
                pass
        time.sleep(0.1)
    for pid in targets:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass
    return targets
