"""Git context of a run: base and head revisions, changed files and changed line ranges.

Changed lines are the lines added or modified in head, as diff-cover defines them: the `+` lines
of `git diff --unified=0 base head` (renames followed, deletions ignored). Paths are relative to
the repository top level.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from tasks.errors import GitError

__all__ = ["GitContext", "changed_lines", "git", "resolve_context", "toplevel"]

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def git(repo: Path, *args: str, check: bool = True) -> str:
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if check and proc.returncode != 0:
        raise GitError(f"git {' '.join(args)} failed in {repo}: {proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def toplevel(path: Path) -> Path:
    try:
        return Path(git(path, "rev-parse", "--show-toplevel").strip())
    except GitError as exc:
        raise GitError(f"{path} is not inside a git repository (qeflow compares revisions): {exc}") from exc


def _rev(repo: Path, ref: str) -> str:
    try:
        return git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except GitError as exc:
        raise GitError(f"unknown revision {ref!r} in {repo}") from exc


def default_branch(repo: Path, configured: str | None = None) -> str | None:
    if configured:
        return configured
    origin_head = git(repo, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD", check=False).strip()
    if origin_head:
        return origin_head.removeprefix("refs/remotes/")
    for name in ("main", "master"):
        if git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{name}", check=False).strip():
            return name
    return None


def changed_lines(repo: Path, base: str, head: str, paths: Iterable[str] = ()) -> dict[str, list[int]]:
    """Map each file changed between base and head to its added/modified line numbers in head."""
    out = git(repo, "diff", "--unified=0", "--no-color", "--no-ext-diff", "-M", base, head, "--", *paths)
    result: dict[str, list[int]] = {}
    current: str | None = None
    for line in out.splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            current = None if target == "/dev/null" else target.removeprefix("b/")
            if current is not None:
                result.setdefault(current, [])
        elif line.startswith("@@") and current is not None:
            match = _HUNK.match(line)
            if match:
                start, count = int(match.group(1)), int(match.group(2) or "1")
                result[current].extend(range(start, start + count))
    return result


@dataclass(frozen=True)
class GitContext:
    """Everything a run knows about the change under test."""

    repo: Path
    base: str
    head: str
    base_ref: str
    head_ref: str
    service_path: str  # service root relative to the repo top level ("" at top level)
    changed: dict[str, list[int]] = field(default_factory=dict)

    @property
    def changed_files(self) -> list[str]:
        return sorted(self.changed)

    @property
    def short_head(self) -> str:
        return self.head[:10]

    def service_relative(self, repo_path: str) -> str | None:
        """A repo-relative path as seen from the service root, or None when outside it."""
        if not self.service_path:
            return repo_path
        prefix = self.service_path.rstrip("/") + "/"
        return repo_path[len(prefix) :] if repo_path.startswith(prefix) else None

    def to_json(self) -> dict[str, object]:
        return {
            "repo": str(self.repo),
            "base": self.base,
            "head": self.head,
            "base_ref": self.base_ref,
            "head_ref": self.head_ref,
            "service_path": self.service_path,
            "changed": self.changed,
        }


def resolve_context(
    service_dir: Path,
    *,
    base: str | None = None,
    head: str | None = None,
    default_branch_name: str | None = None,
    target: str | None = None,
) -> GitContext:
    """Resolve base and head for the service at `service_dir`.

    Head defaults to HEAD. Base defaults to the merge-base of head with the default branch, or
    with `target` (the branch a pull request goes into, e.g. refs/heads/release/2.1); when head is
    on that branch itself (the merge-base is head), base is head's first parent, i.e. what the
    latest push brought, and the empty tree for a root commit.
    """
    repo = toplevel(service_dir)
    head_ref = head or "HEAD"
    head_sha = _rev(repo, head_ref)
    if base:
        base_ref, base_sha = base, _rev(repo, base)
    else:
        if target:
            _rev(repo, target)  # a target that does not resolve is named, not silently replaced
        branch = target or default_branch(repo, default_branch_name)
        merge_base = ""
        if branch:
            merge_base = git(repo, "merge-base", head_sha, branch, check=False).strip()
        if merge_base and merge_base != head_sha:
            base_ref, base_sha = f"merge-base({branch})", merge_base
        else:
            parent = git(repo, "rev-parse", "--verify", "--quiet", f"{head_sha}^", check=False).strip()
            base_ref, base_sha = (f"{head_ref}^", parent) if parent else ("(empty tree)", EMPTY_TREE)
    service_path = str(service_dir.resolve().relative_to(repo.resolve()))
    service_path = "" if service_path == "." else service_path
    changed = changed_lines(repo, base_sha, head_sha, [service_path] if service_path else [])
    return GitContext(repo, base_sha, head_sha, base_ref, head_ref, service_path, changed)
