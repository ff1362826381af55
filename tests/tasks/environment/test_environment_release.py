"""Releases of the tiny service: health-checked, blue/green, rolled back, and cleaned up."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil
import pytest

from tasks.config import DatabaseSettings
from tasks.environment import Environment
from tasks.errors import EnvironmentError_, HealthTimeout

pytestmark = pytest.mark.slow

MakeEnv = Callable[..., Environment]


def _get(url: str) -> httpx.Response:
    with httpx.Client(trust_env=False, timeout=5) as client:
        return client.get(url)


def _closed(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _children() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE]


def test_release_starts_instances_that_answer_health(make_environment: MakeEnv, shas: dict[str, str]) -> None:
    env = make_environment(instances=3)
    release = env.release(shas["good"])
    assert release.sha == shas["good"]
    assert env.current is release
    assert len(set(release.ports)) == 3
    assert env.base_urls == release.base_urls
    for index, url in enumerate(release.base_urls):
        assert _get(url + "/health").status_code == 200
        assert _get(url + "/").text.split()[:2] == ["v1", str(index)]  # {instance} filled
    for instance in release.instances:
        assert instance.log_path.read_text().startswith("listening")


def test_new_release_replaces_the_old_one(make_environment: MakeEnv, shas: dict[str, str]) -> None:
    env = make_environment()
    old = env.release(shas["good"])
    new = env.release(shas["good2"])
    assert env.current is new
    assert set(new.ports).isdisjoint(old.ports)
    assert all(_closed(port) for port in old.ports)
    assert old.stopped_at is not None
    assert [_get(url).text.split()[0] for url in new.base_urls] == ["v2", "v2"]
    assert [entry.sha for entry in env.history] == [shas["good"], shas["good2"]]


def test_release_that_exits_fails_fast_and_keeps_the_previous(make_environment: MakeEnv, shas: dict[str, str]) -> None:
    env = make_environment(health_timeout_s=20)
    good = env.release(shas["good"])
    with pytest.raises(EnvironmentError_, match="exited with code 3") as info:
        env.release(shas["crash"])
    assert "boom: refusing to start" in str(info.value)  # the log tail explains why
    assert env.current is good
    assert all(_get(url + "/health").status_code == 200 for url in good.base_urls)


def test_release_that_stays_unhealthy_times_out_and_keeps_the_previous(
    make_environment: MakeEnv, shas: dict[str, str]
) -> None:
    env = make_environment(health_timeout_s=1.0)
    good = env.release(shas["good"])
    children_before = {p.pid for p in _children()}
    with pytest.raises(HealthTimeout, match="HTTP 500"):
        env.release(shas["sick"])
    assert env.current is good
    assert {p.pid for p in _children()} == children_before  # the sick instances were stopped
    assert [_get(url).text.split()[0] for url in env.base_urls] == ["v1", "v1"]


def test_rollback_restores_the_previous_sha_on_fresh_ports(make_environment: MakeEnv, shas: dict[str, str]) -> None:
    env = make_environment()
    env.release(shas["good"])
    second = env.release(shas["good2"])
    restored = env.rollback()
    assert restored.sha == shas["good"]
    assert env.current is restored
    assert set(restored.ports).isdisjoint(second.ports)
    assert all(_closed(port) for port in second.ports)
    assert [_get(url).text.split()[0] for url in env.base_urls] == ["v1", "v1"]
    assert [(e.sha, e.action) for e in env.history] == [
        (shas["good"], "release"),
        (shas["good2"], "release"),
        (shas["good"], "rollback"),
    ]
    with pytest.raises(EnvironmentError_, match="no previous release"):
        env.rollback()


def test_rollback_without_a_previous_release_fails(make_environment: MakeEnv) -> None:
    with pytest.raises(EnvironmentError_, match="no previous release"):
        make_environment().rollback()


def test_stop_leaves_no_child_process(make_environment: MakeEnv, shas: dict[str, str]) -> None:
    # Children that existed before (a session-wide Prefect test server, say) are not ours.
    before = {p.pid for p in _children()}
    env = make_environment(instances=2)
    release = env.release(shas["good"])
    pids = [instance.process.pid for instance in release.instances]
    assert all(psutil.pid_exists(pid) for pid in pids)
    env.stop()
    assert [p for p in _children() if p.pid not in before] == []
    assert not any(psutil.pid_exists(pid) for pid in pids)
    assert env.base_urls == release.base_urls  # stopped, but still the current release on record


def test_migration_runs_in_the_checkout_with_the_database_url(
    make_environment: MakeEnv, shas: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "migrated.txt"
    script = (
        "import os, sys, pathlib; pathlib.Path(sys.argv[2]).write_text("
        "sys.argv[1] + ' ' + os.environ['DB'] + ' ' + str('SELF' in os.environ) + ' ' + os.getcwd())"
    )
    url = "postgresql://postgres@127.0.0.1:1/qeflow_x"
    env = make_environment(
        database=DatabaseSettings(
            mode="url", url=url, migrate=[sys.executable, "-c", script, "{database_url}", str(out)]
        ),
        database_url=url,
        instances=1,
        env={"DB": "{database_url}", "SELF": "{base_url}"},
    )
    release = env.release(shas["good"])
    assert out.read_text() == f"{url} {url} False {release.service_dir}"
    assert _get(release.base_urls[0]).text.split()[2] == url


def test_failing_migration_raises_with_its_log(make_environment: MakeEnv, shas: dict[str, str]) -> None:
    failing = [sys.executable, "-c", "import sys; print('relation exists'); sys.exit(1)"]
    env = make_environment(database=DatabaseSettings(mode="url", url="postgresql://x/y", migrate=failing))
    with pytest.raises(EnvironmentError_, match="relation exists"):
        env.release(shas["good"])
    assert env.current is None


def test_database_url_placeholder_without_database_is_named(make_environment: MakeEnv, shas: dict[str, str]) -> None:
    env = make_environment(env={"DB": "{database_url}"})
    with pytest.raises(EnvironmentError_, match=r"\{database_url\}"):
        env.release(shas["good"])
