"""Fingerprints that survive line shifts: what tells an existing finding from a new one.

    fingerprint = sha256(qualified rule id, file path, normalised code, occurrence)

The normalised code is the text of the flagged lines with all whitespace collapsed to single
spaces: no line numbers, no indentation. Inserting lines above a finding, re-indenting it or
reflowing it therefore keeps its fingerprint; editing the flagged code changes it (the change
touched it, so it counts as new). `occurrence` numbers identical (rule, path, code) triples in
line order, so a second copy of a flagged line added below the first is new while the first stays
existing. The fingerprint is the SARIF `partialFingerprints["qeflow/v1"]`.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence

from tasks.static_analysis.model import ToolFinding

__all__ = ["FINGERPRINT_KEY", "MAX_LINES", "assign_fingerprints", "fingerprint", "normalise_code"]

FINGERPRINT_KEY = "qeflow/v1"
MAX_LINES = 40  # a match spanning a whole function is identified by its first 40 lines


def normalise_code(lines: Sequence[str], start_line: int, end_line: int) -> str:
    """The flagged lines (1-based, inclusive), whitespace-collapsed; "" when there is no line."""
    if start_line < 1 or start_line > len(lines):
        return ""
    end = min(max(end_line, start_line), len(lines), start_line + MAX_LINES - 1)
    return " ".join(" ".join(lines[start_line - 1 : end]).split())


def fingerprint(rule: str, path: str, code: str, occurrence: int = 0) -> str:
    text = "\0".join((rule, path, code, str(occurrence)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def assign_fingerprints(
    findings: Iterable[ToolFinding], read_lines: Callable[[str], Sequence[str]]
) -> list[ToolFinding]:
    """Return the findings, in line order, each with its fingerprint set.

    `read_lines(path)` gives the lines of a file the findings point at (the same checkout the tool
    read). Findings are ordered by (rule, path, line, column, message) before counting occurrences.
    """
    ordered = sorted(findings, key=lambda f: (f.qualified_rule, f.path, f.start_line, f.start_column or 0, f.message))
    seen: Counter[tuple[str, str, str]] = Counter()
    cache: dict[str, Sequence[str]] = {}
    result = []
    for finding in ordered:
        if finding.path not in cache:
            cache[finding.path] = read_lines(finding.path)
        code = normalise_code(cache[finding.path], finding.start_line, finding.end_line)
        key = (finding.qualified_rule, finding.path, code)
        occurrence = seen[key]
        seen[key] += 1
        result.append(
            dataclasses.replace(
                finding, fingerprint=fingerprint(finding.qualified_rule, finding.path, code, occurrence)
            )
        )
    return sorted(result, key=lambda f: (f.path, f.start_line, f.start_column or 0, f.qualified_rule))
