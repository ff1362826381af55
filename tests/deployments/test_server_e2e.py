"""`qeflow server` end to end: real Prefect server on embedded PostgreSQL, served deployments, receiver.

One server for the module (its start is the slow part), driven the way a git host drives it:
signed GitHub deliveries to the receiver, runs found and checked through the Prefect REST API.
The service is a local git repository of the example (the clone URL in the deliveries is its
path), so the runs check the delivered sha out of it. In file order:

1. a push to a branch → a completed `commit-phase` run, with its phase subflow, the agents'
   task runs, the gate and artifacts; a pull request → the same, against its target branch;
2. a merge (the PR closed as merged + the push to main, as GitHub sends it) → exactly one
   `pipeline` run of build → production, which reuses the commit evidence of that sha;
   then `prefect deployment run 'integration-phase/…' --param head=…` reruns that phase alone;
3. a headless Chromium screenshot of that run's page in the Prefect UI (test output);
4. forged, unsigned, oversized, malformed, unhandled and repeated deliveries: each its status,
   and nothing started but the one valid delivery;
5. a burst of 500 signed deliveries (450 unique) → exactly one flow run per unique delivery,
   counted through the API, then cancelled.
Finally Ctrl-C: the server stops everything it started, and nothing of it is left running.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from deployments.webhooks import github_signature
from tests.deployments.webhooks.payloads import MALFORMED_JSON, github_pull_request, github_push
from tests.support.cli import REPO_ROOT, QeflowCli, kill_leftovers, wait_for_no_leftovers
from tests.support.defects import make_service_repo

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]

SECRET = "served-e2e-secret-7Hq"
OWNER, NAME = "acme", "users-service"  # the example's [serve].repository
OUTPUT = Path(os.environ.get("QEFLOW_TEST_OUTPUT", REPO_ROOT / "test-output"))
TERMINAL = {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    proc: subprocess.Popen[str]
    mark: str
    api: str
    ui: str
    webhooks: str
    repo: Path  # the service's repository (its clone URL in deliveries)
    base: str
    head: str
    state: Path
    output: list[str] = field(default_factory=list)

    def http(self) -> httpx.Client:
        return httpx.Client(base_url=self.api, timeout=30.0)

    def deliver(self, event: str, payload: dict[str, Any], delivery: str | None = None) -> httpx.Response:
        payload["repository"]["clone_url"] = str(self.repo)
        body = json.dumps(payload).encode()
        headers = {
            "content-type": "application/json",
            "x-github-event": event,
            "x-github-delivery": delivery or str(uuid.uuid4()),
            "x-hub-signature-256": github_signature(SECRET, body),
        }
        return httpx.post(f"{self.webhooks}/github", content=body, headers=headers, timeout=30.0)

    def text(self) -> str:
        return "".join(self.output[-80:])


def _pump(stream: Any, sink: list[str]) -> None:
    for line in stream:
        sink.append(line)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    work = tmp_path_factory.mktemp("served")
    repo = make_service_repo(work)
    cli = QeflowCli(work)
    port, hook_port = _free_port(), _free_port()
    args = ["server", str(repo.root), "--state-dir", str(work / "state"), "--port", str(port)]
    args += ["--webhook-port", str(hook_port)]
    mark = f"served-{uuid.uuid4().hex[:12]}"
    env = {**cli.env(mark), "QEFLOW_WEBHOOK_SECRET": SECRET}
    proc = subprocess.Popen(
        [sys.executable, "-m", "deployments.cli", *args], cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    local = f"http://127.0.0.1:{port}"
    hooks = f"http://127.0.0.1:{hook_port}/webhooks"
    handle = Server(proc, mark, f"{local}/api", local, hooks, repo.root, repo.base, repo.head, work / "state")
    threading.Thread(target=_pump, args=(proc.stdout, handle.output), daemon=True).start()
    since = time.time() - 1
    try:
        deadline = time.monotonic() + 240
        while not any("Stop with Ctrl-C" in line for line in handle.output):
            assert proc.poll() is None, f"qeflow server exited with {proc.returncode}:\n{handle.text()}"
            assert time.monotonic() < deadline, f"qeflow server not ready after 240 s:\n{handle.text()}"
            time.sleep(0.5)
        print(
            f"\n[qeflow server] ready in {time.time() - since - 1:.1f} s (PostgreSQL, Prefect, receiver, deployments)"
        )
        yield handle
    finally:
        t0 = time.monotonic()
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGINT)  # what Ctrl-C sends
        try:
            code = proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            kill_leftovers(mark, [str(work)], since)
            os.killpg(proc.pid, signal.SIGKILL)
            raise AssertionError(f"qeflow server did not stop within 120 s of Ctrl-C:\n{handle.text()}") from None
        print(f"\n[qeflow server] stopped in {time.monotonic() - t0:.1f} s (exit {code})")
        left = wait_for_no_leftovers(mark, [str(work)], since)
        kill_leftovers(mark, [str(work)], since)
        assert code == 0, f"exit {code}:\n{handle.text()}"
        assert "qeflow server: stopped" in handle.text()
        assert not left, "left running after Ctrl-C:\n" + "\n".join(map(str, left))


def _deployment_id(server: Server, flow: str) -> str:
    with server.http() as http:
        response = http.get(f"/deployments/name/{flow}/{NAME}")
        response.raise_for_status()
        return str(response.json()["id"])


def _runs(server: Server, deployment_id: str) -> list[dict[str, Any]]:
    body = {"deployments": {"id": {"any_": [deployment_id]}}, "limit": 200, "sort": "EXPECTED_START_TIME_DESC"}
    runs: list[dict[str, Any]] = []
    with server.http() as http:
        while True:
            page = http.post("/flow_runs/filter", json={**body, "offset": len(runs)}).json()
            runs += page
            if len(page) < 200:
                return runs


def _wait_for_run(server: Server, deployment_id: str, head: str, timeout_s: float = 420) -> dict[str, Any]:
    """The deployment's run for `head` (exactly one), once it is in a terminal state."""
    deadline = time.monotonic() + timeout_s
    while True:
        mine = [r for r in _runs(server, deployment_id) if r["parameters"].get("head") == head]
        assert len(mine) <= 1, f"{len(mine)} runs for one delivery: {[r['name'] for r in mine]}"
        if mine and mine[0]["state_type"] in TERMINAL:
            return mine[0]
        assert time.monotonic() < deadline, f"no finished run for {head[:10]} after {timeout_s:g}s:\n{server.text()}"
        time.sleep(2)


