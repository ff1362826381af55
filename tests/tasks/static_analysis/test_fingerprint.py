"""Fingerprints: stable under line shifts and re-indentation, different when the code changes."""

from __future__ import annotations

from pathlib import Path

from tasks.report import Severity
from tasks.static_analysis import ToolFinding, assign_fingerprints, fingerprint, normalise_code

CODE = [
    "def run(directory):",
    "    os.system('rm -rf ' +",
    "              directory)",
    "    return True",
]


def finding(
    line: int, end: int | None = None, rule: str = "qeflow.python.command-injection", path: str = "app.py"
) -> ToolFinding:
    return ToolFinding(
        tool="semgrep",
        rule=rule,
        path=path,
        start_line=line,
        end_line=end or line,
        message="m",
        tool_level="ERROR",
        severity=Severity.CRITICAL,
    )


def fingerprints(lines: list[str], *found: ToolFinding) -> list[str]:
    return [f.fingerprint for f in assign_fingerprints(found, lambda _path: lines)]


def test_normalised_code_collapses_whitespace_and_spans_the_flagged_lines() -> None:
    assert normalise_code(CODE, 2, 3) == "os.system('rm -rf ' + directory)"
    assert normalise_code(CODE, 2, 2) == "os.system('rm -rf ' +"
    assert normalise_code(CODE, 2, 1) == "os.system('rm -rf ' +"  # end before start: one line
    assert normalise_code(CODE, 4, 99) == "return True"  # clipped at the end of the file
    assert normalise_code(CODE, 0, 0) == ""  # no line: a whole-file finding
    assert normalise_code(CODE, 9, 9) == ""  # a line the file does not have


def test_a_finding_moved_down_keeps_its_fingerprint() -> None:
    before = fingerprints(CODE, finding(2, 3))
    shifted = ["import os", "", *[f"# note {n}" for n in range(10)], *CODE]
    after = fingerprints(shifted, finding(14, 15))
    assert before == after


def test_reindenting_or_reflowing_keeps_the_fingerprint() -> None:
    reflowed = ["def run(directory):", "        os.system('rm -rf ' + directory)", "    return True"]
    assert fingerprints(CODE, finding(2, 3)) == fingerprints(reflowed, finding(2, 2))


def test_changing_the_flagged_code_changes_the_fingerprint() -> None:
    changed = [line.replace("rm -rf", "rm -r") for line in CODE]
    assert fingerprints(CODE, finding(2, 3)) != fingerprints(changed, finding(2, 3))


def test_rule_and_path_are_part_of_the_fingerprint() -> None:
    base = fingerprints(CODE, finding(2, 3))
    assert base != fingerprints(CODE, finding(2, 3, rule="other"))
    assert base != fingerprints(CODE, finding(2, 3, path="other.py"))


def test_identical_lines_are_told_apart_by_occurrence() -> None:
    lines = ["eval(x)", "y = 1", "eval(x)"]
    first, second = fingerprints(lines, finding(3), finding(1))
    assert first != second
    # The first copy (in line order) has the same fingerprint as a lone copy.
    assert fingerprints(["eval(x)"], finding(1)) == [first]


def test_fingerprint_is_a_sha256_hex_digest() -> None:
    value = fingerprint("semgrep/r", "a.py", "eval(x)")
    assert len(value) == 64 and int(value, 16) >= 0
    assert value == fingerprint("semgrep/r", "a.py", "eval(x)", 0)
    assert value != fingerprint("semgrep/r", "a.py", "eval(x)", 1)


def test_files_are_read_once(tmp_path: Path) -> None:
    reads: list[str] = []

    def read(path: str) -> list[str]:
        reads.append(path)
        return CODE

    assign_fingerprints([finding(2), finding(3), finding(4, path="b.py")], read)
    assert sorted(reads) == ["app.py", "b.py"]
