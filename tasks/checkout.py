"""Checkouts of a repository at one commit, for runs started by a webhook or a schedule.

A served run must not depend on the server's own working copy: it gets the repository from the
URL (or local path) in the event, at the event's sha. Each repository has a bare mirror under
`QEFLOW_HOME/mirrors`, fetched (all refs, so pull-request heads too) under a file lock; each run
clones the mirror into a checkout of its own, removed when the run ends. The checkout has a local
branch for every branch of the repository, so the merge-base with the default branch is found as
in a developer's clone.

Installed packages (node_modules...) are cached by the hash of the lockfile under
`QEFLOW_HOME/deps`: the first run with a given lockfile runs the install command and moves the
result there; later runs link it, as worktrees of a local run do.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tasks.config import DependencySettings
from tasks.errors import EnvironmentError_, GitError
from tasks.git import git
from tasks.workspace import drop_committed_link, install_dependencies

__all__ = ["Checkout", "install_cached", "qeflow_home", "repository_key"]

_SHA = re.compile(r"^[0-9a-fA-F]{7,40}$")


def qeflow_home() -> Path:
    """Where served runs keep mirrors, checkouts, cached packages and evidence (QEFLOW_HOME)."""
    home = Path(os.environ.get("QEFLOW_HOME") or Path.home() / ".qeflow").expanduser()
    home.mkdir(parents=True, exist_ok=True)
    return home.resolve()


def repository_key(repo: str) -> str:
    """A directory name for a repository URL or path: readable tail + hash of the whole."""
    tail = re.sub(r"[^A-Za-z0-9._-]+", "-", repo.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1]) or "repo"
    return f"{tail[:40]}-{hashlib.sha256(repo.encode()).hexdigest()[:12]}"


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (two flow runs fetching one mirror, installing one lockfile)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _source(repo: str) -> str:
    """A local path is resolved (git needs it absolute from the mirror's cwd); URLs pass through."""
    if "://" in repo or re.match(r"^[\w.-]+@[\w.-]+:", repo):
        return repo
    path = Path(repo).expanduser()
    if not path.exists():
        raise GitError(f"repository {repo!r}: no such path, and not a URL")
    return str(path.resolve())


class Checkout:
    """The repository `repo` at `rev` in a fresh directory; use as a context manager."""

    def __init__(self, repo: str, rev: str | None, home: Path | None = None) -> None:
        self.repo = repo
        self.rev = rev
        self.home = home or qeflow_home()
        self.mirror = self.home / "mirrors" / f"{repository_key(repo)}.git"
        self.root: Path | None = None
        self.sha: str | None = None

    def _update_mirror(self) -> None:
        source = _source(self.repo)
        with _locked(self.mirror.with_suffix(".lock")):
            if not (self.mirror / "HEAD").exists():
                shutil.rmtree(self.mirror, ignore_errors=True)
                self._git(None, "clone", "--mirror", "--quiet", source, str(self.mirror))
            else:
                self._git(self.mirror, "fetch", "--prune", "--force", "--quiet", "origin")

    def _git(self, repo: Path | None, *args: str) -> str:
        where = repo if repo is not None else self.home
        try:
            return git(where, *args)
        except GitError as exc:
            raise GitError(f"checking out {self.repo!r}: {exc}") from exc

    def __enter__(self) -> Checkout:
        if self.rev is not None and not (_SHA.match(self.rev) or self.rev.startswith("refs/")):
            raise GitError(f"checking out {self.repo!r}: {self.rev!r} is neither a commit sha nor a full ref")
        self._update_mirror()
        wanted = self.rev or "HEAD"
        found = git(self.mirror, "rev-parse", "--verify", "--quiet", f"{wanted}^{{commit}}", check=False).strip()
        if not found:
            raise GitError(f"{self.repo!r} has no commit {wanted!r} (after fetching every ref of it)")
        self.sha = found
        checkouts = self.home / "checkouts"
        checkouts.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f"{found[:12]}-", dir=checkouts))
        try:
            # A local clone of the mirror hardlinks its objects: fast, and independent of later fetches.
            self._git(None, "clone", "--quiet", "--no-checkout", str(self.mirror), str(self.root))
            # Local branches for every branch (the clone has only the remote's HEAD branch), so the
            # default branch resolves by name for merge-bases.
            self._git(self.root, "fetch", "--quiet", "--update-head-ok", str(self.mirror), "+refs/heads/*:refs/heads/*")
            self._git(self.root, "checkout", "--quiet", "--detach", found)
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __exit__(self, *exc: object) -> None:
        self.close()


def install_cached(service_dir: Path, deps: DependencySettings, name: str, home: Path | None = None) -> str:
    """Give `service_dir` its installed packages: a link into the cache, installing once per lockfile.

    Returns what was done ("linked", "installed", or "none" when the service declares no packages).
    """
    drop_committed_link(service_dir, deps)
    if not (deps.reuse and deps.lockfile and (service_dir / deps.lockfile).is_file()):
        if deps.install:
            _install(service_dir, deps.install, service_dir.parent)
            return "installed"
        return "none"
    digest = hashlib.sha256((service_dir / deps.lockfile).read_bytes()).hexdigest()[:20]
    cache = (home or qeflow_home()) / "deps" / name / digest
    target, here = cache / deps.reuse, service_dir / deps.reuse
    action = "linked"
    with _locked(cache.with_suffix(".lock")):
        if not target.is_dir():
            if not deps.install:
                return "none"
            _install(service_dir, deps.install, cache.parent)
            if not here.is_dir():
                raise EnvironmentError_(f"{' '.join(deps.install)} did not create {deps.reuse} in {service_dir}")
            cache.mkdir(parents=True, exist_ok=True)
            os.replace(here, target)
            action = "installed"
    if here.is_dir():
        shutil.rmtree(here)  # installed by a run that lost the race to fill the cache
    here.symlink_to(target, target_is_directory=True)
    return action


def _install(service_dir: Path, argv: list[str], log_dir: Path) -> None:
    install_dependencies(service_dir, argv, log_dir / f"install-{os.getpid()}.log", timeout_s=900)
