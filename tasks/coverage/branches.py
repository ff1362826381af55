"""Branch counts per line, read from LCOV `BRDA:` records or Cobertura `condition-coverage`.

`tasks.unit_tests.coverage` keeps only a report's branch totals, which is all one report needs.
Merging two reports needs branches per line, so they are read here, beside the shared parser
(which still owns line data, formats and paths).

Branches cannot be matched one by one across reports: c8 numbers V8's blocks in the order V8
reports them, and V8 only reports the inner blocks of functions that ran, so the same branch has
different numbers in a unit run and an integration run; Cobertura gives per-line counts only.
So a line's branches are merged as the larger of the reports' counts (`merge_branch_lines`):
never more than the true union, equal to it whenever one report covers a line's branches at
least as well as the other.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

import defusedxml.ElementTree as SafeET

__all__ = ["BranchLines", "branch_totals", "match_paths", "merge_branch_lines", "read_branch_lines"]

# file -> line -> (covered, total)
BranchLines = dict[str, dict[int, tuple[int, int]]]

_CONDITION = re.compile(r"\((\d+)/(\d+)\)")


def _lcov_branches(text: str) -> BranchLines:
    records: list[BranchLines] = []  # one per SF record: a file listed twice is merged, not added up
    current: str | None = None
    lines: dict[int, tuple[int, int]] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("SF:"):
            current, lines = line[3:], {}
        elif line == "end_of_record":
            if current is not None and lines:
                records.append({current: lines})
            current, lines = None, {}
        elif line.startswith("BRDA:") and current is not None:
            parts = line[5:].split(",")
            if len(parts) < 4 or not parts[0].isdigit():
                continue  # the line parser already vouched for the file; skip what it skips
            number, taken = int(parts[0]), parts[3]
            covered, total = lines.get(number, (0, 0))
            hit = taken not in ("-", "") and taken.replace(".", "", 1).isdigit() and float(taken) > 0
            lines[number] = (covered + int(hit), total + 1)
    return merge_branch_lines(records)


def _cobertura_branches(raw: bytes) -> BranchLines:
    records: list[BranchLines] = []  # one per <class>: classes of one file are merged, not added up
    root = SafeET.fromstring(raw)
    for cls in root.iter("class"):
        lines: dict[int, tuple[int, int]] = {}
        for group in cls.findall("lines"):
            for line in group.findall("line"):
                match = _CONDITION.search(line.get("condition-coverage", ""))
                number = line.get("number", "")
                if line.get("branch") == "true" and match and number.isdigit():
                    lines[int(number)] = (int(match.group(1)), int(match.group(2)))
        if lines:
            records.append({cls.get("filename") or "": lines})
    return merge_branch_lines(records)


def read_branch_lines(path: Path, fmt: str) -> BranchLines:
    """Branch (covered, total) per line per file, keyed by the report's own file names.

    The report has already been read by `read_coverage`, so it is well formed; a report without
    branch data gives an empty mapping.
    """
    raw = path.read_bytes()
    if fmt == "lcov":
        return _lcov_branches(raw.decode("utf-8", errors="replace"))
    return _cobertura_branches(raw)


def match_paths(raw_names: Iterable[str], known: Iterable[str]) -> dict[str, str]:
    """Map report file names (absolute, or relative to some tool directory) to known paths.

    `known` are the service-relative paths the line parser produced for the same report. A name
    matches the known path it equals or ends with (after a `/`); the longest match wins, so
    `src/repo/pg.js` is never taken for `pg.js`. Names matching nothing are left out.
    """
    known_paths = sorted(set(known), key=len, reverse=True)
    mapping: dict[str, str] = {}
    for name in raw_names:
        norm = PurePosixPath(os.path.normpath(name).replace(os.sep, "/")).as_posix()
        for candidate in known_paths:
            if norm == candidate or norm.endswith("/" + candidate) or candidate.endswith("/" + norm):
                mapping[name] = candidate
                break
    return mapping


def merge_branch_lines(reports: Iterable[Mapping[str, Mapping[int, tuple[int, int]]]]) -> BranchLines:
    """Per line, the larger covered count and the larger total of all reports."""
    merged: BranchLines = {}
    for report in reports:
        for path, lines in report.items():
            target = merged.setdefault(path, {})
            for number, (covered, total) in lines.items():
                old_covered, old_total = target.get(number, (0, 0))
                new_total = max(old_total, total)
                target[number] = (min(max(old_covered, covered), new_total), new_total)
    return merged


def branch_totals(branches: Mapping[str, Mapping[int, tuple[int, int]]]) -> tuple[int, int]:
    """(covered, total) over every line of every file."""
    covered = sum(c for lines in branches.values() for c, _ in lines.values())
    total = sum(t for lines in branches.values() for _, t in lines.values())
    return covered, total
