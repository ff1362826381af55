"""The evidence store: the pipeline's memory (DESIGN.md, "Evidence").

    <store>/<run-id>/
        run.json                      what was run: service, base, head, phases, config path
        <phase>/<agent>/...           raw tool outputs and report.json of each agent
        <phase>/gate.json             the gate verdict
        <phase>/policy.json           what the rollback policy did (when the gate failed)
        report.json / report.md / report.html / gates.junit.xml

The store is a local path or an fsspec URL (`memory://`, `s3://...`, `file://...`). Agents always
write to a local directory (`RunDir.local`); for a remote store that directory is a staging area
and `RunDir.publish()` uploads it, so tools that only write local files work everywhere. A run
directory is created exclusively: a rerun never overwrites an earlier run.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fsspec
from fsspec.implementations.local import LocalFileSystem

from tasks.errors import EvidenceError

__all__ = ["EvidenceStore", "RunDir", "copy_into", "find_phase_run", "new_run_id", "open_run_dir"]


def new_run_id(head_sha: str, now: datetime | None = None) -> str:
    """Sortable by time, readable, and unique even for two runs started in the same second."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{head_sha[:7]}-{secrets.token_hex(3)}"


class RunDir:
    """One run's directory: a local working copy plus, for remote stores, where it is published."""

    def __init__(self, store: EvidenceStore, run_id: str, local: Path):
        self.store = store
        self.run_id = run_id
        self.local = local

    def path(self, *parts: str) -> Path:
        target = self.local.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def agent_dir(self, phase: str, agent: str) -> Path:
        target = self.local / phase / agent
        target.mkdir(parents=True, exist_ok=True)
        return target

    def relative(self, path: Path) -> str:
        return str(path.resolve().relative_to(self.local.resolve()))

    def write_json(self, relpath: str, data: Any) -> Path:
        target = self.path(relpath)
        tmp = target.with_suffix(target.suffix + ".tmp")
        tmp.write_text(json.dumps(data, indent=2, default=str, sort_keys=False) + "\n", encoding="utf-8")
        tmp.replace(target)
        return target

    def read_json(self, relpath: str) -> Any:
        target = self.local / relpath
        try:
            return json.loads(target.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise EvidenceError(f"{target}: missing from the run directory") from exc
        except json.JSONDecodeError as exc:
            raise EvidenceError(f"{target}: not valid JSON ({exc})") from exc

    def exists(self, relpath: str) -> bool:
        return (self.local / relpath).exists()

    def publish(self) -> None:
        """Upload the local copy to a remote store (no-op for a local store)."""
        if self.store.is_local:
            return
        self.store.fs.put(str(self.local) + "/", self.store.join(self.run_id), recursive=True)

    @property
    def url(self) -> str:
        return str(self.local) if self.store.is_local else self.store.join(self.run_id)


class EvidenceStore:
    def __init__(self, url: str | Path):
        self.url = str(url)
        self.fs, self.root = fsspec.core.url_to_fs(self.url)
        self.is_local = isinstance(self.fs, LocalFileSystem)
        if self.is_local:
            self.root = str(Path(self.root).resolve())

    def join(self, *parts: str) -> str:
        return "/".join([self.root.rstrip("/"), *parts])

    def create_run(self, head_sha: str) -> RunDir:
        for _ in range(5):
            run_id = new_run_id(head_sha)
            if self.is_local:
                local = Path(self.root) / run_id
                local.parent.mkdir(parents=True, exist_ok=True)
                try:
                    local.mkdir()  # exclusive: never reuse a directory
                except FileExistsError:
                    continue
                return RunDir(self, run_id, local)
            if not self.fs.exists(self.join(run_id)):
                staging = Path(tempfile.mkdtemp(prefix=f"qeflow-{run_id}-"))
                self.fs.makedirs(self.join(run_id), exist_ok=True)
                return RunDir(self, run_id, staging)
        raise EvidenceError(f"could not create a unique run directory under {self.url}")

    def open_run(self, run_id: str) -> RunDir:
        if self.is_local:
            local = Path(self.root) / run_id
            if not local.is_dir():
                raise EvidenceError(f"{local}: no such run directory")
            return RunDir(self, run_id, local)
        remote = self.join(run_id)
        if not self.fs.exists(remote):
            raise EvidenceError(f"{remote}: no such run directory")
        staging = Path(tempfile.mkdtemp(prefix=f"qeflow-{run_id}-"))
        self.fs.get(remote + "/", str(staging) + "/", recursive=True)
        return RunDir(self, run_id, staging)

    def run_ids(self) -> list[str]:
        if self.is_local:
            root = Path(self.root)
            return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []
        if not self.fs.exists(self.root):
            return []
        return sorted(Path(p).name for p in self.fs.ls(self.root, detail=False))

    def reports(self, newest_first: bool = True) -> Iterator[tuple[str, dict[str, Any]]]:
        """Yield (run_id, report.json) of every finished run, newest first."""
        ids = self.run_ids()
        for run_id in reversed(ids) if newest_first else ids:
            path = self.join(run_id, "report.json")
            try:
                with self.fs.open(path, "r", encoding="utf-8") as handle:
                    yield run_id, json.load(handle)
            except (FileNotFoundError, json.JSONDecodeError):
                continue  # a run still in progress, or one that crashed before its report


def find_phase_run(store: EvidenceStore, service: str, head: str, phase: str, exclude: str | None = None) -> str | None:
    """The newest finished run of `service` at `head` whose `phase` passed, for evidence reuse."""
    for run_id, report in store.reports(newest_first=True):
        if run_id == exclude or report.get("service") != service or report.get("git", {}).get("head") != head:
            continue
        if any(p.get("name") == phase and p.get("status") == "passed" for p in report.get("phases", [])):
            return run_id
    return None


def open_run_dir(path: str | Path) -> RunDir:
    """Open an existing run directory given its own path or URL (for `qeflow report`, `recheck`)."""
    text = str(path).rstrip("/")
    parent, _, run_id = text.rpartition("/")
    store = EvidenceStore(parent or ".")
    return store.open_run(run_id)


def copy_into(src: Path, dest_dir: Path) -> Path:
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / src.name
    shutil.copy2(src, target)
    return target
