"""Build the run report (the data of report.json) from a run directory alone.

Everything comes from files in the run directory (run.json, <phase>/phase.json, gate.json,
<agent>/report.json, policy.json), so `qeflow report RUN_DIR` rebuilds the same report later.
"""

from __future__ import annotations

from typing import Any

from tasks.evidence import RunDir

__all__ = ["build_report"]


def _agents(run: RunDir, phase: str) -> list[dict[str, Any]]:
    phase_dir = run.local / phase
    if not phase_dir.is_dir():
        return []
    agents = []
    for report_file in sorted(phase_dir.glob("*/report.json")):
        data = run.read_json(str(report_file.relative_to(run.local)))
        agents.append(
            {
                "agent": data["agent"],
                "status": data["status"],
                "duration_s": data["duration_s"],
                "metrics": data.get("metrics", {}),
                "findings": len(data.get("findings", [])),
                "summary": data.get("summary", ""),
                "evidence": data.get("evidence", []),
            }
        )
    return agents


def _gate(run: RunDir, phase: str) -> dict[str, Any] | None:
    if not run.exists(f"{phase}/gate.json"):
        return None
    verdict = run.read_json(f"{phase}/gate.json")
    return {
        "passed": verdict["passed"],
        "baseline_run": verdict.get("baseline_run"),
        "conditions": [
            {
                "expression": c["expression"],
                "measured": c["measured"],
                "threshold": c["threshold"],
                "baseline": c.get("baseline"),
                "passed": c["outcome"] != "failed",
                "outcome": c["outcome"],
                "reason": c.get("reason", ""),
            }
            for c in verdict["conditions"]
        ],
    }


def _phase(run: RunDir, phase: str) -> dict[str, Any]:
    info = run.read_json(f"{phase}/phase.json") if run.exists(f"{phase}/phase.json") else {}
    status = info.get("status", "not-run")
    warnings = []
    duration, target = info.get("duration_s"), info.get("target_s")
    if duration is not None and target is not None and duration > target and status != "skipped":
        warnings.append(f"took {duration:.1f}s, over its {target:g}s target (max {info.get('max_s', 0):g}s)")
    return {
        "name": phase,
        "status": status,
        "state": info.get("state"),
        "duration_s": duration,
        "target_s": target,
        "max_s": info.get("max_s"),
        "reason": info.get("reason") or info.get("message"),
        "warnings": warnings,
        "agents": _agents(run, phase),
        "gate": _gate(run, phase),
        "policy": run.read_json(f"{phase}/policy.json") if run.exists(f"{phase}/policy.json") else None,
    }


def build_report(run: RunDir) -> dict[str, Any]:
    meta = run.read_json("run.json")
    phases = [_phase(run, name) for name in meta["phases"]]
    for entry in phases:
        if entry["status"] == "not-run" and meta.get("halted_by"):
            entry["reason"] = f"not started: the pipeline was halted by the {meta['halted_by']['phase']} phase"
    started, finished = meta.get("started_at"), meta.get("finished_at")
    duration = None
    if started and finished:
        from datetime import datetime

        duration = round((datetime.fromisoformat(finished) - datetime.fromisoformat(started)).total_seconds(), 3)
    return {
        "run_id": meta["run_id"],
        "service": meta["service"],
        "status": meta.get("status", "unknown"),
        "halted_by": meta.get("halted_by"),
        "started_at": started,
        "finished_at": finished,
        "duration_s": duration,
        "evidence": run.url,
        "selected_because": meta.get("selected_because", []),
        "reused": meta.get("reused", {}),
        "added_phases": meta.get("added_phases", []),
        "git": {k: meta["git"][k] for k in ("base", "head", "base_ref", "head_ref", "service_path")}
        | {"changed_files": sorted(meta["git"].get("changed", {}))},
        "phases": phases,
    }
