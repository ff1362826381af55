"""The receiver as it is served (`python -m deployments.webhooks` under uvicorn), against a real
Prefect server: signed deliveries arrive as Prefect events, found through POST /api/events/filter.

Counts events, not flow runs: turning `git.*` events into runs is the deployment triggers' job.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tasks.environment import free_port
from tests.deployments.webhooks.conftest import SECRET, dumps, github_headers
from tests.deployments.webhooks.payloads import github_push
from tests.support.prefect_server import PrefectServer, group_members, running_prefect_server, stop_group

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[3]
_START_TIMEOUT_S = 30.0


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    with running_prefect_server(tmp_path_factory.mktemp("prefect-server")) as server:
        yield server


@dataclass
class Served:
    url: str
    log: Path
    process: subprocess.Popen[bytes]


@contextlib.contextmanager
def served_receiver(server: PrefectServer, workdir: Path) -> Iterator[Served]:
    port, log = free_port(), workdir / "receiver.log"
    env = server.client_env(workdir / "receiver-home", QEFLOW_WEBHOOKS_PORT=str(port), QEFLOW_WEBHOOK_SECRET=SECRET)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "deployments.webhooks"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    served = Served(f"http://127.0.0.1:{port}", log, process)
    try:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"receiver exited with {process.returncode}:\n{log.read_text()}")
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(f"{served.url}/healthz", timeout=1.0).status_code == 200:
                    break
            if time.monotonic() > deadline:
                raise TimeoutError(f"receiver not healthy after {_START_TIMEOUT_S}s:\n{log.read_text()}")
            time.sleep(0.1)
        yield served
    finally:
        stop_group(process)
        assert not group_members(process.pid), "receiver processes outlived the test"
        assert SECRET not in log.read_text(errors="replace"), "the secret leaked into the receiver's log"


def _events(server: PrefectServer, name: str, resource_id: str) -> tuple[int, list[dict[str, Any]]]:
    """(total, every event) named `name` about `resource_id`, following next_page links."""
    body = {"filter": {"event": {"name": [name]}, "resource": {"id": [resource_id]}}, "limit": 50}
    with httpx.Client(timeout=30.0) as http:
        page = http.post(f"{server.api_url}/events/filter", json=body).raise_for_status().json()
        total, events = page["total"], list(page["events"])
        while page.get("next_page"):
            page = http.get(page["next_page"]).raise_for_status().json()
            events.extend(page["events"])
    return total, events


def _settle(server: PrefectServer, name: str, resource_id: str, expected: int, timeout_s: float) -> float:
    """Poll until `expected` events are visible; then wait a little longer to catch late extras."""
    t0 = time.monotonic()
    while (total := _events(server, name, resource_id)[0]) < expected and time.monotonic() - t0 < timeout_s:
        time.sleep(0.25)
    visible_s = time.monotonic() - t0
    time.sleep(1.5)  # a doubled event would arrive with the others; give stragglers a moment
    return visible_s if total >= expected else float("inf")


def test_signed_push_becomes_a_prefect_event(prefect_server: PrefectServer, tmp_path: Path) -> None:
    owner = f"e2e{uuid.uuid4().hex[:8]}"
    body = dumps(github_push(owner=owner))
    with served_receiver(prefect_server, tmp_path) as receiver:
        response = httpx.post(f"{receiver.url}/webhooks/github", content=body,
                              headers=github_headers(body, delivery="e2e-push-1"), timeout=10.0)  # fmt: skip
        assert response.status_code == 200, response.text
        forged_headers = {**github_headers(body, delivery="e2e-forged"), "x-hub-signature-256": "sha256=00"}
        forged = httpx.post(f"{receiver.url}/webhooks/github", content=body, headers=forged_headers, timeout=10.0)
        assert forged.status_code == 401
        resource = f"git.repo.{owner}.users-service"
        visible_s = _settle(prefect_server, "git.push", resource, 1, timeout_s=20.0)
    print(f"\n[webhooks] push event visible {visible_s:.2f}s after the 200", flush=True)
    total, [event] = _events(prefect_server, "git.push", resource)
    assert total == 1
    assert event["id"] == response.json()["event_id"]
    assert event["resource"]["prefect.resource.id"] == resource
    payload = event["payload"]
    assert payload["delivery"] == "e2e-push-1" and payload["provider"] == "github"
    assert payload["repo_url"] == f"https://github.com/{owner}/users-service.git"
    assert (payload["ref"], payload["sha"], payload["sender"]) == ("refs/heads/feature/login", github_push()["after"],
                                                                  "Codertocat")  # fmt: skip


async def _burst(url: str, requests: list[tuple[bytes, dict[str, str]]]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=50, max_keepalive_connections=50)
    async with httpx.AsyncClient(base_url=url, timeout=30.0, limits=limits) as client:
        return list(await asyncio.gather(*(client.post("/webhooks/github", content=b, headers=h) for b, h in requests)))


def test_burst_of_500_deliveries_emits_each_unique_one_exactly_once(
    prefect_server: PrefectServer, tmp_path: Path
) -> None:
    owner, unique, repeats = f"burst{uuid.uuid4().hex[:8]}", 450, 50
    deliveries = [f"burst-{i:04d}" for i in range(unique)]
    requests = []
    for i, delivery in enumerate(deliveries + deliveries[:repeats]):  # the repeats come last: a redelivery
        body = dumps(github_push(owner=owner, after=f"{i % unique + 1:040x}"))
        requests.append((body, github_headers(body, delivery=delivery)))
    resource = f"git.repo.{owner}.users-service"
    with served_receiver(prefect_server, tmp_path) as receiver:
        t0 = time.monotonic()
        responses = asyncio.run(_burst(receiver.url, requests))
        accept_s = time.monotonic() - t0
        visible_s = _settle(prefect_server, "git.push", resource, unique, timeout_s=30.0)
        health = httpx.get(f"{receiver.url}/healthz").json()
    print(f"\n[webhooks] {len(requests)} deliveries answered in {accept_s:.2f}s; all {unique} events visible "
          f"{visible_s:.2f}s later; receiver counters {health}", flush=True)  # fmt: skip
    codes = [r.status_code for r in responses]
    assert codes.count(200) == len(requests), {c: codes.count(c) for c in set(codes)}
    assert sum("emitted" in r.json() for r in responses) == unique
    assert sum(r.json().get("duplicate") is True for r in responses) == repeats
    assert accept_s < 10.0
    assert (health["emitted"], health["duplicates"]) == (unique, repeats)

    total, events = _events(prefect_server, "git.push", resource)
    seen = [e["payload"]["delivery"] for e in events]
    assert total == len(events) == unique, f"{total} events for {unique} unique deliveries"
    assert sorted(seen) == sorted(deliveries), "lost or doubled deliveries"
