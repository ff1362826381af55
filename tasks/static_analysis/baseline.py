"""New versus existing findings: the base revision, analysed only where the change touched it.

A finding at head is *existing* (debt) when its file did not change between base and head (the
same file gives the same findings), or when the base version of that file has a finding with the
same fingerprint. Everything else is *new*. With no base (the empty tree: a first commit) every
finding is new.

`BaseTree` lays out the base versions of the changed target files so the tools can run on them
exactly as they run at head: a temporary directory shaped like the head checkout, where every
other entry (eslint.config.js, pyproject.toml, tsconfig.json, node_modules, .venv...) is a link
into head. The base code is therefore judged with head's configuration and rules, so a finding
counts as new because the code changed, never because the rules did. Nothing needs installing at
base, and a renamed file is laid out under its new name so its findings keep their fingerprints.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from types import TracebackType

from tasks.errors import GitError
from tasks.static_analysis.model import ToolFinding

__all__ = ["BaseTree", "classify"]


def _read_blobs(repo: Path, rev: str, repo_paths: list[str]) -> dict[str, bytes]:
    """Contents of files at a revision, in one `git cat-file --batch` call."""
    if not repo_paths:
        return {}
    request = "".join(f"{rev}:{path}\n" for path in repo_paths).encode("utf-8")
    proc = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch"], input=request, capture_output=True, check=False
    )
    if proc.returncode != 0:
        raise GitError(f"git cat-file --batch failed in {repo}: {proc.stderr.decode(errors='replace').strip()}")
    out, pos, blobs = proc.stdout, 0, {}
    for path in repo_paths:
        newline = out.index(b"\n", pos)
        header = out[pos:newline].decode("utf-8", errors="replace").split()
        pos = newline + 1
        if len(header) == 2 and header[1] == "missing":
            continue
        size = int(header[2])
        blobs[path] = out[pos : pos + size]
        pos += size + 1  # the content is followed by a newline
    return blobs


class BaseTree:
    """A temporary directory that looks like the head checkout, holding base versions of some files.

    `files` maps head path -> base path (service-relative) of the files to analyse at base; a
    file whose base path does not exist at base is left out (it was added).
    """

    def __init__(self, repo: Path, base: str, service_path: str, head_dir: Path, files: Mapping[str, str]):
        self.head_dir = head_dir
        self.root = Path(tempfile.mkdtemp(prefix="qeflow-static-base-"))
        prefix = f"{service_path.rstrip('/')}/" if service_path else ""
        blobs = _read_blobs(repo, base, [prefix + base_path for base_path in files.values()])
        self.files: list[str] = []
        for head_path, base_path in sorted(files.items()):
            content = blobs.get(prefix + base_path)
            if content is None:
                continue
            target = self.root / head_path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            self.files.append(head_path)
        self._link_the_rest(set(files))

    def _link_the_rest(self, analysed: set[str]) -> None:
        """Link every entry of head that is neither an analysed file nor a directory holding one."""
        holders = {str(parent) for path in analysed for parent in PurePosixPath(path).parents if str(parent) != "."}
        pending = [""]
        while pending:
            rel = pending.pop()
            source = self.head_dir / rel if rel else self.head_dir
            for entry in os.scandir(source):
                child = f"{rel}/{entry.name}" if rel else entry.name
                if child in analysed:
                    continue
                if child in holders:
                    (self.root / child).mkdir(parents=True, exist_ok=True)
                    pending.append(child)
                elif not (self.root / child).exists():
                    (self.root / child).symlink_to(Path(entry.path), target_is_directory=entry.is_dir())

    def path(self, rel: str) -> Path:
        return self.root / rel

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> BaseTree:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


def classify(head: Iterable[ToolFinding], base: Iterable[ToolFinding], changed: Iterable[str]) -> list[ToolFinding]:
    """Mark each head finding new or existing (see the module docstring)."""
    changed_set = set(changed)
    known = {finding.fingerprint for finding in base}
    return [
        dataclasses.replace(finding, new=finding.path in changed_set and finding.fingerprint not in known)
        for finding in head
    ]
