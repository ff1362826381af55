"""JUnit parsing on real reports.

data/node-junit.xml:    `node --test --test-reporter=junit` (node 20) on a file with a top-level test,
                        a describe with a failing, a skipped and a nested describe (throw + todo).
data/pytest-junit.xml:  `pytest --junitxml` (pytest 8): pass, fail, skip, setup error, xfail, class.
data/jest-junit.xml, data/surefire-junit.xml: in the shape jest-junit and surefire 3 write.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.errors import ReportError
from tasks.unit_tests.junit import JUnitSummary, TestFailure, parse_junit, read_junit

DATA = Path(__file__).parent / "data"

NOT_XML = "<testsuites><testcase name='a'></testsuites"
WRONG_ROOT = "<?xml version='1.0'?><coverage line-rate='1'/>"
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<testsuites><testcase name="&lol2;"/></testsuites>"""
NAMESPACED = """<t:testsuites xmlns:t="urn:example"><t:testsuite name="s">
<t:testcase classname="c" name="ok"/>
<t:testcase classname="c" name="bad"><t:failure message="nope"/></t:testcase>
</t:testsuite></t:testsuites>"""


def test_node_reporter_counts_cases_at_every_nesting_level() -> None:
    summary = read_junit([DATA / "node-junit.xml"])
    # 1 top-level test + 3 in "math" + 2 in "math > nested" (the suites' tests= attributes say
    # 4 and 2: they count nested cases twice); the todo counts as skipped.
    assert (summary.tests, summary.passed, summary.failed, summary.skipped) == (6, 2, 2, 2)


def test_node_reporter_failures_keep_suite_path_and_first_message_line() -> None:
    summary = read_junit([DATA / "node-junit.xml"])
    by_name = {f.name: f for f in summary.failures}
    assert set(by_name) == {"divides wrongly", "throws"}
    assert by_name["throws"].suite == "math > nested"
    assert by_name["throws"].message == "boom goes the test"
    assert by_name["throws"].test_id == "test::throws"
    assert by_name["divides wrongly"].message.startswith("expected 4/2 to be 3")


def test_pytest_report_setup_error_is_a_failure_and_xfail_is_skipped() -> None:
    summary = read_junit([DATA / "pytest-junit.xml"])
    assert (summary.tests, summary.passed, summary.failed, summary.skipped) == (6, 2, 2, 2)
    failures = {f.name: f for f in summary.failures}
    assert failures["test_error"].kind == "error"
    assert failures["test_error"].message == 'failed on setup with "RuntimeError: fixture exploded"'
    # pytest's message attribute spans lines; only the first is kept.
    assert failures["test_discount_wrong"].message == "AssertionError: ten percent off 100"
    assert failures["test_discount_wrong"].test_id == "tests.test_cart::test_discount_wrong"


def test_jest_junit_message_comes_from_the_failure_text() -> None:
    summary = read_junit([DATA / "jest-junit.xml"])
    assert (summary.tests, summary.passed, summary.failed, summary.skipped) == (4, 2, 1, 1)
    (failure,) = summary.failures
    assert failure.message == "Error: expect(received).toBe(expected) // Object.is equality"
    assert failure.suite == "users API"


def test_surefire_root_testsuite_and_flaky_failure_counts_as_passed() -> None:
    summary = read_junit([DATA / "surefire-junit.xml"])
    assert (summary.tests, summary.passed, summary.failed, summary.skipped) == (4, 2, 1, 1)
    (failure,) = summary.failures
    assert failure.kind == "error"
    assert failure.test_id == "com.example.users.UserServiceTest::rejectsNullName"
    assert failure.suite == "com.example.users.UserServiceTest"
    assert failure.message == 'Cannot invoke "String.length()" because "name" is null'


def test_several_files_are_merged() -> None:
    paths = [DATA / "jest-junit.xml", DATA / "surefire-junit.xml"]
    summary = read_junit(paths)
    assert (summary.tests, summary.passed, summary.failed, summary.skipped) == (8, 4, 2, 2)
    assert summary.reports == [str(p) for p in paths]
    assert {f.report for f in summary.failures} == {str(p) for p in paths}


def test_namespaced_elements_are_understood() -> None:
    summary = parse_junit(NAMESPACED, source="ns.xml")
    assert (summary.tests, summary.failed) == (2, 1)
    assert summary.failures[0].message == "nope"


def test_empty_testsuites_is_zero_tests() -> None:
    summary = parse_junit("<testsuites/>", source="empty.xml")
    assert summary == JUnitSummary(0, 0, 0, 0, [], ["empty.xml"])


def test_long_messages_are_truncated() -> None:
    text = f'<testsuite><testcase name="t"><failure message="{"x" * 1000}"/></testcase></testsuite>'
    (failure,) = parse_junit(text, source="long.xml").failures
    assert len(failure.message) == 300 and failure.message.endswith("...")


def test_failure_without_message_or_classname() -> None:
    text = '<testsuite><testcase name="t"><error/></testcase></testsuite>'
    (failure,) = parse_junit(text, source="x").failures
    assert failure == TestFailure(classname="", name="t", message="", kind="error", suite="", report="x")
    assert failure.test_id == "t"


def test_missing_file_raises_report_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "reports" / "junit.xml"
    with pytest.raises(ReportError, match="missing") as info:
        read_junit([DATA / "jest-junit.xml", missing])
    assert info.value.path == str(missing)
    assert str(missing) in str(info.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (NOT_XML, "malformed JUnit XML"),
        (WRONG_ROOT, "root element <coverage> is not <testsuites> or <testsuite>"),
        (BILLION_LAUGHS, "refused unsafe XML"),
        ("", "empty file"),
        ("  \n", "empty file"),
    ],
)
def test_malformed_file_raises_report_error_naming_it(tmp_path: Path, content: str, expected: str) -> None:
    bad = tmp_path / "junit.xml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ReportError, match=expected) as info:
        read_junit([bad])
    assert str(info.value).startswith(f"{bad}: ")


def test_read_junit_needs_a_path() -> None:
    with pytest.raises(ValueError, match="at least one"):
        read_junit([])