def _timing(label: str, sent: float, run: dict[str, Any]) -> None:
    """Print what the run cost: delivery to finished, and the flow run's own run time."""
    print(f"\n[{label}] delivery -> {run['state_name']} in {time.monotonic() - sent:.1f} s "
          f"(flow run time {run['total_run_time']:.1f} s)")  # fmt: skip


def _children(server: Server, run_id: str) -> list[dict[str, Any]]:
    with server.http() as http:
        body = {"flow_runs": {"parent_flow_run_id": {"any_": [run_id]}}, "limit": 50}
        return list(http.post("/flow_runs/filter", json=body).json())


def _flow_name(server: Server, flow_id: str) -> str:
    with server.http() as http:
        return str(http.get(f"/flows/{flow_id}").json()["name"])


def _task_names(server: Server, run_id: str) -> list[str]:
    with server.http() as http:
        body = {"flow_runs": {"id": {"any_": [run_id]}}, "limit": 100}
        return [t["name"] for t in http.post("/task_runs/filter", json=body).json()]


def _artifacts(server: Server, run_ids: list[str]) -> list[dict[str, Any]]:
    with server.http() as http:
        body = {"artifacts": {"flow_run_id": {"any_": run_ids}}, "limit": 100}
        return list(http.post("/artifacts/filter", json=body).json())


def _logs(server: Server, run_id: str) -> str:
    with server.http() as http:
        body = {"logs": {"flow_run_id": {"any_": [run_id]}}, "limit": 200}
        return "\n".join(entry["message"] for entry in http.post("/logs/filter", json=body).json())


