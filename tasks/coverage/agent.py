"""The `coverage` agent (build phase): unit and integration coverage merged line by line.

It runs no tests. It reads what earlier agents measured for this head — the unit-tests report
(commit phase, this run or a reused earlier run) and the integration-tests report (build phase,
just before it) — from the evidence store, merges them (a line is covered when any run covered
it), and measures total line and branch coverage and changed-lines coverage of the merged data.
The build gate checks `coverage.line_coverage > 85`.

Inputs (`[agents.coverage] inputs`, in order; the first is the baseline the others add to):
- an input whose agent has no report for this head is an error that names the missing evidence
  and how to produce it (run the commit phase, or the whole pipeline);
- an input in `required` (default: unit-tests) whose report holds no coverage file is an error;
  any other input without one (the integration run wrote none) is a finding, and the merge goes
  on without it, saying so;
- an input whose agent is turned off in qeflow.toml is left out, and the report says so.

Evidence: coverage-merged.json (totals, each input's share, per-file lines, uncovered ranges,
lines only one input covers, branches), merged.lcov, diff-coverage.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field, model_validator

from tasks.config import AgentSettings
from tasks.context import AgentContext, Recall
from tasks.coverage.branches import BranchLines, match_paths, merge_branch_lines, read_branch_lines
from tasks.coverage.merge import CoverageInput, MergedCoverage, merge_coverage
from tasks.errors import QeflowError
from tasks.registry import AgentSpec
from tasks.report import AgentResult, Finding, Severity, Status
from tasks.unit_tests.coverage import read_coverage
from tasks.unit_tests.diffcov import DiffCoverage, diff_coverage, uncovered_findings

__all__ = ["METRICS", "SPEC", "CoverageSettings", "MissingInput", "coverage", "find_report", "read_input"]

NAME = "coverage"
MERGED_JSON = "coverage-merged.json"
MERGED_LCOV = "merged.lcov"
DIFF_FILE = "diff-coverage.json"
# Evidence names coverage tools write, tried when a report does not say which file it kept.
_KNOWN_NAMES = ("lcov.info", "coverage.lcov", "cobertura-coverage.xml", "coverage.xml", "cobertura.xml")

METRICS: tuple[str, ...] = (
    "line_coverage",
    "lines_total",
    "lines_covered",
    "branch_coverage",  # only when an input has branch data
    "branches_total",
    "branches_covered",
    "changed_lines_coverage",
    "changed_lines_measurable",
    "changed_lines_covered",
    "files",
    "inputs",
    "unit_tests_line_coverage",  # each input's own line coverage: <agent>_line_coverage
    "integration_tests_line_coverage",
    "integration_tests_only_lines",  # lines no earlier input covered: <agent>_only_lines
)


class CoverageSettings(AgentSettings):
    """`[agents.coverage]` in qeflow.toml."""

    inputs: list[str] = Field(
        default_factory=lambda: ["unit-tests", "integration-tests"],
        min_length=1,
        description="Agents whose coverage reports are merged, in order; each must run before coverage "
        "(in an earlier phase, or earlier in the build phase).",
    )
    required: list[str] = Field(
        default_factory=lambda: ["unit-tests"],
        description="Inputs whose coverage report must exist; a missing report of another input is "
        "a finding and the merge goes on without it.",
    )

    @model_validator(mode="after")
    def _required_are_inputs(self) -> CoverageSettings:
        unknown = [name for name in self.required if name not in self.inputs]
        if unknown:
            raise ValueError(f"required {unknown} must be among inputs {self.inputs}")
        if len(set(self.inputs)) != len(self.inputs):
            raise ValueError(f"inputs must not repeat an agent: {self.inputs}")
        return self


class MissingInput(QeflowError):
    """A coverage input has no evidence for this head; the message says how to produce it."""


@dataclass(frozen=True)
class Gap:
    """An input left out of the merge, and why (turned off, or no coverage report)."""

    agent: str
    reason: str
    severity: Severity

    def to_json(self) -> dict[str, str]:
        return {"agent": self.agent, "reason": self.reason, "severity": self.severity.value}


# --- reading the inputs ----------------------------------------------------------------------


def _phase_of(agent: str) -> str | None:
    from tasks import AGENTS  # lazily: tasks/__init__ lists this agent too

    return AGENTS[agent].phase if agent in AGENTS else None


def _missing_report(ctx: AgentContext, agent: str) -> MissingInput:
    head = ctx.git.head[:10]
    phase = _phase_of(agent)
    path = ctx.config.root_dir
    if phase is not None and phase != ctx.phase:
        return MissingInput(
            f"coverage needs the coverage report of {agent} ({phase} phase) for head {head}, and there is "
            f"none: this run did not run the {phase} phase, and no earlier run of "
            f"{ctx.config.service.name} at {head} passed it (only a passed phase's evidence is reused). "
            f"Run the {phase} phase first (`qeflow run {path} --phase {phase} --phase {ctx.phase}`) or "
            f"rerun the whole pipeline (`qeflow run {path}`)."
        )
    return MissingInput(
        f"coverage needs the coverage report of {agent} for head {head}, and this run has no {agent} "
        f"report: it must run before coverage in the {ctx.phase} phase (registry order, one agent after "
        f"another), or be listed in [agents.coverage] inputs only if it exists."
    )


def find_report(recall: Recall) -> Path | None:
    """The coverage file among an agent's evidence: the one its report names, else a known name."""
    details = recall.report.details
    named = details.get("coverage_report")
    if isinstance(named, str) and (recall.run.local / named).is_file():
        return recall.run.local / named
    source = details.get("coverage", {}).get("source") if isinstance(details.get("coverage"), dict) else None
    names = ([Path(source).name] if source else []) + list(_KNOWN_NAMES)
    for name in names:
        for rel in recall.report.evidence:
            if Path(rel).name == name or Path(rel).name.endswith("-" + name):
                path = recall.run.local / rel
                if path.is_file():
                    return path
    return None


