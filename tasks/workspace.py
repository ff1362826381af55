"""Checkouts of revisions as git worktrees, so base and head can be built and run side by side.

A worktree holds the tracked files only. Installed packages (node_modules, .venv) are reused from
the working copy when the lockfile is byte-identical, linked rather than copied; otherwise the
service's `dependencies.install` command runs in the checkout. Worktrees live in a temporary
directory of the run and are removed when the workspace closes.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

from tasks.config import DependencySettings
from tasks.errors import EnvironmentError_
from tasks.git import git
from tasks.processes import run_command

__all__ = ["Workspace", "drop_committed_link", "install_dependencies"]


def drop_committed_link(service_dir: Path, deps: DependencySettings) -> None:
    """A committed link to someone else's packages never stays: reusing or installing would write
    through it (npm ci empties node_modules first)."""
    if deps.reuse and (service_dir / deps.reuse).is_symlink():
        (service_dir / deps.reuse).unlink()


def install_dependencies(service_dir: Path, argv: list[str], log_path: Path, timeout_s: float = 600) -> None:
    """Run the service's install command in `service_dir`; raise with its output when it fails."""
    result = run_command(argv, cwd=service_dir, log_path=log_path, timeout_s=timeout_s)
    if not result.ok:
        raise EnvironmentError_(
            f"installing dependencies in {service_dir} failed: {result.describe()}\n{result.tail()}"
        )


class Workspace:
    def __init__(self, repo: Path, service_path: str, working_copy: Path, deps: DependencySettings, tag: str):
        self.repo = repo
        self.service_path = service_path
        self.working_copy = working_copy  # the service dir in the user's checkout
        self.deps = deps
        self.root = Path(tempfile.mkdtemp(prefix=f"qeflow-{tag}-"))
        self._lock = threading.Lock()
        self._checkouts: dict[str, Path] = {}
        self._rev_locks: dict[str, threading.Lock] = {}

    def checkout(self, sha: str, timeout_s: float = 600) -> Path:
        """Return the service directory of a worktree at `sha`, ready to run (packages installed)."""
        with self._lock:
            lock = self._rev_locks.setdefault(sha, threading.Lock())
        with lock:
            if sha in self._checkouts:
                return self._checkouts[sha]
            tree = self.root / sha[:12]
            git(self.repo, "worktree", "add", "--detach", "--force", str(tree), sha)
            service_dir = tree / self.service_path if self.service_path else tree
            self._prepare(service_dir, timeout_s)
            self._checkouts[sha] = service_dir
            return service_dir

    def _prepare(self, service_dir: Path, timeout_s: float) -> None:
        deps = self.deps
        drop_committed_link(service_dir, deps)
        if deps.reuse and deps.lockfile:
            mine = self.working_copy / deps.lockfile
            theirs = service_dir / deps.lockfile
            source = self.working_copy / deps.reuse
            if (
                source.is_dir()
                and mine.is_file()
                and theirs.is_file()
                and mine.read_bytes() == theirs.read_bytes()
                and not (service_dir / deps.reuse).exists()
            ):
                (service_dir / deps.reuse).symlink_to(source.resolve(), target_is_directory=True)
                return
        if deps.install:
            install_dependencies(
                service_dir, deps.install, self.root / f"install-{service_dir.parent.name}.log", timeout_s
            )

    def close(self) -> None:
        with self._lock:
            trees = list(self._checkouts.values())
            self._checkouts.clear()
        for service_dir in trees:
            tree = service_dir
            while tree.parent != self.root and tree != tree.parent:
                tree = tree.parent
            git(self.repo, "worktree", "remove", "--force", str(tree), check=False)
        git(self.repo, "worktree", "prune", check=False)
        shutil.rmtree(self.root, ignore_errors=True)
