"""Releasing a revision of the service into a local environment, blue/green, with rollback.

An `Environment` (integration, staging, production...) is a database plus the instances of the
current release. `release(sha)` checks the revision out (a git worktree, packages ready),
migrates the database, starts `service.instances` instances on fresh ports and waits for their
health checks; only then does it stop the previous release. So a release that fails to become
healthy never takes the environment down: its own instances are stopped and the previous release
keeps serving, which is what the canary and auto-rollback policies rely on.

`rollback()` brings the previous release back the same way (new instances from its checkout,
then the current ones stop). Migrations are not undone: schemas are expected to stay backward
compatible across one release, as in any blue/green rollout.
"""

from __future__ import annotations

import itertools
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Literal

from tasks.config import DatabaseSettings, ServiceSettings
from tasks.environment._instance import HOST, Instance, launch_instance, wait_healthy
from tasks.environment._placeholders import Unavailable, fill_argv, fill_env
from tasks.errors import EnvironmentError_
from tasks.processes import run_command
from tasks.workspace import Workspace

__all__ = ["Environment", "HistoryEntry", "Instance", "Release"]

MIGRATE_TIMEOUT_S = 600.0


@dataclass
class Release:
    """One revision running in an environment: its instances and when they started."""

    sha: str
    service_dir: Path
    instances: list[Instance]
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    stopped_at: datetime | None = None
    extra_env: dict[str, str] = field(default_factory=dict)  # on top of [service] env; kept for rollback

    @property
    def base_urls(self) -> list[str]:
        return [instance.base_url for instance in self.instances]

    @property
    def ports(self) -> list[int]:
        return [instance.port for instance in self.instances]

    def alive(self) -> bool:
        """True while every instance's process runs."""
        return bool(self.instances) and all(instance.alive() for instance in self.instances)

    def stop(self) -> None:
        """Stop every instance (in parallel: each may take its grace period). Idempotent.

        Only the first call signals: later ones must not signal process groups whose ids the
        system may have handed out again since.
        """
        if self.stopped_at is not None:
            return
        if self.instances:
            with ThreadPoolExecutor(max_workers=len(self.instances)) as pool:
                list(pool.map(Instance.stop, self.instances))
        self.stopped_at = datetime.now(UTC)


@dataclass(frozen=True)
class HistoryEntry:
    """What an environment ran, and since when: `qeflow` reports and incidents quote this."""

    sha: str
    at: datetime
    action: Literal["release", "rollback"]


class Environment:
    """A named local environment: one database and the instances of its current release.

    `database_url` is None when the service has no database (`[database] mode = "none"`).
    Methods are serialised by a lock, so concurrent agents may share an environment.
    """

    def __init__(
        self,
        name: str,
        *,
        service: ServiceSettings,
        database: DatabaseSettings,
        database_url: str | None,
        workspace: Workspace,
        log_dir: Path,
        migrate_timeout_s: float = MIGRATE_TIMEOUT_S,
    ) -> None:
        self.name = name
        self.service = service
        self.database = database
        self.database_url = database_url
        self.workspace = workspace
        self.log_dir = Path(log_dir)
        self.migrate_timeout_s = migrate_timeout_s
        self._lock = threading.RLock()
        self._deployed: list[Release] = []  # a stack: the last one is current, the others stopped
        self._history: list[HistoryEntry] = []
        self._seq = itertools.count(1)

    def __repr__(self) -> str:
        current = self.current
        return f"Environment({self.name!r}, current={current.sha[:12] if current else None})"

    # -- state -------------------------------------------------------------------------------

    @property
    def current(self) -> Release | None:
        with self._lock:
            return self._deployed[-1] if self._deployed else None

    @property
    def base_urls(self) -> list[str]:
        """Base URLs of the current release's instances; empty when nothing is released."""
        current = self.current
        return current.base_urls if current else []

    @property
    def history(self) -> list[HistoryEntry]:
        with self._lock:
            return list(self._history)

    # -- actions -----------------------------------------------------------------------------

    def release(self, sha: str, extra_env: dict[str, str] | None = None) -> Release:
        """Check out, migrate, start and health-check `sha`; then stop the previous release."""
        with self._lock:
            service_dir = self.workspace.checkout(sha)
            self._migrate(sha, service_dir)
            new = self._launch(sha, service_dir, extra_env or {})
            previous = self.current
            self._deployed.append(new)
            self._history.append(HistoryEntry(sha, new.started_at, "release"))
            if previous is not None:
                previous.stop()
            return new

    def rollback(self) -> Release:
        """Bring the previous release back on fresh ports, then stop the current one."""
        with self._lock:
            if len(self._deployed) < 2:
                raise EnvironmentError_(
                    f"environment {self.name!r} has no previous release to roll back to "
                    f"(released: {[entry.sha[:12] for entry in self._history] or 'nothing'})"
                )
            current, previous = self._deployed[-1], self._deployed[-2]
            restored = self._launch(previous.sha, previous.service_dir, previous.extra_env)
            self._deployed[-2:] = [restored]
            self._history.append(HistoryEntry(previous.sha, restored.started_at, "rollback"))
            current.stop()
            return restored

    def stop(self) -> None:
        """Stop every instance this environment started. The history is kept."""
        with self._lock:
            for release in self._deployed:
                release.stop()

    def __enter__(self) -> Environment:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- internals ---------------------------------------------------------------------------

    def _migrate(self, sha: str, service_dir: Path) -> None:
        if not self.database.migrate:
            return
        values: dict[str, str | None] = {"database_url": self.database_url, "host": HOST}
        try:
            argv = fill_argv(self.database.migrate, values)
        except Unavailable as exc:
            raise EnvironmentError_(
                f"[database] migrate uses {{{exc.name}}}, which has no value while migrating "
                f"(environment {self.name!r}, database url: {self.database_url or 'none'})"
            ) from exc
        # Variables that need {port}/{base_url}/{instance} describe an instance: left out here.
        env = fill_env(self.service.env, values, drop_unavailable=True)
        log_path = self.log_dir / f"{self.name}-{sha[:12]}-migrate.log"
        result = run_command(argv, cwd=service_dir, log_path=log_path, env=env, timeout_s=self.migrate_timeout_s)
        if not result.ok:
            raise EnvironmentError_(
                f"migrating {self.name!r} for {sha[:12]} failed: {result.describe()}\n{result.tail(20)}"
            )

    def _launch(self, sha: str, service_dir: Path, extra_env: dict[str, str]) -> Release:
        seq = next(self._seq)
        instances: list[Instance] = []
        release = Release(sha=sha, service_dir=service_dir, instances=instances, extra_env=dict(extra_env))
        try:
            for index in range(self.service.instances):
                instances.append(
                    launch_instance(
                        index=index,
                        start=self.service.start,
                        env={**self.service.env, **extra_env},
                        port_env=self.service.port_env,
                        service_dir=service_dir,
                        database_url=self.database_url,
                        log_path=self.log_dir / f"{self.name}-r{seq}-{sha[:12]}-{index}.log",
                    )
                )
            wait_healthy(instances, health_path=self.service.health_path, timeout_s=self.service.health_timeout_s)
        except BaseException:
            release.stop()
            raise
        return release
