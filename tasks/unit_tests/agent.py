"""The `unit-tests` agent of the commit phase.

It runs the team's own test command in a checkout of head, then reads the standard reports that
command writes: JUnit XML for the test outcomes, LCOV or Cobertura for coverage. From the coverage
and git's changed lines it measures changed-lines coverage like diff-cover, which the commit gate
checks (`unit-tests.changed_lines_coverage > 80`).

Outcomes:
- report files missing or malformed, command timed out or cancelled: raise (the runner records
  an `error` report; no numbers are invented);
- a test failed, no test ran, or the command exited non-zero: `failed`;
- otherwise passed. The gate decides on coverage.

Evidence (in the agent's directory): command.log, the raw reports under their own names,
diff-coverage.json (covered / uncovered changed lines per file).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from pydantic import Field, field_validator

from tasks.config import AgentSettings, service_relative
from tasks.context import AgentContext
from tasks.errors import QeflowError, ReportError
from tasks.processes import CommandResult, run_command
from tasks.registry import AgentSpec
from tasks.report import AgentResult, Finding, Severity
from tasks.unit_tests.coverage import CoverageData, read_coverage
from tasks.unit_tests.diffcov import DiffCoverage, diff_coverage, uncovered_findings
from tasks.unit_tests.junit import JUnitSummary, read_junit

__all__ = ["METRICS", "SPEC", "UnitTestsSettings", "unit_tests"]

NAME = "unit-tests"
LOG_FILE = "command.log"
DIFF_FILE = "diff-coverage.json"
# Names the runner or this agent already use in the evidence directory.
_RESERVED = frozenset({LOG_FILE, DIFF_FILE, "report.json", "error.txt"})

METRICS: tuple[str, ...] = (
    "tests",
    "passed",
    "failed",
    "skipped",
    "line_coverage",
    "branch_coverage",  # only when the coverage report has branch data
    "changed_lines",
    "changed_lines_measurable",
    "changed_lines_covered",
    "changed_lines_coverage",
    "exit_code",
    "command_s",
)


class UnitTestsSettings(AgentSettings):
    """`[agents.unit-tests]` in qeflow.toml."""

    command: list[str] = Field(
        default_factory=lambda: ["npm", "test"],
        description="argv of the test command, run in the service directory of a checkout of head "
        "(never through a shell). It must write the JUnit and coverage reports below.",
    )
    junit: list[str] = Field(
        default_factory=lambda: ["reports/junit.xml"],
        min_length=1,
        description="JUnit XML files the command writes, relative to the service directory; merged.",
    )
    coverage: str = Field(
        default="coverage/lcov.info",
        description="Coverage report the command writes, relative to the service directory: LCOV or "
        "Cobertura XML (detected from the content).",
    )
    env: dict[str, str] = Field(default_factory=dict, description="Extra environment variables for the command.")

    @field_validator("command")
    @classmethod
    def _argv(cls, value: list[str]) -> list[str]:
        if not value or not all(part for part in value):
            raise ValueError('a command as a non-empty list of strings (argv), e.g. ["npm", "test"]')
        return value

    @field_validator("junit")
    @classmethod
    def _junit_paths(cls, value: list[str]) -> list[str]:
        return [service_relative(v) for v in value]

    @field_validator("coverage")
    @classmethod
    def _coverage_path(cls, value: str) -> str:
        return service_relative(value)


# --- evidence --------------------------------------------------------------------------------


def _evidence_name(src: Path, taken: set[str]) -> str:
    """Keep the tool's file name; prefix its directory when two reports share a name."""
    name = src.name
    if name in taken or name in _RESERVED:
        name = f"{src.parent.name or 'report'}-{src.name}"
    base, n = name, 2
    while name in taken or name in _RESERVED:
        name, n = f"{n}-{base}", n + 1
    taken.add(name)
    return name


def _keep_raw(paths: list[Path], evidence_dir: Path) -> list[Path]:
    """Copy each report that exists into the evidence, before parsing, so a bad one can be read."""
    taken: set[str] = set()
    kept = []
    for src in paths:
        if src.is_file():
            target = evidence_dir / _evidence_name(src, taken)
            shutil.copy2(src, target)
            kept.append(target)
    return kept


# --- results ---------------------------------------------------------------------------------


def _metrics(junit: JUnitSummary, cov: CoverageData, diff: DiffCoverage, result: CommandResult) -> dict[str, float]:
    metrics = {
        "tests": float(junit.tests),
        "passed": float(junit.passed),
        "failed": float(junit.failed),
        "skipped": float(junit.skipped),
        "line_coverage": round(cov.percent, 2),
        "changed_lines": float(diff.changed_lines_total),
        "changed_lines_measurable": float(diff.measurable),
        "changed_lines_covered": float(diff.covered),
        "changed_lines_coverage": round(diff.percent, 2),
        "exit_code": float(result.returncode if result.returncode is not None else -1),
        "command_s": round(result.duration_s, 3),
    }
    if cov.branch_percent is not None:
        metrics["branch_coverage"] = round(cov.branch_percent, 2)
    return metrics