def read_input(agent: str, recall: Recall, report_path: Path) -> CoverageInput:
    """Parse one agent's coverage file, paths relative to the checkout the tool ran in."""
    checkout = recall.report.details.get("checkout")
    root = Path(checkout) if isinstance(checkout, str) and checkout else None
    data = read_coverage(report_path, root=root)
    raw: BranchLines = read_branch_lines(report_path, data.format)
    names = match_paths(raw, data.files)
    # Two report names for one file (a file listed twice) merge like two reports do.
    branches = merge_branch_lines({names[name]: lines} for name, lines in raw.items() if name in names)
    location = f"{recall.run.run_id}/{recall.run.relative(report_path)}"
    return CoverageInput(agent, data, branches, location)


def _collect(ctx: AgentContext, settings: CoverageSettings) -> tuple[list[CoverageInput], list[Gap]]:
    inputs: list[CoverageInput] = []
    gaps: list[Gap] = []
    for agent in settings.inputs:
        configured = ctx.config.agents.get(agent)
        turned_off = configured is not None and not configured.enabled
        recall = ctx.recall(agent)
        if turned_off or (recall is not None and recall.report.status is Status.SKIPPED):
            gaps.append(Gap(agent, f"{agent} is turned off in {ctx.config.path.name}", Severity.INFO))
            continue
        if recall is None:
            raise _missing_report(ctx, agent)
        path = find_report(recall)
        where = f"run {recall.run.run_id}, {recall.report.phase}/{agent}, status {recall.report.status.value}"
        if path is None:
            reason = f"the {agent} report ({where}) holds no coverage file (LCOV or Cobertura) in its evidence"
            if agent in settings.required:
                raise MissingInput(
                    f"coverage needs the coverage report of {agent}, and {reason}; fix {agent} (see its "
                    f"report) and rerun that phase, or the whole pipeline"
                )
            gaps.append(Gap(agent, reason, Severity.MEDIUM))
            continue
        inputs.append(read_input(agent, recall, path))
    if not inputs:
        raise MissingInput(
            "coverage has nothing to merge: "
            + "; ".join(g.reason for g in gaps)
            + ". Turn the coverage agent off too ([agents.coverage] enabled = false) or enable an input."
        )
    return inputs, gaps


