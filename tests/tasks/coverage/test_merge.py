"""Merging coverage: line-level union, per-input shares, branches per line, LCOV out.

Samples are small hand-written reports in the shapes c8 writes (LCOV with BRDA, Cobertura with
condition-coverage), parsed by the shared parser exactly as the agent does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.coverage import (
    CoverageInput,
    match_paths,
    merge_branch_lines,
    merge_coverage,
    read_branch_lines,
)
from tasks.unit_tests.coverage import CoverageData, parse_lcov, read_coverage

# Unit run: a.js lines 1-4 (3 and 4 missed), b.js fully covered; line 2 has two branches, one taken.
UNIT_LCOV = """TN:
SF:src/a.js
DA:1,1
DA:2,1
DA:3,0
DA:4,0
BRDA:2,0,0,1
BRDA:2,0,1,0
BRF:2
BRH:1
end_of_record
SF:src/b.js
DA:1,5
end_of_record
"""

# Integration run: covers a.js line 3 (not 4), misses line 1, measures a line 5 the unit run did
# not list, and takes the other branch of line 2; c.js only exists here.
INTEGRATION_LCOV = """TN:
SF:src/a.js
DA:1,0
DA:2,2
DA:3,7
DA:4,0
DA:5,1
BRDA:2,3,0,0
BRDA:2,3,1,4
BRF:2
BRH:1
end_of_record
SF:src/c.js
DA:1,0
DA:2,0
end_of_record
"""

# The same a.js as Cobertura, with absolute file names under a <source> the tool ran in.
INTEGRATION_COBERTURA = """<?xml version="1.0" ?>
<coverage lines-valid="5" lines-covered="3" line-rate="0.6" branches-valid="2" branches-covered="1">
  <sources><source>/checkout/svc</source></sources>
  <packages><package name="src"><classes>
    <class name="a.js" filename="src/a.js">
      <lines>
        <line number="1" hits="0"/>
        <line number="2" hits="2" branch="true" condition-coverage="50% (1/2)"/>
        <line number="3" hits="7"/>
        <line number="4" hits="0"/>
        <line number="5" hits="1"/>
      </lines>
    </class>
  </classes></package></packages>
