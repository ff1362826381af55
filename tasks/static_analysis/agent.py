"""The `static-analysis` agent of the commit phase.

It runs the analyzers (eslint, semgrep with the rules qeflow ships, ruff, bandit) on the files git
tracks at head, and on the base versions of the files the change touched, then keeps one list of
findings, each with a severity (severity.py) and a fingerprint (fingerprint.py), marked new or
existing (baseline.py). The gate judges only new findings (`static-analysis.new_critical == 0`);
existing ones are debt: counted, listed in the evidence, not blocking.

Outcomes: an analyzer that cannot start, fails, times out or writes no readable report raises
(the runner records an `error` report: no numbers are made up). Otherwise the agent passes and
the gate decides.

Evidence: static-analysis.sarif (SARIF 2.1.0, one run per tool), findings.json (every finding,
new and debt), and each tool's raw JSON report and console log (`<tool>.json`, `<tool>-base.json`,
`<tool>.log`).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from tasks.context import AgentContext
from tasks.errors import QeflowError
from tasks.git import EMPTY_TREE
from tasks.registry import AgentSpec
from tasks.report import AgentResult
from tasks.static_analysis.analyzers import (
    TOOLS,
    bandit_argv,
    default_prefix,
    eslint_argv,
    eslint_major,
    eslint_version,
    ruff_argv,
    semgrep_argv,
    shipped_rules,
)
from tasks.static_analysis.baseline import BaseTree, classify
from tasks.static_analysis.execution import Job, JobOutcome, run_jobs
from tasks.static_analysis.fingerprint import assign_fingerprints
from tasks.static_analysis.model import ToolFinding
from tasks.static_analysis.results import SEVERITY_ORDER, build_metrics, by_severity, report_findings, summarise
from tasks.static_analysis.sarif import ToolRun, build_sarif
from tasks.static_analysis.settings import Analyzer, StaticAnalysisSettings
from tasks.static_analysis.targets import (
    changed_files,
    default_analyzers,
    languages,
    select_targets,
    tracked_files,
)

__all__ = ["METRICS", "SPEC", "static_analysis"]

NAME = "static-analysis"
SARIF_FILE = "static-analysis.sarif"
FINDINGS_FILE = "findings.json"

METRICS: tuple[str, ...] = (
    "findings_total",
    "new_total",
    "new_critical",
    "new_high",
    "new_medium",
    "new_low",
    "debt_total",
    "debt_critical",
    "files_scanned",
    "base_files",
    "analysis_errors",
    "eslint_s",  # per analyzer that ran: seconds of its command(s), head and base together
    "semgrep_s",
    "ruff_s",
    "bandit_s",
)


# --- planning ----------------------------------------------------------------------------------


def _choose(
    settings: StaticAnalysisSettings, head_dir: Path, targets: Sequence[str]
) -> tuple[list[Analyzer], list[str]]:
    if settings.analyzers is not None:
        return list(settings.analyzers), []
    eslint_available = Analyzer.ESLINT in settings.commands or (head_dir / "node_modules/.bin/eslint").exists()
    return default_analyzers(head_dir, targets, eslint_available)


def _semgrep_configs(settings: StaticAnalysisSettings, head_dir: Path, files: Iterable[str]) -> list[Path]:
    extra = []
    for rel in settings.semgrep_rules:
        path = head_dir / rel
        if not path.exists():
            raise QeflowError(
                f"[agents.static-analysis] semgrep_rules: {rel} does not exist in the service at head "
                f"({path}); list rule files or directories relative to the service directory"
            )
        extra.append(path)
    return [*shipped_rules(languages(files)), *extra]


def _jobs(
    ctx: AgentContext,
    settings: StaticAnalysisSettings,
    plan: dict[Analyzer, tuple[list[str], list[str]]],
    head_dir: Path,
    base: BaseTree | None,
) -> list[Job]:
    jobs = []
    for analyzer, (prefix, files) in plan.items():
        wanted = set(files)
        base_files = [f for f in base.files if f in wanted] if base else []
        runs: list[tuple[str, Path, list[str]]] = [("head", head_dir, files)]
        if analyzer is Analyzer.SEMGREP:
            # One start-up for both trees: the base files go in by absolute path.
            base_paths = [str(base.path(f)) for f in base_files] if base else []
            runs = [("head+base" if base_paths else "head", head_dir, [*files, *base_paths])]
        elif base is not None and base_files:
            runs.append(("base", base.root, base_files))
        for label, cwd, run_files in runs:
            suffix = "-base" if label == "base" else ""
            output = ctx.evidence_path(f"{analyzer.value}{suffix}.json")
            if analyzer is Analyzer.ESLINT:
                argv = eslint_argv(prefix, output, run_files, eslint_major(head_dir))
            elif analyzer is Analyzer.SEMGREP:
                configs = _semgrep_configs(settings, head_dir, files)
                argv = semgrep_argv(
                    prefix,
                    output,
                    configs,
                    run_files,
                    jobs=settings.semgrep_jobs,
                    timeout_s=settings.semgrep_timeout_s,
                )
            elif analyzer is Analyzer.RUFF:
                argv = ruff_argv(prefix, output, run_files)
            else:
                argv = bandit_argv(prefix, output, run_files, head_dir)
            jobs.append(
                Job(
                    analyzer,
                    label,
                    tuple(argv),
                    cwd,
                    output,
                    ctx.evidence_path(f"{analyzer.value}{suffix}.log"),
                    tuple(run_files),
                )
            )
    return jobs


# --- reading results ---------------------------------------------------------------------------


def _relative(path: str, root: Path) -> str | None:
    for base in {str(root), os.path.realpath(root)}:
        if path == base or path.startswith(base + os.sep):
            return Path(os.path.relpath(path, base)).as_posix()
    return None


def _split(
    outcomes: Sequence[JobOutcome], head_dir: Path, base: BaseTree | None
) -> tuple[list[ToolFinding], list[ToolFinding]]:
    """Findings at head and at base, with service-relative paths (the base tree is tried first)."""
    head: list[ToolFinding] = []
    at_base: list[ToolFinding] = []
    for outcome in outcomes:
        for finding in outcome.parsed.findings:
            rel = _relative(finding.path, base.root) if base else None
            if rel is not None:
                at_base.append(dataclasses.replace(finding, path=rel))
                continue
            rel = _relative(finding.path, head_dir)
            if rel is not None:
                head.append(dataclasses.replace(finding, path=rel))
    return head, at_base


def _reader(root: Path) -> Callable[[str], list[str]]:
    def read(rel: str) -> list[str]:
        try:
            return (root / rel).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return []

    return read


def _write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


# --- the agent ---------------------------------------------------------------------------------


def static_analysis(ctx: AgentContext) -> AgentResult:
    settings = ctx.settings if isinstance(ctx.settings, StaticAnalysisSettings) else StaticAnalysisSettings()
    git = ctx.git
    head_dir = ctx.workspace.checkout(git.head, timeout_s=settings.timeout_s)
    targets = select_targets(tracked_files(git.repo, git.head, git.service_path), settings.paths, settings.exclude)

    chosen, notes = _choose(settings, head_dir, targets)
    plan: dict[Analyzer, tuple[list[str], list[str]]] = {}
    for analyzer in chosen:
        files = [t for t in targets if TOOLS[analyzer].accepts(t)]
        if not files:
            notes.append(f"{analyzer.value}: no files to analyse")
            continue
        prefix = settings.commands.get(analyzer) or default_prefix(analyzer, head_dir)
        plan[analyzer] = (list(prefix), files)

    planned = {f for _, files in plan.values() for f in files}
    changes = changed_files(git.repo, git.base, git.head, git.service_path)
    at_base = {head: old for head, old in changes.items() if head in planned and old is not None}
    base: BaseTree | None = None
    try:
        if at_base:
            base = BaseTree(git.repo, git.base, git.service_path, head_dir, at_base)
        jobs = _jobs(ctx, settings, plan, head_dir, base)
        outcomes = run_jobs(
            jobs, timeout_s=settings.timeout_s, cancel=ctx.cancel, overrides=settings.severity_overrides
        )
        head_raw, base_raw = _split(outcomes, head_dir, base)
        head_findings = assign_fingerprints(head_raw, _reader(head_dir))
        base_findings = assign_fingerprints(base_raw, _reader(base.root)) if base else []
        base_root, base_count = (str(base.root), len(base.files)) if base else (None, 0)
    finally:
        if base is not None:
            base.close()
    findings = classify(head_findings, base_findings, changes)

    runs, problems = _tool_runs(plan, outcomes, head_dir, base_root)
    by_tool: dict[str, list[ToolFinding]] = {}
    for finding in findings:
        by_tool.setdefault(finding.tool, []).append(finding)
    sarif_path = _write_json(
        ctx.evidence_path(SARIF_FILE), build_sarif(runs, by_tool, service_path=git.service_path, repo=git.repo)
    )
    findings_path = _write_json(
        ctx.evidence_path(FINDINGS_FILE),
        {
            "base": git.base,
            "head": git.head,
            "analyzers": [a.value for a in plan],
            "findings": [f.to_json(git.service_path) for f in findings],
        },
    )
    evidence = [sarif_path, findings_path]
    for outcome in outcomes:
        evidence += [p for p in (outcome.job.output, outcome.job.log) if p.is_file()]

    debt = [f for f in findings if not f.new]
    return AgentResult(
        metrics=build_metrics(findings, outcomes, len(planned), base_count, len(problems)),
        findings=report_findings(findings, git.service_path),
        evidence=[ctx.rel(p) for p in evidence],
        summary=summarise(findings, [a.value for a in plan], len(planned), notes),
        details={
            "analyzers": [a.value for a in plan],
            "notes": notes,
            "analysis_problems": problems[:100],
            "checkout": str(head_dir),
            "base": None if git.base == EMPTY_TREE else git.base,
            "changed_files": sorted(changes)[:200],
            "changed_files_count": len(changes),
            "debt": {
                "total": len(debt),
                "by_severity": {s.value: by_severity(debt)[s] for s in SEVERITY_ORDER},
                "by_tool": dict(Counter(f.tool for f in debt)),
            },
            "commands": {f"{o.job.analyzer.value}:{o.job.label}": _options(o.job) for o in outcomes},
        },
    )


def _options(job: Job) -> list[str]:
    """A job's argv without its file list (which can be long)."""
    files = set(job.files)
    return [arg for arg in job.argv if arg not in files]