# --- results ---------------------------------------------------------------------------------


def _slug(agent: str) -> str:
    return agent.replace("-", "_")


def _metrics(merged: MergedCoverage, diff: DiffCoverage) -> dict[str, float]:
    metrics = {
        "line_coverage": round(merged.percent, 2),
        "lines_total": float(merged.lines_total),
        "lines_covered": float(merged.lines_covered),
        "changed_lines_coverage": round(diff.percent, 2),
        "changed_lines_measurable": float(diff.measurable),
        "changed_lines_covered": float(diff.covered),
        "files": float(len(merged.files)),
        "inputs": float(len(merged.inputs)),
    }
    counts = merged.branches
    if counts is not None and merged.branch_percent is not None:
        metrics.update(
            branch_coverage=round(merged.branch_percent, 2),
            branches_total=float(counts[1]),
            branches_covered=float(counts[0]),
        )
    for index, item in enumerate(merged.inputs):
        metrics[f"{_slug(item.name)}_line_coverage"] = round(item.data.percent, 2)
        if index > 0:
            metrics[f"{_slug(item.name)}_only_lines"] = float(merged.only_by(item.name))
    return metrics


def _findings(diff: DiffCoverage, gaps: list[Gap]) -> list[Finding]:
    findings = [
        Finding(rule="coverage-input-missing", severity=gap.severity, message=f"not merged: {gap.reason}")
        for gap in gaps
    ]
    findings.extend(uncovered_findings(diff, "any test run"))
    return findings


def _summary(merged: MergedCoverage, diff: DiffCoverage, gaps: list[Gap]) -> str:
    parts = " + ".join(f"{i.name} {i.data.percent:.1f}%" for i in merged.inputs)
    text = f"merged line coverage {merged.percent:.1f}% ({merged.lines_covered}/{merged.lines_total}) from {parts}"
    if merged.branch_percent is not None:
        text += f"; branches {merged.branch_percent:.1f}%"
    text += (
        "; no measurable changed lines"
        if diff.no_measurable_lines
        else f"; changed lines {diff.percent:.1f}% ({diff.covered}/{diff.measurable})"
    )
    if gaps:
        text += "; not merged: " + ", ".join(g.agent for g in gaps)
    return text


# --- the agent -------------------------------------------------------------------------------


def coverage(ctx: AgentContext) -> AgentResult:
    settings = ctx.settings if isinstance(ctx.settings, CoverageSettings) else CoverageSettings()
    inputs, gaps = _collect(ctx, settings)
    merged = merge_coverage(inputs)
    data = merged.as_coverage_data(MERGED_LCOV)
    diff = diff_coverage(ctx.git, data)

    merged_json = ctx.evidence_path(MERGED_JSON)
    report = {**merged.to_json(), "not_merged": [gap.to_json() for gap in gaps]}
    merged_json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    merged_lcov = ctx.evidence_path(MERGED_LCOV)
    merged_lcov.write_text(merged.to_lcov(), encoding="utf-8")
    diff_path = ctx.evidence_path(DIFF_FILE)
    diff_path.write_text(json.dumps(diff.to_json(), indent=2) + "\n", encoding="utf-8")

    return AgentResult(
        metrics=_metrics(merged, diff),
        findings=_findings(diff, gaps),
        evidence=[ctx.rel(p) for p in (merged_json, merged_lcov, diff_path)],
        summary=_summary(merged, diff, gaps),
        details={
            "inputs": [i.location for i in inputs],
            "not_merged": [g.agent for g in gaps],
            "not_in_coverage": diff.not_in_coverage,
        },
    )


SPEC = AgentSpec(
    name=NAME,
    phase="build",
    fn=coverage,
    settings=CoverageSettings,
    description="Merges the unit and integration coverage reports of head line by line (LCOV and "
    "Cobertura) and measures total line, branch and changed-lines coverage of the union.",
    metrics=METRICS,
)
