"""Prefect artifacts of a phase: a markdown summary and a table of gate conditions."""

from __future__ import annotations

import logging
from pathlib import Path

from prefect.artifacts import create_markdown_artifact, create_table_artifact

from gates import GateVerdict
from tasks.report import AgentReport

__all__ = ["publish_phase_artifacts", "publish_run_artifact"]


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def publish_phase_artifacts(phase: str, reports: list[AgentReport], verdict: GateVerdict, duration_s: float) -> None:
    lines = [
        f"# {phase} phase: gate {'passed' if verdict.passed else 'FAILED'} ({duration_s:.1f}s)",
        "",
        "| agent | status | time | summary |",
        "|---|---|---|---|",
    ]
    lines += [f"| {r.agent} | {r.status.value} | {r.duration_s:.1f}s | {r.summary} |" for r in reports]
    failed = verdict.failed_conditions
    if failed:
        lines += ["", "## Failed conditions", ""] + [f"- {c.message()}" for c in failed]
    create_markdown_artifact(markdown="\n".join(lines), key=f"{phase}-summary", description=f"{phase} phase summary")
    create_table_artifact(
        table=[
            {
                "condition": c.expression,
                "measured": _fmt(c.measured),
                "threshold": _fmt(c.threshold),
                "outcome": c.outcome,
                "reason": c.reason,
            }
            for c in verdict.conditions
        ],
        key=f"{phase}-gate",
        description=f"{phase} gate conditions",
    )


def publish_run_artifact(run_id: str, report_md: Path) -> None:
    """The whole run report as one markdown artifact on the pipeline run."""
    try:
        create_markdown_artifact(
            markdown=report_md.read_text(encoding="utf-8"), key="qeflow-report", description=f"qeflow run {run_id}"
        )
    except Exception as exc:  # the report files exist either way; an artifact is a convenience
        logging.getLogger("qeflow.progress").warning("could not publish the report artifact: %s", exc)