def test_a_signed_push_runs_the_commit_phase(server: Server) -> None:
    sent = time.monotonic()
    response = server.deliver("push", github_push(owner=OWNER, name=NAME, ref="refs/heads/change",
                                                  before=server.base, after=server.head))  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["emitted"] == "git.push"

    run = _wait_for_run(server, _deployment_id(server, "commit-phase"), server.head)
    _timing("push", sent, run)
    assert run["state_type"] == "COMPLETED", f"{run['state']}\n{_logs(server, run['id'])}"
    assert run["parameters"]["repo"] == str(server.repo)
    assert run["name"] == f"users-service@{server.head[:10]}"  # readable in the UI's run lists
    assert "git.push of refs/heads/change" in run["parameters"]["selected_because"][0]

    children = _children(server, run["id"])
    assert [_flow_name(server, c["flow_id"]) for c in children] == ["commit"]
    assert children[0]["state_type"] == "COMPLETED"
    tasks = _task_names(server, children[0]["id"])
    for agent in ("unit-tests", "contract-check", "static-analysis", "api-tests", "gate"):
        assert any(name.startswith(agent) for name in tasks), f"no {agent} task run in {tasks}"
    artifacts = _artifacts(server, [run["id"], children[0]["id"]])
    keys = {a["key"] for a in artifacts if a.get("key")}
    assert any("gate" in key for key in keys), keys
    assert any(a["type"] == "markdown" for a in artifacts)


def test_a_pull_request_runs_the_commit_phase_against_its_target_branch(server: Server) -> None:
    opened = github_pull_request(action="opened", owner=OWNER, name=NAME, head_ref="change", base_ref="main",
                                 head_sha=server.head, base_sha=server.base)  # fmt: skip
    response = server.deliver("pull_request", opened)
    assert response.status_code == 200 and response.json()["emitted"] == "git.pull_request", response.text

    deployment, deadline = _deployment_id(server, "commit-phase"), time.monotonic() + 420
    while True:
        mine = [r for r in _runs(server, deployment) if r["parameters"].get("target_branch") == "refs/heads/main"]
        if mine and mine[0]["state_type"] in TERMINAL:
            break
        assert time.monotonic() < deadline, f"no finished pull-request run:\n{server.text()}"
        time.sleep(2)
    (run,) = mine
    assert run["state_type"] == "COMPLETED", f"{run['state']}\n{_logs(server, run['id'])}"
    assert run["parameters"]["head"] == server.head
    records = [json.loads(p.read_text()) for p in (server.state / "runs").glob("*/run.json")]
    assert any(r["git"]["base_ref"] == "merge-base(refs/heads/main)" and r["git"]["base"] == server.base
               and "git.pull_request" in r["selected_because"][0] for r in records)  # fmt: skip


def test_a_merge_runs_build_then_the_later_phases_once(server: Server) -> None:
    # GitHub sends a merge twice: the pull request closed as merged, and the push to main.
    sent = time.monotonic()
    closed = github_pull_request(action="closed", merged=True, owner=OWNER, name=NAME, merge_commit_sha=server.head)
    assert server.deliver("pull_request", closed).status_code == 200
    pushed = server.deliver("push", github_push(owner=OWNER, name=NAME, ref="refs/heads/main",
                                                before=server.base, after=server.head))  # fmt: skip
    assert pushed.status_code == 200 and pushed.json()["emitted"] == "git.merge", pushed.text

    run = _wait_for_run(server, _deployment_id(server, "pipeline"), server.head)
    _timing("merge", sent, run)
    assert run["state_type"] == "COMPLETED", f"{run['state']}\n{_logs(server, run['id'])}"
    assert run["parameters"]["phases"] == ["build", "integration", "staging", "production"]
    phases = {_flow_name(server, c["flow_id"]): c["state_type"] for c in _children(server, run["id"])}
    assert phases == dict.fromkeys(["build", "integration", "staging", "production"], "COMPLETED"), phases
    # Not rerun: the push above stored the commit evidence of this sha, and the run says it reused it.
    records = [json.loads(p.read_text()) for p in (server.state / "runs").glob("*/run.json")]
    merged = [r for r in records if r["phases"][0] == "build" and r["git"]["head"] == server.head]
    assert len(merged) == 1 and "commit" in merged[0].get("reused", {}), merged
    time.sleep(3)  # the second delivery of the merge has had time to start a run, if it were to
    mine = [r for r in _runs(server, _deployment_id(server, "pipeline")) if r["parameters"].get("head") == server.head]
    assert len(mine) == 1, f"a merge delivered twice started {len(mine)} runs"
    server.merge_run = run["id"]  # type: ignore[attr-defined]


