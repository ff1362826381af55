"""Local environments: an embedded PostgreSQL per run and the service's releases as processes.

    Environments (pool.py)      one per pipeline run: the cluster + an Environment per name
    └── Environment (release.py) a database and the current Release; release / rollback / stop
        └── Release             one revision's Instances (ManagedProcess on a free port each)
    EmbeddedPostgres (postgres.py)  the throwaway cluster (runs as `postgres` when we are root)
    free_port (ports.py)

Everything started here is stopped by `close()`/`stop()`, and by `tasks.processes.reaper` if the
run is interrupted.
"""

from __future__ import annotations

from tasks.environment._placeholders import fill_env
from tasks.environment.pool import Environments
from tasks.environment.ports import free_port
from tasks.environment.postgres import EmbeddedPostgres, find_bindir
from tasks.environment.release import Environment, HistoryEntry, Instance, Release

__all__ = [
    "EmbeddedPostgres",
    "Environment",
    "Environments",
    "HistoryEntry",
    "Instance",
    "Release",
    "fill_env",
    "find_bindir",
    "free_port",
]
