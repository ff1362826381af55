"""Served mode: how fast signed webhooks become Prefect flow runs, beside creating them directly.

Starts a real `qeflow server` (embedded PostgreSQL, Prefect server, receiver, runner) on a copy
of the example, then creates N flow runs of `commit-phase/users-service` two ways, in one run:

- qeflow: N signed GitHub push deliveries to the receiver (40 at once) → Prefect events →
  the deployment trigger → flow runs. Measured: the deliveries' wall time, the time until all N
  flow runs exist, and each run's latency (its `created` time minus the delivery's send time).
- peer: N `POST /deployments/{id}/create_flow_run` calls to the same server (40 at once): what a
  CI job calling Prefect's API directly costs, with no signature, event or trigger in between.

Every run gets a sha that does not exist, so the runner (limit 1) fails it at checkout in about
a second and the counts are not slowed by real pipelines; whatever is left is cancelled.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deployments.webhooks import github_signature  # noqa: E402
from tests.deployments.webhooks.payloads import github_push  # noqa: E402
from tests.support.defects import make_service_repo  # noqa: E402

N = int(os.environ.get("QEFLOW_BENCH_DELIVERIES", "300"))
SECRET = "bench-secret"
CONCURRENCY = 40


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sha() -> str:
    return uuid.uuid4().hex + uuid.uuid4().hex[:8]


async def _gather(calls: list) -> list[httpx.Response]:  # type: ignore[type-arg]
    semaphore = asyncio.Semaphore(CONCURRENCY)

    async def one(call) -> httpx.Response:  # type: ignore[no-untyped-def]
        async with semaphore:
            return await call()

    return list(await asyncio.gather(*(one(c) for c in calls)))


def _runs_with(api: str, deployment: str, shas: set[str]) -> list[dict]:  # type: ignore[type-arg]
    found, offset = [], 0
    with httpx.Client(base_url=api, timeout=60) as http:
        while True:
            body = {"deployments": {"id": {"any_": [deployment]}}, "limit": 200, "offset": offset}
            page = http.post("/flow_runs/filter", json=body).json()
            found += [r for r in page if r["parameters"].get("head") in shas]
            offset += len(page)
            if len(page) < 200:
                return found


def _wait_for(api: str, deployment: str, shas: set[str], t0: float, timeout_s: float = 300) -> tuple[float, list]:  # type: ignore[type-arg]
    while True:
        runs = _runs_with(api, deployment, shas)
        if len(runs) >= len(shas) or time.monotonic() - t0 > timeout_s:
            return time.monotonic() - t0, runs
        time.sleep(0.5)


def _latencies(runs: list, sent: dict[str, float]) -> list[float]:  # type: ignore[type-arg]
    return sorted(datetime.fromisoformat(r["created"]).timestamp() - sent[r["parameters"]["head"]] for r in runs)


def _summary(label: str, n: int, send_s: float, all_s: float, runs: list, lat: list[float]) -> str:  # type: ignore[type-arg]
    p50 = statistics.median(lat) if lat else float("nan")
    p95 = lat[int(0.95 * (len(lat) - 1))] if lat else float("nan")
    unique = len({r["parameters"]["head"] for r in runs})
    timing = f"{send_s:>9.2f} {all_s:>12.2f}"
    return f"{label:<28} {n:>5} {timing} {len(runs):>6} {unique:>7} {p50 * 1000:>9.0f} {p95 * 1000:>9.0f}"


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="qeflow-bench-served-"))
    repo = make_service_repo(work)
    port, hook_port = _port(), _port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(QEFLOW_WEBHOOK_SECRET=SECRET, PREFECT_HOME=str(work / "home"), DO_NOT_TRACK="1")
    argv = [sys.executable, "-m", "deployments.cli", "server", str(repo.root), "--state-dir", str(work / "state")]
    argv += ["--port", str(port), "--webhook-port", str(hook_port), "--limit", "1"]
    t0 = time.monotonic()
    server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)  # fmt: skip
    output: list[str] = []
    threading.Thread(target=lambda: output.extend(server.stdout or []), daemon=True).start()
    api, hooks = f"http://127.0.0.1:{port}/api", f"http://127.0.0.1:{hook_port}/webhooks/github"
    try:
        while not any("Stop with Ctrl-C" in line for line in output):
            if server.poll() is not None or time.monotonic() - t0 > 240:
                print("".join(output), file=sys.stderr)
                return 1
            time.sleep(0.2)
        ready = time.monotonic() - t0
        deployment = httpx.get(f"{api}/deployments/name/commit-phase/users-service", timeout=30).json()["id"]

        # qeflow: signed deliveries -> events -> trigger -> flow runs
        shas, sent, requests = [_sha() for _ in range(N)], {}, []
        for index, sha in enumerate(shas):
            payload = github_push(owner="acme", name="users-service", ref=f"refs/heads/b{index}", after=sha)
            payload["repository"]["clone_url"] = str(repo.root)
            body = json.dumps(payload).encode()
            headers = {"content-type": "application/json", "x-github-event": "push", "x-github-delivery": sha,
                       "x-hub-signature-256": github_signature(SECRET, body)}  # fmt: skip
            requests.append((sha, body, headers))

        async def deliver() -> list[httpx.Response]:
            async with httpx.AsyncClient(timeout=60) as client:

                def call(sha: str, body: bytes, headers: dict[str, str]):  # type: ignore[no-untyped-def]
                    async def go() -> httpx.Response:
                        sent[sha] = time.time()
                        return await client.post(hooks, content=body, headers=headers)

                    return go

                return await _gather([call(*r) for r in requests])

        t1 = time.monotonic()
        answers = asyncio.run(deliver())
        send_s = time.monotonic() - t1
        assert all(a.status_code == 200 for a in answers), {a.status_code for a in answers}
        all_s, runs = _wait_for(api, deployment, set(shas), t1)
        qeflow_row = _summary("qeflow webhook -> trigger", N, send_s, all_s, runs, _latencies(runs, sent))

        # peer: the Prefect API directly
        direct, sent_direct = [_sha() for _ in range(N)], {}

        async def create() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=api, timeout=60) as client:

                def call(sha: str):  # type: ignore[no-untyped-def]
                    async def go() -> httpx.Response:
                        sent_direct[sha] = time.time()
                        body = {"parameters": {"path": ".", "repo": str(repo.root), "head": sha}}
                        return await client.post(f"/deployments/{deployment}/create_flow_run", json=body)

                    return go

                return await _gather([call(s) for s in direct])

        t2 = time.monotonic()
        created = asyncio.run(create())
        create_s = time.monotonic() - t2
        assert all(c.status_code == 201 for c in created), {c.status_code for c in created}
        direct_all_s, direct_runs = _wait_for(api, deployment, set(direct), t2)
        peer_row = _summary("peer: create_flow_run API", N, create_s, direct_all_s, direct_runs,
                            _latencies(direct_runs, sent_direct))  # fmt: skip

        print(f"qeflow server ready in {ready:.1f} s (PostgreSQL, Prefect + UI, receiver, 6 deployments)")
        print(f"{N} flow runs of commit-phase/users-service each way, {CONCURRENCY} requests at once\n")
        print(f"{'path':<28} {'n':>5} {'send (s)':>9} {'all runs (s)':>12} {'runs':>6} {'unique':>7} "
              f"{'p50 (ms)':>9} {'p95 (ms)':>9}")  # fmt: skip
        print(qeflow_row)
        print(peer_row)
        print("\nlatency: a run's `created` minus its request's send time (same clock, one machine)")

        with httpx.Client(base_url=api, timeout=60) as http:  # cancel what the runner has not finished
            for run in _runs_with(api, deployment, set(shas) | set(direct)):
                if run["state_type"] not in {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}:
                    http.post(f"/flow_runs/{run['id']}/set_state", json={"state": {"type": "CANCELLED"}, "force": True})
        return 0
    finally:
        if server.poll() is None:
            os.kill(server.pid, signal.SIGINT)
            try:
                server.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