def test_prefect_deployment_run_reruns_one_phase_reusing_earlier_evidence(server: Server) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_API_URL=server.api, PREFECT_HOME=str(server.state.parent / "cli-home"))
    done = subprocess.run(
        [sys.executable, "-m", "prefect", "deployment", "run", f"integration-phase/{NAME}", "--param",
         f"head={server.head}"], env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr

    run = _wait_for_run(server, _deployment_id(server, "integration-phase"), server.head)
    assert run["state_type"] == "COMPLETED", f"{run['state']}\n{_logs(server, run['id'])}"
    assert [_flow_name(server, c["flow_id"]) for c in _children(server, run["id"])] == ["integration"]
    records = [json.loads(p.read_text()) for p in (server.state / "runs").glob("*/run.json")]
    (rerun,) = [r for r in records if r["phases"] == ["integration"] and r["git"]["head"] == server.head]
    assert set(rerun["reused"]) == {"commit", "build"}, rerun.get("reused")  # and says which runs


def test_the_flow_run_page_renders_in_headless_chromium(server: Server) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if chromium is None:
        pytest.skip("no chromium on PATH (.ci/run installs the Debian package `chromium`)")
    run_id = getattr(server, "merge_run", None)
    if run_id is None:
        pytest.skip("the merge test did not leave a run to show")
    url = f"{server.ui}/v2/runs/flow-run/{run_id}?tab=SubflowRuns"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    shot = OUTPUT / "served-flow-run.png"
    shot.unlink(missing_ok=True)
    profile = OUTPUT / "chromium-profile"
    # --virtual-time-budget lets the single-page app fetch and render before the capture;
    # --no-sandbox because CI runs as root.
    base = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--hide-scrollbars", "--window-size=1600,1000", "--virtual-time-budget=15000",
            f"--user-data-dir={profile}"]  # fmt: skip
    subprocess.run([*base, f"--screenshot={shot}", url], capture_output=True, timeout=120, check=False)
    dom = subprocess.run([*base, "--dump-dom", url], capture_output=True, text=True, timeout=120, check=False).stdout
    shutil.rmtree(profile, ignore_errors=True)
    assert shot.is_file() and shot.stat().st_size > 20_000, f"no screenshot at {shot}"
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    children = _children(server, run_id)
    assert children and all(c["name"] in dom for c in children), "the page does not list the run's subflows"
    print(f"\n[screenshot] {shot} ({shot.stat().st_size} bytes): {url}")


def _sign(body: bytes) -> str:
    return github_signature(SECRET, body)


def _all_runs(server: Server) -> int:
    with server.http() as http:
        return int(http.post("/flow_runs/count", json={}).json())


