"""Changed-lines coverage, as diff-cover defines it.

For each file changed between base and head (git's added/modified lines, repo-relative, mapped to
the service directory), the changed lines that the coverage report measures count, and a
measured line is covered when its hit count is above zero. Lines the report does not list
(comments, blank lines, declarations) are not measurable, and neither are files the report does
not list at all (docs, configs, tests, sources the tool was not told about) — those files are
named in `not_in_coverage` so a report can show what was left out. With no measurable changed
line the coverage is 100%, as diff-cover says; `no_measurable_lines` tells that case apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tasks.git import GitContext
from tasks.report import Finding, Severity
from tasks.unit_tests.coverage import CoverageData

__all__ = ["DiffCoverage", "FileDiffCoverage", "diff_coverage", "line_ranges", "uncovered_findings"]


def line_ranges(lines: Iterable[int]) -> str:
    """Compress line numbers for people: [12, 13, 14, 15, 20] -> "12-15, 20"."""
    parts: list[str] = []
    ordered = sorted(set(lines))
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ", ".join(parts)


@dataclass(frozen=True)
class FileDiffCoverage:
    """The changed lines of one file that the coverage report measures."""

    path: str  # relative to the service directory, as in the coverage data
    repo_path: str  # relative to the repository top level, as git names it
    changed: int  # added/modified lines in this file, measurable or not
    covered: list[int]
    uncovered: list[int]

    @property
    def measurable(self) -> int:
        return len(self.covered) + len(self.uncovered)

    def to_json(self) -> dict[str, Any]:
        return {
            "repo_path": self.repo_path,
            "changed": self.changed,
            "covered": self.covered,
            "uncovered": self.uncovered,
            "uncovered_ranges": line_ranges(self.uncovered),
        }


@dataclass(frozen=True)
class DiffCoverage:
    changed_lines_total: int  # every added line in the service, measurable or not
    measurable: int
    covered: int
    per_file: dict[str, FileDiffCoverage] = field(default_factory=dict)
    not_in_coverage: list[str] = field(default_factory=list)  # changed files the report lacks

    @property
    def no_measurable_lines(self) -> bool:
        return self.measurable == 0

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.measurable if self.measurable else 100.0

    @property
    def uncovered_files(self) -> list[FileDiffCoverage]:
        return [f for f in self.per_file.values() if f.uncovered]

    def to_json(self) -> dict[str, Any]:
        return {
            "changed_lines_total": self.changed_lines_total,
            "measurable": self.measurable,
            "covered": self.covered,
            "percent": round(self.percent, 2),
            "no_measurable_lines": self.no_measurable_lines,
            "files": {path: f.to_json() for path, f in sorted(self.per_file.items())},
            "not_in_coverage": self.not_in_coverage,
        }


def diff_coverage(git: GitContext, coverage: CoverageData) -> DiffCoverage:
    """Measure the changed lines of `git` against `coverage` (keyed by service-relative paths)."""
    total = measurable = covered = 0
    per_file: dict[str, FileDiffCoverage] = {}
    absent: list[str] = []
    for repo_path, lines in sorted(git.changed.items()):
        path = git.service_relative(repo_path)
        changed = sorted(set(lines))
        if path is None or not changed:  # outside the service, or only deletions
            continue
        total += len(changed)
        hits = coverage.files.get(path)
        if hits is None:
            absent.append(path)
            continue
        done = [n for n in changed if hits.get(n, 0) > 0]
        missed = [n for n in changed if n in hits and hits[n] <= 0]
        per_file[path] = FileDiffCoverage(path, repo_path, len(changed), done, missed)
        measurable += len(done) + len(missed)
        covered += len(done)
    return DiffCoverage(total, measurable, covered, per_file, absent)


def uncovered_findings(diff: DiffCoverage, covered_by: str) -> list[Finding]:
    """One finding per changed file with uncovered changed lines, naming the line ranges.

    `covered_by` says which test runs were looked at ("unit tests", "any test run").
    """
    findings = []
    for file in diff.uncovered_files:
        count = len(file.uncovered)
        findings.append(
            Finding(
                rule="uncovered-changed-lines",
                severity=Severity.MEDIUM,
                message=f"{count} changed line{'s' if count != 1 else ''} not covered by {covered_by}: "
                + line_ranges(file.uncovered),
                location=f"{file.repo_path}:{file.uncovered[0]}",
            )
        )
    return findings