</coverage>
"""


def _input(
    tmp_path: Path, name: str, text: str, *, root: Path | None = None, filename: str = "lcov.info"
) -> CoverageInput:
    path = tmp_path / name / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    data = read_coverage(path, root=root)
    raw = read_branch_lines(path, data.format)
    names = match_paths(raw, data.files)
    return CoverageInput(name, data, {names[k]: v for k, v in raw.items() if k in names})


def test_a_line_is_covered_when_any_input_covers_it(tmp_path: Path) -> None:
    merged = merge_coverage(
        [_input(tmp_path, "unit-tests", UNIT_LCOV), _input(tmp_path, "integration-tests", INTEGRATION_LCOV)]
    )
    a = merged.files["src/a.js"]
    assert a.lines == {1: 1, 2: 3, 3: 7, 4: 0, 5: 1}  # hits added up; line 5 only measured by one
    assert a.uncovered == [4]
    assert (merged.lines_covered, merged.lines_total) == (5, 8)  # a: 4/5, b: 1/1, c: 0/2
    assert merged.percent == pytest.approx(62.5)


def test_merge_tells_what_each_input_covered_alone(tmp_path: Path) -> None:
    merged = merge_coverage(
        [_input(tmp_path, "unit-tests", UNIT_LCOV), _input(tmp_path, "integration-tests", INTEGRATION_LCOV)]
    )
    a = merged.files["src/a.js"]
    assert a.covered_by == {"unit-tests": 2, "integration-tests": 3}
    assert a.only_by == {"unit-tests": 1, "integration-tests": 2}  # unit: line 1; integration: 3 and 5
    assert merged.only_by("integration-tests") == 2
    assert merged.only_by("unit-tests") == 2  # a.js line 1 and b.js line 1


def test_branches_merge_per_line_as_the_larger_count(tmp_path: Path) -> None:
    merged = merge_coverage(
        [_input(tmp_path, "unit-tests", UNIT_LCOV), _input(tmp_path, "integration-tests", INTEGRATION_LCOV)]
    )
    # Each run took one of line 2's two branches; block ids differ (0 vs 3), so they cannot be
    # matched: the merge keeps 1 of 2, a lower bound, never an invented 2 of 2.
    assert merged.files["src/a.js"].branches == {2: (1, 2)}
    assert merged.branches == (1, 2)
    assert merged.branch_percent == pytest.approx(50.0)


def test_merge_branch_lines_never_reports_more_covered_than_total() -> None:
    merged = merge_branch_lines([{"f": {3: (2, 2)}}, {"f": {3: (0, 4)}}])
    assert merged == {"f": {3: (2, 4)}}


def test_a_file_listed_twice_in_one_report_is_not_counted_twice(tmp_path: Path) -> None:
    twice = UNIT_LCOV + UNIT_LCOV.removeprefix("TN:\n")
    merged = merge_coverage([_input(tmp_path, "unit-tests", twice)])
    assert merged.files["src/a.js"].branches == {2: (1, 2)}
    assert (merged.lines_covered, merged.lines_total) == (3, 5)


def test_no_branch_data_means_no_branch_coverage(tmp_path: Path) -> None:
    merged = merge_coverage([_input(tmp_path, "unit-tests", "SF:src/x.js\nDA:1,1\nend_of_record\n")])
    assert merged.branches is None
    assert merged.branch_percent is None
    assert merged.as_coverage_data("m").branch_percent is None


def test_cobertura_and_lcov_merge_on_the_same_paths(tmp_path: Path) -> None:
    unit = _input(tmp_path, "unit-tests", UNIT_LCOV, root=Path("/checkout/svc"))
    integration = _input(
        tmp_path, "integration-tests", INTEGRATION_COBERTURA, root=Path("/checkout/svc"), filename="cobertura.xml"
    )
    assert integration.data.format == "cobertura"
    assert set(integration.data.files) == {"src/a.js"}
    assert integration.branches == {"src/a.js": {2: (1, 2)}}
    merged = merge_coverage([unit, integration])
    assert merged.files["src/a.js"].uncovered == [4]
    assert set(merged.files) == {"src/a.js", "src/b.js"}


def test_match_paths_prefers_the_longest_known_suffix() -> None:
    known = ["pg.js", "src/repo/pg.js", "src/app.js"]
    mapping = match_paths(["/tmp/wt/abc/src/repo/pg.js", "src/app.js", "/elsewhere/other.js"], known)
    assert mapping == {"/tmp/wt/abc/src/repo/pg.js": "src/repo/pg.js", "src/app.js": "src/app.js"}


def test_merged_lcov_reads_back_to_the_same_numbers(tmp_path: Path) -> None:
    merged = merge_coverage(
        [_input(tmp_path, "unit-tests", UNIT_LCOV), _input(tmp_path, "integration-tests", INTEGRATION_LCOV)]
    )
    again = parse_lcov(merged.to_lcov(), source="merged.lcov")
    assert (again.lines_covered, again.lines_total) == (merged.lines_covered, merged.lines_total)
    assert (again.branches_covered, again.branches_total) == (1, 2)


def test_merged_json_has_per_file_detail(tmp_path: Path) -> None:
    merged = merge_coverage(
        [_input(tmp_path, "unit-tests", UNIT_LCOV), _input(tmp_path, "integration-tests", INTEGRATION_LCOV)]
    )
    report = merged.to_json()
    assert report["percent"] == 62.5
    assert report["files"]["src/c.js"]["uncovered_lines"] == "1-2"
    assert report["files"]["src/a.js"]["only_by"] == {"unit-tests": 1, "integration-tests": 2}
    assert [i["agent"] for i in report["inputs"]] == ["unit-tests", "integration-tests"]
    assert report["inputs"][1]["lines_only_covered_here"] == 2


def test_merge_needs_distinct_named_inputs() -> None:
    data = CoverageData("x", "lcov", {"a": {1: 1}})
    with pytest.raises(ValueError, match="at least one"):
        merge_coverage([])
    with pytest.raises(ValueError, match="distinct"):
        merge_coverage([CoverageInput("unit-tests", data), CoverageInput("unit-tests", data)])
