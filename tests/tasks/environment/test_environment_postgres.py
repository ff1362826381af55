"""The embedded PostgreSQL cluster: starts, serves databases, and leaves nothing behind."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import psutil
import pytest

from tasks.environment import EmbeddedPostgres
from tasks.environment import postgres as postgres_module
from tasks.errors import EnvironmentError_
from tasks.processes import reaper


def _psql(pg: EmbeddedPostgres, database: str, sql: str) -> str:
    argv = [str(pg.bindir / "psql"), "-X", "-A", "-t", "-h", "127.0.0.1", "-p", str(pg.port)]
    argv += ["-U", "postgres", "-d", database, "-c", sql]
    return subprocess.run(argv, check=True, capture_output=True, text=True, timeout=30).stdout.strip()


def _processes_in(*dirs: Path) -> list[psutil.Process]:
    """Live processes whose command line mentions any of `dirs`."""
    needles = [str(d) for d in dirs]
    found = []
    for proc in psutil.process_iter(["cmdline", "status"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if proc.info["status"] != psutil.STATUS_ZOMBIE and any(n in cmdline for n in needles):
            found.append(proc)
    return found


def test_missing_binaries_name_the_apt_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(postgres_module, "PG_BINDIR", tmp_path / "nowhere")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EnvironmentError_, match="apt package `postgresql`") as info:
        EmbeddedPostgres(tmp_path / "pg")
    assert "initdb" in str(info.value)


def test_database_names_are_checked(tmp_path: Path) -> None:
    pg = EmbeddedPostgres(tmp_path / "pg")
    with pytest.raises(ValueError, match="letters, digits or underscores"):
        pg._checked("bad-name; drop")


def test_url_needs_a_started_cluster(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentError_, match="not started"):
        EmbeddedPostgres(tmp_path / "pg").url("x")


@pytest.mark.slow
def test_cluster_serves_a_database_and_stop_leaves_nothing(tmp_path: Path) -> None:
    base = tmp_path / "pg"
    pg = EmbeddedPostgres(base)
    with pg:
        url = pg.create_database("qeflow_staging")
        assert url == f"postgresql://postgres@127.0.0.1:{pg.port}/qeflow_staging"
        assert pg.create_database("qeflow_staging") == url  # idempotent
        assert _psql(pg, "qeflow_staging", "SELECT 1") == "1"
        assert _processes_in(pg.data_dir), "the server should run while the cluster is open"
        pg.drop_database("qeflow_staging")
        assert _psql(pg, "postgres", "SELECT count(*) FROM pg_database WHERE datname = 'qeflow_staging'") == "0"
    assert _processes_in(base, pg.cluster_dir) == []
    assert not base.exists()
    assert not pg.cluster_dir.exists()
    pg.stop()  # idempotent


@pytest.mark.slow
def test_two_clusters_at_once_get_distinct_ports(tmp_path: Path) -> None:
    with EmbeddedPostgres(tmp_path / "a") as a, EmbeddedPostgres(tmp_path / "b") as b:
        assert a.port != b.port
        a.create_database("one")
        b.create_database("two")
        assert _psql(a, "one", "SELECT 1") == "1"
        assert _psql(b, "two", "SELECT 2") == "2"
    assert _processes_in(tmp_path) == []


@pytest.mark.slow
def test_reaper_stops_a_started_cluster(tmp_path: Path) -> None:
    base = tmp_path / "pg"
    pg = EmbeddedPostgres(base)
    pg.start()
    assert _processes_in(pg.data_dir)
    reaper.kill_all()
    assert _processes_in(base, pg.cluster_dir) == []
    assert not base.exists()


@pytest.mark.slow
def test_start_retries_on_a_taken_port(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    handed_out: list[int] = []
    real_free_port = postgres_module.free_port

    def first_taken() -> int:
        handed_out.append(taken.getsockname()[1] if not handed_out else real_free_port())
        return handed_out[-1]

    monkeypatch.setattr(postgres_module, "free_port", first_taken)
    with taken, EmbeddedPostgres(tmp_path / "pg") as pg:
        assert len(handed_out) == 2
        assert pg.port == handed_out[1]
        assert _psql(pg, "postgres", "SELECT 1") == "1"