def _tool_runs(
    plan: dict[Analyzer, tuple[list[str], list[str]]],
    outcomes: Sequence[JobOutcome],
    head_dir: Path,
    base_root: str | None,
) -> tuple[list[ToolRun], list[str]]:
    """One SARIF run per analyzer, and the analysis problems at head (those in old code are moot)."""
    runs, problems = [], []
    for analyzer in plan:
        mine = [o for o in outcomes if o.job.analyzer is analyzer]
        head_run = next(o for o in mine if o.job.label != "base")
        found = [
            problem
            for outcome in mine
            if outcome.job.label != "base"
            for problem in outcome.parsed.problems
            if not (base_root and base_root in problem)
        ]
        problems += found
        version = head_run.parsed.version or (eslint_version(head_dir) if analyzer is Analyzer.ESLINT else None)
        runs.append(ToolRun(analyzer.value, head_run.result.returncode, _options(head_run.job), version, found))
    return runs, problems


SPEC = AgentSpec(
    name=NAME,
    phase="commit",
    fn=static_analysis,
    settings=StaticAnalysisSettings,
    description="Runs eslint, semgrep (with qeflow's security rules), ruff and bandit on head and on the "
    "base versions of changed files; one SARIF 2.1.0 log; new findings (by fingerprint) versus debt.",
    metrics=METRICS,
)