def _findings(junit: JUnitSummary, diff: DiffCoverage) -> list[Finding]:
    findings = []
    for failure in junit.failures:
        where = f"{failure.suite} > {failure.name}" if failure.suite else failure.name
        what = "crashed" if failure.kind == "error" else "failed"
        findings.append(
            Finding(
                rule="test-failed",
                severity=Severity.HIGH,
                message=f"{where} {what}" + (f": {failure.message}" if failure.message else ""),
                location=failure.test_id,
            )
        )
    findings.extend(uncovered_findings(diff, "unit tests"))
    return findings


def _summary(junit: JUnitSummary, cov: CoverageData, diff: DiffCoverage, result: CommandResult) -> str:
    changed = (
        f"changed-lines coverage {diff.percent:.1f}% (no measurable changed lines)"
        if diff.no_measurable_lines
        else f"changed-lines coverage {diff.percent:.1f}% ({diff.covered}/{diff.measurable})"
    )
    text = (
        f"{junit.tests} tests: {junit.passed} passed, {junit.failed} failed, {junit.skipped} skipped; "
        f"line coverage {cov.percent:.1f}%; {changed}"
    )
    if junit.tests == 0:
        text += "; no test ran (the JUnit report holds no test case)"
    if result.returncode != 0:
        command = " ".join(result.argv)
        if junit.failed == 0:
            text += f"; but `{command}` exited {result.returncode} although no test failed"
        else:
            text += f"; `{command}` exited {result.returncode}"
    return text


def _with_command(exc: ReportError, result: CommandResult) -> ReportError:
    """A missing report after a failed command: the command is the story, say so."""
    reason = str(exc).removeprefix(f"{exc.path}: ")
    tail = result.tail(5).strip()
    hint = f"; last output:\n{tail}" if tail else ""
    return ReportError(f"{reason} (the test command {result.describe()}){hint}", path=exc.path)


# --- the agent -------------------------------------------------------------------------------


def unit_tests(ctx: AgentContext) -> AgentResult:
    settings = ctx.settings if isinstance(ctx.settings, UnitTestsSettings) else UnitTestsSettings()
    service_dir = ctx.workspace.checkout(ctx.git.head, timeout_s=settings.timeout_s)
    junit_paths = [service_dir / p for p in settings.junit]
    coverage_path = service_dir / settings.coverage
    # A report left over from an earlier run in this checkout (or committed by mistake) must
    # not pass for this run's.
    for stale in (*junit_paths, coverage_path):
        stale.unlink(missing_ok=True)

    log_path = ctx.evidence_path(LOG_FILE)
    result = run_command(
        settings.command,
        cwd=service_dir,
        log_path=log_path,
        env=settings.env,
        timeout_s=settings.timeout_s,
        cancel=ctx.cancel,
    )
    if result.timed_out or result.cancelled:
        raise QeflowError(f"unit tests did not finish: {result.describe()}")

    evidence = [log_path, *_keep_raw([*junit_paths, coverage_path], ctx.evidence_dir)]
    try:
        junit = read_junit(junit_paths)
        coverage = read_coverage(coverage_path, root=service_dir)
    except ReportError as exc:
        if result.returncode != 0:
            raise _with_command(exc, result) from exc
        raise

    diff = diff_coverage(ctx.git, coverage)
    diff_path = ctx.evidence_path(DIFF_FILE)
    diff_path.write_text(json.dumps(diff.to_json(), indent=2) + "\n", encoding="utf-8")
    evidence.append(diff_path)

    return AgentResult(
        metrics=_metrics(junit, coverage, diff, result),
        findings=_findings(junit, diff),
        evidence=[ctx.rel(p) for p in evidence],
        summary=_summary(junit, coverage, diff, result),
        failed=junit.failed > 0 or junit.tests == 0 or result.returncode != 0,
        details={
            "command": list(result.argv),
            "exit_code": result.returncode,
            "checkout": str(service_dir),
            "coverage": coverage.to_json(),
            "not_in_coverage": diff.not_in_coverage,
            "junit_reports": settings.junit,
        },
    )


SPEC = AgentSpec(
    name=NAME,
    phase="commit",
    fn=unit_tests,
    settings=UnitTestsSettings,
    description="Runs the service's unit tests in a checkout of head, reads their JUnit and "
    "LCOV/Cobertura reports and measures changed-lines coverage (as diff-cover does).",
    metrics=METRICS,
)
