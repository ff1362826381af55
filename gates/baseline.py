"""Baselines for relative conditions: the last passing run of the same service.

"Passing" is judged per phase: the newest stored run whose gate for that phase passed. Runs of
other services sharing the store are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

from tasks.evidence import EvidenceStore

__all__ = ["Baseline", "find_baseline"]


@dataclass(frozen=True)
class Baseline:
    run_id: str
    metrics: dict[str, dict[str, float]]  # agent -> metric -> value


def find_baseline(store: EvidenceStore, service: str, phase: str, exclude_run: str | None = None) -> Baseline | None:
    for run_id, report in store.reports(newest_first=True):
        if run_id == exclude_run or report.get("service") != service:
            continue
        for entry in report.get("phases", []):
            gate = entry.get("gate") or {}
            if entry.get("name") == phase and gate.get("passed") is True:
                metrics = {a["agent"]: dict(a.get("metrics", {})) for a in entry.get("agents", [])}
                return Baseline(run_id, metrics)
    return None
