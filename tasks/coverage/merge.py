"""Merging coverage reports line by line: a line is covered when any report covers it.

Inputs are `CoverageData` from the shared parser (`tasks.unit_tests.coverage`), keyed by paths
relative to the service directory, plus their branch counts per line (`branches.py`). The union
keeps every line any report measures (a report that lists fewer lines, e.g. one that never loaded
a file, does not hide the others' lines), adds the hit counts, and remembers which input covered
what, so the evidence can say how much the integration tests added.

Everything here is pure: data in, data out. The agent (`agent.py`) finds the reports and writes
the evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tasks.coverage.branches import BranchLines, branch_totals, merge_branch_lines
from tasks.unit_tests.coverage import CoverageData, merge_files
from tasks.unit_tests.diffcov import line_ranges

__all__ = ["CoverageInput", "FileCoverage", "MergedCoverage", "merge_coverage"]


@dataclass(frozen=True)
class CoverageInput:
    """One report to merge: which agent measured it, its line data and its branches per line."""

    name: str  # the agent that measured it, e.g. "unit-tests"
    data: CoverageData
    branches: BranchLines = field(default_factory=dict)
    location: str = ""  # where the report was read from (run id / evidence path), for the evidence

    def covered_lines(self, path: str) -> set[int]:
        return {n for n, hits in self.data.files.get(path, {}).items() if hits > 0}


@dataclass(frozen=True)
class FileCoverage:
    """The merged coverage of one file."""

    path: str
    lines: dict[int, int]  # line -> hits added up over the inputs
    covered_by: dict[str, int]  # input name -> lines that input covers in this file
    only_by: dict[str, int]  # input name -> lines no other input covers
    branches: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def lines_total(self) -> int:
        return len(self.lines)

    @property
    def lines_covered(self) -> int:
        return sum(1 for hits in self.lines.values() if hits > 0)

    @property
    def uncovered(self) -> list[int]:
        return sorted(n for n, hits in self.lines.items() if hits <= 0)

    @property
    def percent(self) -> float:
        return 100.0 * self.lines_covered / self.lines_total if self.lines_total else 100.0

    def to_json(self) -> dict[str, Any]:
        covered, total = branch_totals({self.path: self.branches})
        return {
            "lines_total": self.lines_total,
            "lines_covered": self.lines_covered,
            "percent": round(self.percent, 2),
            "uncovered_lines": line_ranges(self.uncovered),
            "covered_by": self.covered_by,
            "only_by": self.only_by,
            "branches_total": total if self.branches else None,
            "branches_covered": covered if self.branches else None,
        }


@dataclass(frozen=True)
class MergedCoverage:
    inputs: list[CoverageInput]
    files: dict[str, FileCoverage]

    @property
    def lines_total(self) -> int:
        return sum(f.lines_total for f in self.files.values())

    @property
    def lines_covered(self) -> int:
        return sum(f.lines_covered for f in self.files.values())

    @property
    def percent(self) -> float:
        return 100.0 * self.lines_covered / self.lines_total if self.lines_total else 100.0

    @property
    def has_branches(self) -> bool:
        return any(f.branches for f in self.files.values())

    @property
    def branches(self) -> tuple[int, int] | None:
        """(covered, total) over all files, or None when no input had branch data."""
        if not self.has_branches:
            return None
        return branch_totals({path: f.branches for path, f in self.files.items()})

    @property
    def branch_percent(self) -> float | None:
        counts = self.branches
        if counts is None or counts[1] == 0:
            return None
        return 100.0 * counts[0] / counts[1]

    def only_by(self, name: str) -> int:
        """Lines covered by input `name` and by no other input."""
        return sum(f.only_by.get(name, 0) for f in self.files.values())

    def as_coverage_data(self, source: str) -> CoverageData:
        """The merged lines as CoverageData, e.g. for changed-lines coverage (diffcov)."""
        counts = self.branches
        return CoverageData(
            source,
            "lcov",
            {path: dict(f.lines) for path, f in self.files.items()},
            counts[1] if counts else None,
            counts[0] if counts else None,
        )

    def to_json(self) -> dict[str, Any]:
        counts = self.branches
        return {
            "lines_total": self.lines_total,
            "lines_covered": self.lines_covered,
            "percent": round(self.percent, 2),
            "branches_total": counts[1] if counts else None,
            "branches_covered": counts[0] if counts else None,
            "branch_percent": None if self.branch_percent is None else round(self.branch_percent, 2),
            "branch_merge": "per line, the larger of the reports' counts (a lower bound of the union)",
            "inputs": [
                {
                    "agent": item.name,
                    "report": item.location or item.data.source,
                    "format": item.data.format,
                    "lines_total": item.data.lines_total,
                    "lines_covered": item.data.lines_covered,
                    "percent": round(item.data.percent, 2),
                    "lines_only_covered_here": self.only_by(item.name),
                }
                for item in self.inputs
            ],
            "files": {path: f.to_json() for path, f in sorted(self.files.items())},
        }

    def to_lcov(self) -> str:
        """An LCOV tracefile of the merged data (lines; branch totals per file as BRF/BRH)."""
        out = ["TN:merged"]
        for path, f in sorted(self.files.items()):
            out.append(f"SF:{path}")
            out.extend(f"DA:{n},{hits}" for n, hits in sorted(f.lines.items()))
            if f.branches:
                covered, total = branch_totals({path: f.branches})
                out += [f"BRF:{total}", f"BRH:{covered}"]
            out += [f"LF:{f.lines_total}", f"LH:{f.lines_covered}", "end_of_record"]
        return "\n".join(out) + "\n"


def merge_coverage(inputs: Sequence[CoverageInput]) -> MergedCoverage:
    """Union of the inputs' lines (hits added up) and branches (per-line maximum)."""
    if not inputs:
        raise ValueError("merge_coverage needs at least one input")
    names = [item.name for item in inputs]
    if len(set(names)) != len(names):
        raise ValueError(f"coverage inputs must have distinct names, got {names}")
    lines = merge_files(item.data.files for item in inputs)
    branches = merge_branch_lines(item.branches for item in inputs)
    files: dict[str, FileCoverage] = {}
    for path, hits in lines.items():
        covered = {item.name: item.covered_lines(path) for item in inputs}
        only = {
            name: len(mine - set().union(*(other for o, other in covered.items() if o != name)))
            for name, mine in covered.items()
        }
        files[path] = FileCoverage(
            path=path,
            lines=hits,
            covered_by={name: len(mine) for name, mine in covered.items()},
            only_by=only,
            branches=branches.get(path, {}),
        )
    return MergedCoverage(list(inputs), files)
