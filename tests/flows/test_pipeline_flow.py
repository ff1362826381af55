"""The pipeline flow with small real agents: gates, GateFailed, errors, budgets, policies, baselines.

The agents here do real (small) work in the run: they read their settings, run processes and
write evidence. What is under test is the flow's behaviour around them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest
from pydantic import Field

from flows.errors import PipelineFailed
from tasks.config import AgentSettings
from tasks.context import AgentContext
from tasks.processes import run_command
from tasks.registry import AgentSpec, Registry
from tasks.report import AgentResult

pytestmark = pytest.mark.usefixtures("prefect_harness")


class ProbeSettings(AgentSettings):
    score: float = Field(default=95.0, description="The score this probe reports.")


def probe(ctx: AgentContext) -> AgentResult:
    settings = ctx.settings
    marker = ctx.evidence_path("probe.txt")
    marker.write_text(f"score {settings.score}\n", encoding="utf-8")
    return AgentResult(metrics={"score": settings.score}, evidence=[ctx.rel(marker)], summary="probed")


def crasher(ctx: AgentContext) -> AgentResult:
    raise RuntimeError("the tool fell over")


def sleeper(ctx: AgentContext) -> AgentResult:
    result = run_command(
        ["sleep", "30"], cwd=ctx.evidence_dir, log_path=ctx.evidence_path("sleep.log"), timeout_s=60, cancel=ctx.cancel
    )
    return AgentResult(metrics={"slept_s": result.duration_s}, summary=result.describe())


def _registry(*specs: tuple[str, str, Callable[[AgentContext], AgentResult]]) -> Registry:
    return Registry(AgentSpec(name, phase, fn, ProbeSettings, f"test agent {name}") for name, phase, fn in specs)


def _run(monkeypatch: pytest.MonkeyPatch, registry: Registry, root: Path, **kwargs: Any) -> dict[str, Any]:
    import flows.pipeline as pipeline_module

    monkeypatch.setattr(pipeline_module, "AGENTS", registry)
    state = pipeline_module.pipeline(str(root), evidence=str(root / ".runs"), return_state=True, **kwargs)
    outcome = state.result(raise_on_failure=False)
    if isinstance(outcome, PipelineFailed):
        assert state.is_failed()
        return outcome.report | {"_state": state.name}
    assert isinstance(outcome, dict), outcome
    return outcome | {"_state": state.name}


TOML = """\
[service]
name = "tiny"
start = ["python3", "app.py"]
[database]
mode = "none"
[agents.probe]
score = {score}
[gates.commit]
conditions = [{conditions}]
[phases.commit]
target_s = {target}
max_s = {max_s}
"""


def _toml(
    score: float = 95, conditions: str = '"probe.score > 90"', target: float = 60, max_s: float = 120, extra: str = ""
) -> str:
    return TOML.format(score=score, conditions=conditions, target=target, max_s=max_s) + extra


def _phase(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in report["phases"] if p["name"] == name)


def test_passing_gate_lets_the_next_phase_run(monkeypatch, tiny_service) -> None:
    registry = _registry(("probe", "commit", probe), ("later", "build", probe))
    report = _run(monkeypatch, registry, tiny_service(_toml()), phases=["commit", "build"])
    assert report["status"] == "passed"
    commit = _phase(report, "commit")
    assert commit["gate"]["conditions"][0] | {"reason": ""} == {
        "expression": "probe.score > 90",
        "measured": 95.0,
        "threshold": 90.0,
        "baseline": None,
        "passed": True,
        "outcome": "passed",
        "reason": "",
    }
    assert _phase(report, "build")["status"] == "passed"
    run_dir = Path(report["evidence"])
    assert (run_dir / "commit" / "probe" / "probe.txt").read_text() == "score 95.0\n"
    assert (run_dir / "commit" / "commit-status.json").is_file()


def test_failed_gate_halts_the_pipeline_and_blocks_the_merge(monkeypatch, tiny_service) -> None:
    registry = _registry(("probe", "commit", probe), ("later", "build", probe))
    report = _run(monkeypatch, registry, tiny_service(_toml(score=42)), phases=["commit", "build"])
    assert report["_state"] == "GateFailed" and report["status"] == "failed"
    commit, build = _phase(report, "commit"), _phase(report, "build")
    assert commit["status"] == "failed" and commit["state"] == "GateFailed"
    failed = [c for c in commit["gate"]["conditions"] if not c["passed"]]
    assert [(c["expression"], c["measured"], c["threshold"]) for c in failed] == [("probe.score > 90", 42.0, 90.0)]
    assert build["status"] == "not-run" and build["agents"] == []
    assert "halted by the commit phase" in build["reason"]
    assert commit["policy"]["policy"] == "block-merge"
    status = Path(report["evidence"], "commit", "commit-status.json").read_text()
    assert '"state": "failure"' in status


def test_crashing_agent_yields_an_error_report_and_fails_the_gate(monkeypatch, tiny_service) -> None:
    registry = _registry(("probe", "commit", probe), ("crasher", "commit", crasher))
    report = _run(monkeypatch, registry, tiny_service(_toml()), phases=["commit"])
    commit = _phase(report, "commit")
    agents = {a["agent"]: a for a in commit["agents"]}
    assert agents["probe"]["status"] == "passed"  # the other agent's report is still collected
    assert agents["crasher"]["status"] == "error"
    assert "the tool fell over" in agents["crasher"]["summary"]
    trace = Path(report["evidence"], agents["crasher"]["evidence"][0]).read_text()
    assert "RuntimeError: the tool fell over" in trace
    failed = [c["expression"] for c in commit["gate"]["conditions"] if not c["passed"]]
    assert failed == ["crasher ran without error"]


def test_max_budget_times_the_phase_out_and_kills_its_processes(monkeypatch, tiny_service) -> None:
    registry = _registry(("probe", "commit", probe), ("sleeper", "commit", sleeper))
    started = time.monotonic()
    report = _run(monkeypatch, registry, tiny_service(_toml(target=1, max_s=3)), phases=["commit"])
    assert time.monotonic() - started < 25
    commit = _phase(report, "commit")
    assert report["_state"] == "TimedOut" and commit["status"] == "timed-out"
    sleeper_report = next(a for a in commit["agents"] if a["agent"] == "sleeper")
    assert sleeper_report["status"] == "error"
    assert commit["warnings"] and "over its 1s target" in commit["warnings"][0]
    leftovers = [p for p in psutil.process_iter(["cmdline"]) if p.info["cmdline"] == ["sleep", "30"]]
    assert leftovers == []


def test_target_budget_only_warns(monkeypatch, tiny_service) -> None:
    registry = _registry(("probe", "commit", probe))
    report = _run(monkeypatch, registry, tiny_service(_toml(target=0.001, max_s=60)), phases=["commit"])
    commit = _phase(report, "commit")
    assert report["status"] == "passed"
    assert "over its 0.001s target" in commit["warnings"][0]


@pytest.mark.parametrize(
    ("policy", "records"),
    [
        ("auto-rollback", {"investigation.json"}),
        ("rollback-incident", {"incident.json"}),
        ("block-review", {"review-request.json", "commit-status.json"}),
    ],
)
def test_rollback_policies_leave_their_records(monkeypatch, tiny_service, policy: str, records: set[str]) -> None:
    # The probe runs in staging and scores under its gate, so staging's policy applies.
    extra = f'[phases.staging]\non_failure = "{policy}"\n'
    toml = _toml(score=1).replace("[gates.commit]", "[gates.staging]").replace("[phases.commit]", "[phases.build]")
    registry = _registry(("probe", "staging", probe))
    report = _run(monkeypatch, registry, tiny_service(toml + extra), phases=["staging"])
    staging = _phase(report, "staging")
    assert staging["policy"]["policy"] == policy
    written = {p.name for p in Path(report["evidence"], "staging").glob("*.json")}
    assert records <= written
    if "incident.json" in records:
        incident = Path(report["evidence"], "staging", "incident.json").read_text()
        assert "probe.score > 90" in incident and "staging/probe/report.json" in incident
    if policy != "block-review":
        rollback = next(a for a in staging["policy"]["actions"] if a["action"] == "rollback")
        assert rollback["result"].startswith("nothing to roll back")


def test_relative_condition_uses_the_last_passing_run(monkeypatch, tiny_service) -> None:
    registry = _registry(("probe", "commit", probe))
    relative = '"probe.score <= +5%"'
    first = _run(monkeypatch, registry, tiny_service(_toml(score=100, conditions=relative)), phases=["commit"])
    row = _phase(first, "commit")["gate"]["conditions"][0]
    assert row["passed"] and "no baseline yet" in row["reason"]

    second = _run(monkeypatch, registry, tiny_service(_toml(score=104, conditions=relative)), phases=["commit"])
    gate = _phase(second, "commit")["gate"]
    assert gate["passed"] and gate["baseline_run"] == first["run_id"]
    assert gate["conditions"][0]["threshold"] == pytest.approx(105.0)

    third = _run(monkeypatch, registry, tiny_service(_toml(score=111, conditions=relative)), phases=["commit"])
    gate = _phase(third, "commit")["gate"]
    assert not gate["passed"] and gate["baseline_run"] == second["run_id"]
    assert gate["conditions"][0]["threshold"] == pytest.approx(104 * 1.05)


def reader(ctx: AgentContext) -> AgentResult:
    """A build agent that reads what the commit phase's probe stored (memory coordination)."""
    recall = ctx.recall("probe")
    if recall is None:
        raise RuntimeError("no commit-phase evidence for this head")
    marker = recall.evidence("probe.txt")
    assert marker is not None
    return AgentResult(metrics={"score": float(marker.read_text().split()[1])}, summary=f"read {recall.run.run_id}")


def test_single_phase_rerun_reuses_earlier_evidence_for_the_same_head(monkeypatch, tiny_service) -> None:
    registry = _registry(("probe", "commit", probe), ("reader", "build", reader))
    toml = _toml(extra='[gates.build]\nconditions = ["reader.score > 90"]\n')
    root = tiny_service(toml)
    first = _run(monkeypatch, registry, root, phases=["commit"])
    rerun = _run(monkeypatch, registry, root, phases=["build"])
    assert rerun["reused"] == {"commit": first["run_id"]}
    assert [p["name"] for p in rerun["phases"]] == ["build"]
    build = _phase(rerun, "build")
    assert build["status"] == "passed" and build["agents"][0]["summary"] == f"read {first['run_id']}"

    root = tiny_service(toml)  # a new head: nothing stored for it, so commit runs first
    fresh = _run(monkeypatch, registry, root, phases=["build"])
    assert fresh["reused"] == {} and fresh["added_phases"] == ["commit"]
    assert [p["name"] for p in fresh["phases"]] == ["commit", "build"]
    assert _phase(fresh, "build")["agents"][0]["summary"] == f"read {fresh['run_id']}"
