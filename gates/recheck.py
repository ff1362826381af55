"""Recompute every gate verdict of a stored run from its evidence alone, and compare.

Uses only files in the run directory: each phase's gate.json (its condition expressions and the
baseline metrics it used) and the agents' report.json. Nothing is re-run and the config is not
read, so a verdict can be audited long after the run, on another machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from gates.conditions import parse_condition
from gates.verdict import GateVerdict, evaluate_gate
from tasks.evidence import RunDir
from tasks.report import AgentReport

__all__ = ["RecheckResult", "recheck_run"]


@dataclass(frozen=True)
class RecheckResult:
    phase: str
    recorded_passed: bool
    recomputed: GateVerdict
    mismatches: list[str]

    @property
    def matches(self) -> bool:
        return not self.mismatches


def recheck_run(run: RunDir) -> list[RecheckResult]:
    meta = run.read_json("run.json")
    results = []
    for phase in meta["phases"]:
        if not run.exists(f"{phase}/gate.json"):
            continue
        recorded = run.read_json(f"{phase}/gate.json")
        conditions = [parse_condition(text) for text in recorded["expressions"]]
        reports = [
            AgentReport.model_validate_json(path.read_text(encoding="utf-8"))
            for path in sorted((run.local / phase).glob("*/report.json"))
        ]
        baseline = recorded.get("baseline") or {}
        verdict = evaluate_gate(phase, conditions, reports, baseline.get("metrics"), baseline.get("run_id"))
        mismatches = []
        if verdict.passed != recorded["passed"]:
            mismatches.append(
                f"gate: recorded {'passed' if recorded['passed'] else 'failed'}, "
                f"recomputed {'passed' if verdict.passed else 'failed'}"
            )
        recorded_rows = {(c["expression"], c["outcome"], c["measured"]) for c in recorded["conditions"]}
        for row in verdict.conditions:
            if (row.expression, row.outcome, row.measured) not in recorded_rows:
                mismatches.append(f"{row.expression}: recomputed {row.outcome} (measured {row.measured})")
        if len(verdict.conditions) != len(recorded["conditions"]):
            mismatches.append(f"{len(recorded['conditions'])} recorded rows, {len(verdict.conditions)} recomputed")
        results.append(RecheckResult(phase, recorded["passed"], verdict, mismatches))
    return results
