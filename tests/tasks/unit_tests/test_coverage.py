"""LCOV and Cobertura parsing and path normalisation.

data/c8-lcov.info, data/c8-cobertura.xml: `c8 --reporter=lcov --reporter=cobertura --all
--src=src node --test test/` (c8 12, node 20) in /tmp/ut_sample on one source file src/math.js.
data/coveragepy-cobertura.xml, data/coveragepy.lcov: coverage.py 7.18 `run --branch` + `xml` /
`lcov` in /tmp/pysample (src/shop/cart.py; an empty src/shop/__init__.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.errors import ReportError
from tasks.unit_tests.coverage import (
    CoverageData,
    detect_format,
    merge_files,
    normalise_paths,
    parse_cobertura,
    parse_lcov,
    read_coverage,
)

DATA = Path(__file__).parent / "data"

MATH_JS = {
    1: 1,
    2: 1,
    3: 2,
    4: 2,
    5: 2,
    6: 1,
    7: 1,
    8: 1,
    9: 0,
    10: 0,
    11: 1,
    12: 1,
    13: 1,
    14: 0,
    15: 0,
    16: 0,
    17: 0,
    18: 1,
    19: 1,
}

LCOV_NO_RECORDS = "TN:\n"
LCOV_TRUNCATED = "TN:\nSF:src/a.js\nDA:1,1\nDA:2,0\n"
LCOV_BAD_HITS = "SF:src/a.js\nDA:1,lots\nend_of_record\n"
LCOV_DA_OUTSIDE = "TN:\nDA:1,1\n"
LCOV_NESTED_SF = "SF:src/a.js\nDA:1,1\nSF:src/b.js\nend_of_record\n"
LCOV_TWICE = """TN:unit
SF:src/a.js
DA:1,1
DA:2,0
DA:3,0
BRF:2
BRH:1
end_of_record
TN:integration
SF:src/a.js
DA:1,2
DA:2,3
BRF:2
BRH:2
end_of_record
"""
NOT_COVERAGE = "hello\nworld\n"
COBERTURA_NO_CLASSES = '<?xml version="1.0" ?><coverage line-rate="1"><sources/><packages/></coverage>'
COBERTURA_BROKEN = '<coverage line-rate="1"><packages><package>'
COBERTURA_NO_HITS = (
    '<coverage><packages><package><classes><class filename="a.py"><lines><line number="1"/>'
    "</lines></class></classes></package></packages></coverage>"
)
CLOVER = '<?xml version="1.0"?><coverage generated="1" clover="4.4.1"><project timestamp="1"/></coverage>'
NOT_COBERTURA = "<testsuites><testcase name='x'/></testsuites>"


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def _cobertura(sources: list[str], classes: dict[str, dict[int, int]]) -> str:
    src = "".join(f"<source>{s}</source>" for s in sources)
    body = "".join(
        f'<class name="{Path(f).name}" filename="{f}"><methods/><lines>'
        + "".join(f'<line number="{n}" hits="{h}"/>' for n, h in lines.items())
        + "</lines></class>"
        for f, lines in classes.items()
    )
    return (
        f'<?xml version="1.0" ?><coverage version="7.6" lines-valid="0"><sources>{src}</sources>'
        f'<packages><package name="p"><classes>{body}</classes></package></packages></coverage>'
    )


# --- parsing -----------------------------------------------------------------------------------


def test_c8_lcov_lines_and_branches() -> None:
    data = read_coverage(DATA / "c8-lcov.info")
    assert data.format == "lcov"
    assert data.files == {"src/math.js": MATH_JS}
    assert (data.lines_total, data.lines_covered) == (19, 13)
    assert data.percent == pytest.approx(68.42, abs=0.01)
    assert (data.branches_total, data.branches_covered) == (4, 3)
    assert data.branch_percent == 75.0


def test_c8_cobertura_matches_its_lcov_and_ignores_method_lines(tmp_path: Path) -> None:
    # Method <lines> repeat class lines (line 3 hits 2): counting them would double the hits.
    # c8 names its working directory as the <source>: here, the service directory.
    text = (DATA / "c8-cobertura.xml").read_text().replace("/tmp/ut_sample", str(tmp_path))
    data = read_coverage(_write(tmp_path, "coverage/cobertura-coverage.xml", text), root=tmp_path)
    assert data.format == "cobertura"
    assert data.files == {"src/math.js": MATH_JS}
    assert (data.lines_total, data.lines_covered) == (19, 13)
    assert (data.branches_total, data.branches_covered) == (4, 3)


def test_coveragepy_cobertura_and_lcov_agree() -> None:
    root = Path("/tmp/pysample")
    xml = parse_cobertura((DATA / "coveragepy-cobertura.xml").read_bytes(), source="coverage.xml")
    lcov = read_coverage(DATA / "coveragepy.lcov", root=root)  # no newline after end_of_record
    xml_rel = normalise_paths(xml, root)
    assert xml_rel.files == lcov.files
    assert lcov.files["src/shop/__init__.py"] == {}
    assert lcov.files["src/shop/cart.py"][5] == 0
    assert (xml_rel.lines_total, xml_rel.lines_covered) == (11, 9)
    assert (xml.branches_total, xml.branches_covered) == (6, 4)
    assert (lcov.branches_total, lcov.branches_covered) == (6, 4)


def test_no_branch_data_means_branches_not_available() -> None:
    data = parse_cobertura(_cobertura(["/x"], {"a.py": {1: 1, 2: 0}}), source="c.xml")
    assert (data.branches_total, data.branches_covered, data.branch_percent) == (None, None, None)
    assert parse_lcov("SF:a.js\nDA:1,1\nBRF:0\nBRH:0\nend_of_record\n", source="l").branches_total is None


def test_a_file_twice_in_lcov_adds_hits_and_keeps_the_larger_branch_counts() -> None:
    data = parse_lcov(LCOV_TWICE, source="merged.info")
    assert data.files == {"src/a.js": {1: 3, 2: 3, 3: 0}}
    assert (data.lines_total, data.lines_covered) == (3, 2)
    assert (data.branches_total, data.branches_covered) == (2, 2)


def test_zero_lines_is_one_hundred_percent_like_coveragepy() -> None:
    data = parse_lcov("SF:src/empty.js\nend_of_record\n", source="l")
    assert (data.lines_total, data.percent) == (0, 100.0)


def test_format_is_detected_from_content_not_extension(tmp_path: Path) -> None:
    lcov_named_xml = _write(tmp_path, "coverage.xml", (DATA / "c8-lcov.info").read_text())
    xml_named_info = _write(tmp_path, "lcov.info", (DATA / "c8-cobertura.xml").read_text())
    assert read_coverage(lcov_named_xml).format == "lcov"
    assert read_coverage(xml_named_info, root=tmp_path).format == "cobertura"
    assert detect_format("\ufeff\n<?xml version='1.0'?><coverage/>", source="x") == "cobertura"
    assert detect_format("TN:\nSF:a\n", source="x") == "lcov"


def test_to_json_summarises_totals() -> None:
    data = read_coverage(DATA / "c8-lcov.info")
    assert data.to_json() == {
        "source": str(DATA / "c8-lcov.info"),
        "format": "lcov",
        "lines_total": 19,
        "lines_covered": 13,
        "percent": 68.42,
        "branches_total": 4,
        "branches_covered": 3,
        "files": 1,
    }


def test_merge_files_adds_hits() -> None:
    assert merge_files([{"a": {1: 1, 2: 0}}, {"a": {2: 2}, "b": {1: 0}}]) == {"a": {1: 1, 2: 2}, "b": {1: 0}}


# --- paths -------------------------------------------------------------------------------------


def test_absolute_lcov_paths_become_relative_to_root(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    report = _write(
        tmp_path,
        "lcov.info",
        (
            f"TN:\nSF:{root}/src/a.js\nDA:1,1\nend_of_record\n"
            f"SF:{root}/../elsewhere/b.js\nDA:1,0\nend_of_record\n"
            "SF:./src/c.js\nDA:1,0\nend_of_record\n"
        ),
    )
    data = read_coverage(report, root=root)
    assert set(data.files) == {"src/a.js", f"{tmp_path}/elsewhere/b.js", "src/c.js"}


def test_relative_paths_are_taken_from_the_tool_directory(tmp_path: Path) -> None:
    raw = parse_lcov("SF:lib/a.js\nDA:1,1\nend_of_record\n", source="l")
    data = normalise_paths(raw, tmp_path, tool_dir=tmp_path / "packages" / "api")
    assert set(data.files) == {"packages/api/lib/a.js"}


def test_paths_through_a_symlinked_root_are_matched(tmp_path: Path) -> None:
    real = tmp_path / "real"
    (real / "src").mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    # Tools report their cwd's real path; the checkout may be reached through a link.
    raw = parse_lcov(f"SF:{real}/src/a.js\nDA:1,1\nend_of_record\n", source="l")
    assert set(normalise_paths(raw, link).files) == {"src/a.js"}


def test_two_spellings_of_one_file_are_merged(tmp_path: Path) -> None:
    text = f"SF:src/a.js\nDA:1,1\nend_of_record\nSF:{tmp_path}/src/a.js\nDA:1,2\nDA:2,0\nend_of_record\n"
    raw = parse_lcov(text, source="l")
    assert normalise_paths(raw, tmp_path).files == {"src/a.js": {1: 3, 2: 0}}


def test_cobertura_filename_is_joined_with_the_source_that_holds_it(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    (root / "src" / "shop").mkdir(parents=True)
    (root / "src" / "shop" / "cart.py").write_text("x = 1\n")
    (root / "tests").mkdir()
    (root / "tests" / "test_cart.py").write_text("x = 1\n")
    text = _cobertura(
        [str(root / "tests"), str(root / "src")],
        {"shop/cart.py": {1: 1}, "test_cart.py": {1: 1}},
    )
    report = _write(tmp_path, "coverage.xml", text)
    assert set(read_coverage(report, root=root).files) == {"src/shop/cart.py", "tests/test_cart.py"}


def test_cobertura_relative_source_is_relative_to_root(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text("x = 1\n")
    report = _write(tmp_path, "coverage.xml", _cobertura(["src"], {"app.py": {1: 0}}))
    assert set(read_coverage(report, root=tmp_path).files) == {"src/app.py"}


def test_cobertura_empty_source_with_absolute_filenames(tmp_path: Path) -> None:
    # coverage.py's shape when the measured sources lie outside its working directory.
    text = _cobertura([""], {"test_cart.py": {1: 1}, f"{tmp_path}/src/shop/cart.py": {1: 0}})
    report = _write(tmp_path, "coverage.xml", text)
    assert set(read_coverage(report, root=tmp_path).files) == {"test_cart.py", "src/shop/cart.py"}


def test_cobertura_made_elsewhere_falls_back_to_the_tool_directory(tmp_path: Path) -> None:
    # The source directory of the machine that made the report does not exist here.
    text = (DATA / "c8-cobertura.xml").read_text().replace("/tmp/ut_sample", str(tmp_path / "ci" / "build"))
    report = _write(tmp_path, "cobertura.xml", text)
    data = read_coverage(report, root=tmp_path / "svc")
    assert set(data.files) == {"src/math.js"}


# --- errors ------------------------------------------------------------------------------------


def test_missing_coverage_file_names_it(tmp_path: Path) -> None:
    missing = tmp_path / "coverage" / "lcov.info"
    with pytest.raises(ReportError, match="missing") as info:
        read_coverage(missing)
    assert info.value.path == str(missing)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "empty file"),
        (NOT_COVERAGE, "neither LCOV"),
        (LCOV_NO_RECORDS, "no SF: records"),
        (LCOV_TRUNCATED, "truncated: the record of src/a.js has no end_of_record"),
        (LCOV_BAD_HITS, "line 2: hit count 'lots' is not a number"),
        (LCOV_DA_OUTSIDE, "line 2: DA: outside of an SF: record"),
        (LCOV_NESTED_SF, "line 3: SF:src/b.js starts before end_of_record of src/a.js"),
        (COBERTURA_NO_CLASSES, "no <class> elements"),
        (COBERTURA_BROKEN, "malformed Cobertura XML"),
        (COBERTURA_NO_HITS, "<line> without number/hits"),
        (CLOVER, "Clover XML"),
        (NOT_COBERTURA, "root element <testsuites> is not <coverage>"),
    ],
)
def test_malformed_coverage_names_the_file(tmp_path: Path, content: str, expected: str) -> None:
    bad = _write(tmp_path, "coverage/report.out", content)
    with pytest.raises(ReportError, match=expected) as info:
        read_coverage(bad, root=tmp_path)
    assert str(info.value).startswith(f"{bad}: ")


def test_coverage_data_totals_are_computed_from_lines() -> None:
    data = CoverageData("x", "lcov", {"a": {1: 0, 2: 5}, "b": {7: 1}})
    assert (data.lines_total, data.lines_covered) == (3, 2)