def test_bad_deliveries_get_their_status_and_start_nothing(server: Server) -> None:
    before = _all_runs(server)
    sha = uuid.uuid4().hex + uuid.uuid4().hex[:8]
    payload = github_push(owner=OWNER, name=NAME, ref="refs/heads/bad", before=server.base, after=sha)
    payload["repository"]["clone_url"] = str(server.repo)
    body = json.dumps(payload).encode()
    signed = {"content-type": "application/json", "x-github-event": "push", "x-github-delivery": "bad-1",
              "x-hub-signature-256": github_signature(SECRET, body)}  # fmt: skip
    url = f"{server.webhooks}/github"
    cases = {
        "forged signature": (401, body, {**signed, "x-hub-signature-256": github_signature("not-the-secret", body)}),
        "missing signature": (401, body, {k: v for k, v in signed.items() if k != "x-hub-signature-256"}),
        "oversized body": (413, b"{" + b" " * (2 * 1024 * 1024) + b"}", signed),
        "malformed JSON": (400, MALFORMED_JSON, {**signed, "x-hub-signature-256": _sign(MALFORMED_JSON)}),
        "unhandled event": (202, body, {**signed, "x-github-event": "issues"}),
    }
    for case, (status, content, headers) in cases.items():
        response = httpx.post(url, content=content, headers=headers, timeout=30.0)
        assert response.status_code == status, f"{case}: {response.status_code} {response.text}"
        assert SECRET not in response.text
    first = httpx.post(url, content=body, headers=signed, timeout=30.0)
    again = httpx.post(url, content=body, headers=signed, timeout=30.0)  # the host redelivers
    assert first.status_code == 200 and again.status_code == 200 and again.json()["duplicate"] is True
    deployment = _deployment_id(server, "commit-phase")
    deadline = time.monotonic() + 60
    while not any(r["parameters"].get("head") == sha for r in _runs(server, deployment)):
        assert time.monotonic() < deadline, "the valid delivery started no run"
        time.sleep(1)
    time.sleep(5)  # time enough for anything the bad ones or the redelivery would have started
    assert _all_runs(server) == before + 1, "a refused, ignored or repeated delivery started a run"
    assert SECRET not in (server.state / "logs" / "webhooks.log").read_text() + server.text()


async def _burst(url: str, requests: list[tuple[bytes, dict[str, str]]]) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=40, max_keepalive_connections=40)
    async with httpx.AsyncClient(timeout=30.0, limits=limits) as client:
        return list(await asyncio.gather(*(client.post(url, content=b, headers=h) for b, h in requests)))


def test_a_burst_of_500_deliveries_starts_one_run_per_unique_delivery(server: Server) -> None:
    unique, repeats = 450, 50
    shas = [uuid.uuid4().hex + uuid.uuid4().hex[:8] for _ in range(unique)]  # 40 hex: one push each
    signed: list[tuple[bytes, dict[str, str]]] = []
    for index, sha in enumerate(shas):
        payload = github_push(owner=OWNER, name=NAME, ref=f"refs/heads/burst-{index}", before=server.base, after=sha)
        payload["repository"]["clone_url"] = str(server.repo)
        body = json.dumps(payload).encode()
        signed.append((body, {"content-type": "application/json", "x-github-event": "push",
                              "x-github-delivery": f"burst-{index}",
                              "x-hub-signature-256": github_signature(SECRET, body)}))  # fmt: skip
    requests = signed + signed[:: unique // repeats][:repeats]  # 50 redeliveries of earlier ones
    t0 = time.monotonic()
    responses = asyncio.run(_burst(f"{server.webhooks}/github", requests))
    elapsed = time.monotonic() - t0
    assert elapsed < 10, f"the burst took {elapsed:.1f}s"
    assert [r.status_code for r in responses] == [200] * len(requests)
    assert sum(1 for r in responses if r.json().get("duplicate")) == repeats

    deployment = _deployment_id(server, "commit-phase")
    wanted = set(shas)

    def burst_heads() -> list[str]:
        return [r["parameters"]["head"] for r in _runs(server, deployment) if r["parameters"].get("head") in wanted]

    deadline, heads = time.monotonic() + 240, []
    while time.monotonic() < deadline:
        heads = burst_heads()
        if len(heads) >= unique:
            time.sleep(5)  # a late double would show now
            heads = burst_heads()
            break
        time.sleep(2)
    counted = time.monotonic() - t0
    print(f"\n[burst] {len(requests)} deliveries in {elapsed:.1f}s; {len(heads)} flow runs after {counted:.0f}s")
    assert len(heads) == len(set(heads)), "a delivery started more than one run"
    assert set(heads) == wanted, f"{len(wanted - set(heads))} deliveries started no run"

    # They need not run: cancel every one that has not finished (a run the runner started is told
    # to stop; it had a sha that does not exist and fails at checkout anyway).
    with server.http() as http:
        for run in _runs(server, deployment):
            if run["parameters"].get("head") in wanted and run["state_type"] not in TERMINAL:
                with contextlib.suppress(httpx.HTTPError):
                    http.post(f"/flow_runs/{run['id']}/set_state",
                              json={"state": {"type": "CANCELLED", "name": "Cancelled"}, "force": True})  # fmt: skip
