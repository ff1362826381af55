"""Which operations the api-tests agent tests: a small, self-contained OpenAPI diff.

An operation is `METHOD /path` (schemathesis' label). It counts as *changed* between base and
head when its resolved definition differs: its parameters (path-level ones merged in, an
operation-level parameter overriding a path-level one of the same name and location), its
request body and its responses, with every `$ref` (local or to another file) followed. The
comparison uses a digest of the resolved structure, computed once per referenced node, so a large
document with deeply shared schemas is cheap; recursive schemas are followed until they repeat.

Rules, first match wins; the report names the rule and lists the operations:

    all             `select = "all"` in the config
    no-base-spec    base has no spec (a new service or a new spec): every operation
    source-changed  a file of the service other than the spec, tests and docs changed between
                    base and head: code changes can affect any endpoint, so every operation
    spec-diff       otherwise: the operations added or changed in the spec (maybe none)
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from tasks.api_tests._digests import Loader, SpecError, load_document, operation_digests
from tasks.git import GitContext, git

__all__ = [
    "DEFAULT_IGNORED_CHANGES",
    "HeadSpec",
    "Selection",
    "read_spec_at",
    "select_operations",
    "source_changes",
    "spec_selection",
]

# Service-relative paths whose changes cannot change the API's behaviour (fnmatch; `*` spans `/`).
DEFAULT_IGNORED_CHANGES: tuple[str, ...] = (
    "test/*",
    "tests/*",
    "__tests__/*",
    "spec/*",
    "docs/*",
    "doc/*",
    "*.md",
    "*.rst",
    "*.test.*",
    "*.spec.*",
    "*_test.*",
    "test_*.py",
    "LICENSE*",
    ".gitignore",
    ".editorconfig",
)

# -- reading specs from git ---------------------------------------------------------------------


def read_spec_at(repo: Path, rev: str, repo_path: str) -> tuple[Any, Loader] | None:
    """The parsed spec at `rev` and a loader for files it references, or None if it is absent."""
    if not _exists_at(repo, rev, repo_path):
        return None
    document = load_document(git(repo, "show", f"{rev}:{repo_path}"), repo_path)
    spec_dir = posixpath.dirname(repo_path)

    def load(relative: str) -> Any:  # a path relative to the spec's directory
        target = posixpath.normpath(posixpath.join(spec_dir, relative))
        if target == ".." or target.startswith("../") or not _exists_at(repo, rev, target):
            return None
        return load_document(git(repo, "show", f"{rev}:{target}"), target)

    return document, load


def _exists_at(repo: Path, rev: str, repo_path: str) -> bool:
    return bool(git(repo, "ls-tree", "--name-only", rev, "--", repo_path, check=False).strip())


def source_changes(
    changed_service_paths: Iterable[str], spec: str, ignored: Sequence[str] = DEFAULT_IGNORED_CHANGES
) -> list[str]:
    """Changed service files that may change behaviour: not the spec, not tests or docs."""
    spec = posixpath.normpath(spec)
    return sorted(
        path
        for path in changed_service_paths
        if posixpath.normpath(path) != spec and not any(fnmatchcase(path, pattern) for pattern in ignored)
    )


# -- the selection ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    rule: str  # all | no-base-spec | source-changed | spec-diff
    reason: str
    operations: list[str]  # to test, in spec order
    all_operations: list[str]
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    source_files: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "reason": self.reason,
            "operations": self.operations,
            "all_operations": self.all_operations,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "source_files": self.source_files,
        }


def select_operations(
    head: Mapping[str, str],
    base: Mapping[str, str] | None,
    *,
    mode: str = "changed",
    source_files: Sequence[str] = (),
) -> Selection:
    """Apply the rules (module docstring) to the digests of head and base (None: no base spec)."""
    everything = list(head)
    added = [op for op in head if base is not None and op not in base]
    changed = [op for op in head if base is not None and op in base and base[op] != head[op]]
    removed = [op for op in base or {} if op not in head]
    diff = {"added": added, "changed": changed, "removed": removed}
    if mode == "all":
        return Selection("all", 'select = "all": every operation', everything, everything, **diff)
    if base is None:
        return Selection("no-base-spec", "no spec at base: every operation is new", everything, everything)
    if source_files:
        shown = ", ".join(source_files[:5]) + (f" and {len(source_files) - 5} more" if len(source_files) > 5 else "")
        return Selection(
            "source-changed",
            f"service code changed ({shown}): any operation may be affected",
            everything,
            everything,
            source_files=list(source_files),
            **diff,
        )
    selected = [op for op in head if op in set(added) | set(changed)]
    reason = (
        f"spec diff: {len(added)} added, {len(changed)} changed"
        if selected
        else "spec diff: no operation added or changed, and no service code changed"
    )
    return Selection("spec-diff", reason, selected, everything, **diff)


@dataclass(frozen=True)
class HeadSpec:
    """The spec at head as read from git: for the selection and the reproduction files."""

    repo_path: str  # relative to the repository top level
    document: Any
    load: Loader

    @property
    def name(self) -> str:
        return posixpath.basename(self.repo_path)


def spec_selection(ctx_git: GitContext, spec: str, mode: str, ignored: Sequence[str]) -> tuple[Selection, HeadSpec]:
    """Read the spec at base and head (`git show`) and apply the rules."""
    repo_path = posixpath.normpath(posixpath.join(ctx_git.service_path, spec) if ctx_git.service_path else spec)
    name = posixpath.basename(repo_path)
    head = read_spec_at(ctx_git.repo, ctx_git.head, repo_path)
    if head is None:
        raise SpecError(
            f"no OpenAPI document {spec!r} in the service at head {ctx_git.short_head}: set "
            "[agents.api-tests] spec to its path (relative to the service), or enabled = false"
        )
    head_ops = operation_digests(head[0], head[1], name)
    base = read_spec_at(ctx_git.repo, ctx_git.base, repo_path)
    base_ops = None if base is None else operation_digests(base[0], base[1], name)
    service_paths = [p for p in (ctx_git.service_relative(f) for f in ctx_git.changed_files) if p is not None]
    sources = source_changes(service_paths, spec, ignored)
    selection = select_operations(head_ops, base_ops, mode=mode, source_files=sources)
    return selection, HeadSpec(repo_path, head[0], head[1])
