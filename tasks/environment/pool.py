"""The environments of one pipeline run, sharing one embedded PostgreSQL cluster.

Starting a cluster costs about a second and a half, a database a few milliseconds: so a run
starts one cluster, lazily (a run whose agents never need an environment starts none), and
isolates environments by database (`qeflow_<name>`). Agents run concurrently, so `get()` is
thread-safe and creates each environment once.

Database modes (`[database] mode` in qeflow.toml):

- `embedded`: the cluster above; each environment gets its own database.
- `url`: the URL is used as given by every environment. They share that database: qeflow does
  not create or drop databases on a server it does not own.
- `none`: no database; `Environment.database_url` is None.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path
from types import TracebackType

from tasks.config import DatabaseSettings, ServiceSettings
from tasks.environment.postgres import EmbeddedPostgres
from tasks.environment.release import Environment
from tasks.errors import EnvironmentError_
from tasks.workspace import Workspace

__all__ = ["Environments"]

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")


class Environments:
    """Creates and owns the run's environments; `close()` stops them all, then the cluster."""

    def __init__(
        self,
        *,
        service: ServiceSettings,
        database: DatabaseSettings,
        workspace: Workspace,
        work_dir: Path,
        run_tag: str,
    ) -> None:
        self.service = service
        self.database = database
        self.workspace = workspace
        self.work_dir = Path(work_dir)
        self.run_tag = run_tag
        self._lock = threading.Lock()
        self._envs: dict[str, Environment] = {}
        self._cluster: EmbeddedPostgres | None = None
        self._closed = False

    @property
    def cluster(self) -> EmbeddedPostgres | None:
        """The embedded cluster once started (mode = embedded and an environment was asked for)."""
        return self._cluster

    def names(self) -> list[str]:
        with self._lock:
            return list(self._envs)

    def get(self, name: str) -> Environment:
        """The environment `name` (e.g. "integration"), created with its database on first use."""
        if not _NAME.match(name):
            raise ValueError(
                f"environment name {name!r} must start with a lowercase letter and hold only "
                "lowercase letters, digits, '-' or '_' (at most 41 characters)"
            )
        with self._lock:
            if self._closed:
                raise EnvironmentError_(f"the environments of run {self.run_tag!r} are closed")
            env = self._envs.get(name)
            if env is None:
                env = Environment(
                    name,
                    service=self.service,
                    database=self.database,
                    database_url=self._database_for(name),
                    workspace=self.workspace,
                    log_dir=self.work_dir / "logs" / name,
                )
                self._envs[name] = env
            return env

    def _database_for(self, name: str) -> str | None:
        mode = self.database.mode.value
        if mode == "none":
            return None
        if mode == "url":
            if not self.database.url:
                raise EnvironmentError_('[database] mode = "url" needs [database] url (a postgresql:// URL)')
            return self.database.url
        if self._cluster is None:
            cluster = EmbeddedPostgres(self.work_dir / "postgres")
            try:
                cluster.start()
            except BaseException:
                cluster.stop()
                raise
            self._cluster = cluster
        return self._cluster.create_database("qeflow_" + name.replace("-", "_"))

    def rollback_all(self) -> list[dict[str, str | None]]:
        """The rollback policy's action: every environment with a release goes back one release.

        An environment with nothing earlier to return to has its failed release stopped, so the
        bad revision stops serving either way; each entry says which of the two happened.
        """
        with self._lock:
            envs = list(self._envs.items())
        done: list[dict[str, str | None]] = []
        for name, env in envs:
            current = env.current
            if current is None:
                continue
            try:
                restored = env.rollback()
                done.append({"environment": name, "from": current.sha, "to": restored.sha, "result": "rolled back"})
            except EnvironmentError_ as exc:
                current.stop()
                done.append(
                    {
                        "environment": name,
                        "from": current.sha,
                        "to": None,
                        "result": f"release stopped, nothing earlier to return to ({exc})",
                    }
                )
        return done

    def close(self) -> None:
        """Stop every environment's instances, then the cluster. Idempotent."""
        with self._lock:
            self._closed = True
            envs = list(self._envs.values())
            cluster, self._cluster = self._cluster, None
        errors: list[Exception] = []
        for env in envs:
            try:
                env.stop()
            except Exception as exc:  # keep stopping the others; report the first failure
                errors.append(exc)
        if cluster is not None:
            cluster.stop()
        if errors:
            raise errors[0]

    def __enter__(self) -> Environments:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
