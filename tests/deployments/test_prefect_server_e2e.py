"""With PREFECT_API_URL pointing at a Prefect server, a run shows in the Prefect API.

A real `prefect server` (SQLite, own PREFECT_HOME) runs in a subprocess; `qeflow run` runs as a
user would start it, in another subprocess, on a clean change of the example service. The test
then reads the server's REST API: the pipeline flow run, its phase subflow runs linked through
their parent task runs, the agent and gate task runs, and the phase artifacts.

The run selects the commit phase plus every phase that has no agent yet, so the API also shows
what an agent-less phase looks like (a subflow run in a Completed state named "Skipped") at the
cost of about 1 s each, without running the heavier phases.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tasks import AGENTS
from tasks.config import PHASES
from tests.support.defects import make_service_repo
from tests.support.prefect_server import PrefectServer, group_members, running_prefect_server, stop_group

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
_RUN_TIMEOUT_S = 180.0


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    with running_prefect_server(tmp_path_factory.mktemp("prefect-server")) as server:
        print(f"\n[prefect-server] {server.api_url} healthy after {server.start_s:.2f}s", flush=True)
        yield server


def _qeflow() -> list[str]:
    script = Path(sys.executable).with_name("qeflow")
    if script.exists():
        return [str(script)]
    found = shutil.which("qeflow")
    return [found] if found else [sys.executable, "-m", "deployments.cli"]


def _filter(api: httpx.Client, kind: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    response = api.post(f"/{kind}/filter", json={**body, "limit": 200})
    response.raise_for_status()
    return response.json()


def _by_name(rows: list[dict[str, Any]], key: str = "name") -> dict[str, dict[str, Any]]:
    names = [row[key] for row in rows]
    assert len(names) == len(set(names)), f"duplicate {key}s: {names}"
    return {row[key]: row for row in rows}


def _artifact_data(artifact: dict[str, Any]) -> Any:
    data = artifact["data"]
    return json.loads(data) if artifact["type"] == "table" and isinstance(data, str) else data


def test_run_shows_in_the_prefect_api(prefect_server: PrefectServer, tmp_path: Path) -> None:
    repo = make_service_repo(tmp_path)
    agentless = [p for p in PHASES if not AGENTS.for_phase(p)]
    phases = ["commit", *agentless]
    commit_agents = {spec.name for spec in AGENTS.for_phase("commit")}
    assert "unit-tests" in commit_agents

    argv = [*_qeflow(), "run", str(repo.root), *(a for p in phases for a in ("--phase", p))]
    argv += ["--evidence", str(tmp_path / "evidence"), "--json"]
    env = prefect_server.client_env(tmp_path / "client-home")
    t0 = time.monotonic()
    run = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )  # fmt: skip
    try:
        stdout, stderr = run.communicate(timeout=_RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        stop_group(run)
        stdout, stderr = run.communicate()
        pytest.fail(f"qeflow run took over {_RUN_TIMEOUT_S:g}s\nstderr:\n{stderr[-4000:]}")
    finally:
        leftovers = group_members(run.pid)
        if leftovers:
            stop_group(run)
    run_s = time.monotonic() - t0
    print(f"[qeflow] {' '.join(argv[1:])}\n[qeflow] exit {run.returncode} after {run_s:.2f}s", flush=True)
    assert not leftovers, f"qeflow left processes running: {[(p.pid, p.name()) for p in leftovers]}"
    assert run.returncode == 0, (
        f"exit {run.returncode}\nstderr:\n{stderr[-4000:]}\nserver:\n{prefect_server.log_tail()}"
    )
    report = json.loads(stdout)
    assert report["status"] == "passed"
    assert [p["name"] for p in report["phases"]] == phases

    t1 = time.monotonic()
    with prefect_server.client() as api:
        flows = {f["id"]: f["name"] for f in _filter(api, "flows", {})}

        # The pipeline flow run: the only top-level run on this fresh server.
        pipelines = _filter(
            api, "flow_runs", {"flows": {"name": {"any_": ["pipeline"]}}, "sort": "START_TIME_ASC"}
        )  # fmt: skip
        assert len(pipelines) == 1, [p["name"] for p in pipelines]
        pipeline = pipelines[0]
        assert (pipeline["state_type"], pipeline["state_name"]) == ("COMPLETED", "Completed")
        assert pipeline["parent_task_run_id"] is None
        assert pipeline["parameters"]["phases"] == phases
        assert pipeline["parameters"]["path"] == str(repo.root.resolve())

        # One subflow run per selected phase, each linked to the pipeline through its parent task run.
        subflows = _filter(
            api,
            "flow_runs",
            {"flow_runs": {"parent_flow_run_id": {"any_": [pipeline["id"]]}}, "sort": "START_TIME_ASC"},
        )
        assert [flows[s["flow_id"]] for s in subflows] == phases  # started in pipeline order
        by_phase = {flows[s["flow_id"]]: s for s in subflows}
        pipeline_tasks = _by_name(_filter(api, "task_runs", {"task_runs": {"flow_run_id": {"any_": [pipeline["id"]]}}}))
        for phase, sub in by_phase.items():
            parent = api.get(f"/task_runs/{sub['parent_task_run_id']}")
            parent.raise_for_status()
            assert parent.json()["flow_run_id"] == pipeline["id"], phase
            assert parent.json()["name"] in pipeline_tasks, phase

        commit = by_phase["commit"]
        assert (commit["state_type"], commit["state_name"]) == ("COMPLETED", "Completed")
        for phase in agentless:
            sub = by_phase[phase]
            assert (sub["state_type"], sub["state_name"]) == ("COMPLETED", "Skipped"), phase
            message = sub["state"]["message"] or ""  # the wording is the phase's; it names the phase and why
            assert phase in message and "agent" in message, message

        # Task runs of the commit subflow: one per agent (named after it) and the gate.
        commit_tasks = _by_name(_filter(api, "task_runs", {"task_runs": {"flow_run_id": {"any_": [commit["id"]]}}}))
        gates = [name for name in commit_tasks if name.startswith("gate")]
        assert len(gates) == 1, list(commit_tasks)
        assert set(commit_tasks) == commit_agents | set(gates)
        for name, task_run in commit_tasks.items():
            assert (task_run["state_type"], task_run["state_name"]) == ("COMPLETED", "Completed"), name
        skipped_ids = [by_phase[p]["id"] for p in agentless]
        if skipped_ids:
            assert _filter(api, "task_runs", {"task_runs": {"flow_run_id": {"any_": skipped_ids}}}) == []

        # Artifacts of the commit subflow: summary (markdown), gate conditions (table), progress.
        artifacts = _by_name(_filter(api, "artifacts", {"artifacts": {"flow_run_id": {"any_": [commit["id"]]}}}), "key")
        assert {k: a["type"] for k, a in artifacts.items()} == {
            "commit-summary": "markdown",
            "commit-gate": "table",
            "commit-progress": "progress",
        }
        summary = artifacts["commit-summary"]["data"]
        assert summary.startswith("# commit phase: gate passed")
        assert all(f"| {agent} | passed |" in summary for agent in commit_agents), summary
        table = _artifact_data(artifacts["commit-gate"])
        assert table and all(row["outcome"] == "passed" for row in table), table
        assert any(row["condition"].startswith("unit-tests.changed_lines_coverage") for row in table), table
        assert artifacts["commit-progress"]["data"] == 100.0
        if skipped_ids:
            assert _filter(api, "artifacts", {"artifacts": {"flow_run_id": {"any_": skipped_ids}}}) == []
    api_s = time.monotonic() - t1

    print("[api] flow runs:")
    for row in [pipeline, *subflows]:
        print(
            f"    {flows[row['flow_id']]:<11} {row['name']:<24} {row['state_type']:<9} {row['state_name']:<9} "
            f"run {row['total_run_time']:.2f}s"
        )
    print("[api] commit task runs: " + ", ".join(f"{n} ({t['state_name']})" for n, t in sorted(commit_tasks.items())))
    print("[api] pipeline task runs: " + ", ".join(f"{n} ({t['state_name']})" for n, t in pipeline_tasks.items()))
    print("[api] commit artifacts: " + ", ".join(f"{k} ({a['type']})" for k, a in sorted(artifacts.items())))
    print(
        f"[timings] server start {prefect_server.start_s:.2f}s, qeflow run {run_s:.2f}s "
        f"(pipeline flow run {pipeline['total_run_time']:.2f}s), API checks {api_s:.2f}s",
        flush=True,
    )
