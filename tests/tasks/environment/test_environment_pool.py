"""The run's environments: one lazy cluster, one database per environment, all closed at the end."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

from tasks.config import DatabaseSettings, ServiceSettings
from tasks.environment import Environments
from tasks.errors import EnvironmentError_
from tasks.workspace import Workspace


def _pool(workspace: Workspace, tmp_path: Path, service: ServiceSettings, **db: object) -> Environments:
    return Environments(
        service=service,
        database=DatabaseSettings(**db),  # type: ignore[arg-type]
        workspace=workspace,
        work_dir=tmp_path / "run",
        run_tag="t1",
    )


def test_mode_none_gives_no_database_and_starts_no_cluster(
    workspace: Workspace, tmp_path: Path, make_service: Callable[..., ServiceSettings]
) -> None:
    with _pool(workspace, tmp_path, make_service(), mode="none") as pool:
        env = pool.get("integration")
        assert env.database_url is None
        assert pool.get("integration") is env
        assert pool.cluster is None
    with pytest.raises(EnvironmentError_, match="closed"):
        pool.get("integration")


def test_mode_url_uses_the_url_as_given(
    workspace: Workspace, tmp_path: Path, make_service: Callable[..., ServiceSettings]
) -> None:
    url = "postgresql://app@db.example:5432/app"
    with _pool(workspace, tmp_path, make_service(), mode="url", url=url) as pool:
        assert pool.get("staging").database_url == url
        assert pool.get("production").database_url == url


def test_environment_names_are_checked(
    workspace: Workspace, tmp_path: Path, make_service: Callable[..., ServiceSettings]
) -> None:
    with _pool(workspace, tmp_path, make_service(), mode="none") as pool, pytest.raises(ValueError):
        pool.get("Staging; DROP")


@pytest.mark.slow
def test_embedded_mode_shares_one_cluster_and_close_stops_everything(
    workspace: Workspace,
    tmp_path: Path,
    make_service: Callable[..., ServiceSettings],
    shas: dict[str, str],
) -> None:
    service = make_service(instances=1, env={"DB": "{database_url}"})
    pool = _pool(workspace, tmp_path, service)
    staging = pool.get("staging")
    canary = pool.get("canary-blue")
    cluster = pool.cluster
    assert cluster is not None
    assert staging.database_url == cluster.url("qeflow_staging")
    assert canary.database_url == cluster.url("qeflow_canary_blue")
    psql = [str(cluster.bindir / "psql"), "-X", "-A", "-t", "-d", canary.database_url, "-c", "SELECT 1"]
    assert subprocess.run(psql, check=True, capture_output=True, text=True).stdout.strip() == "1"
    release = staging.release(shas["good"])
    pool.close()
    assert not any(psutil.pid_exists(i.process.pid) for i in release.instances)
    assert not cluster.cluster_dir.exists()
    data = str(cluster.data_dir)
    assert not [p for p in psutil.process_iter(["cmdline"]) if data in " ".join(p.info["cmdline"] or [])]
    pool.close()  # idempotent
