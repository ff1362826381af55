"""JUnit XML reports: count tests and keep what failed.

One parser for the dialects teams actually produce, which differ mostly in nesting:

- node's built-in reporter (`node --test --test-reporter=junit`): a bare `<testsuites>` root, one
  `<testsuite>` per `describe` nested inside its parent, and test cases at every level (top-level
  `it`s sit directly under `<testsuites>`). Its `tests=` attributes count nested suites too.
- jest-junit: `<testsuites>` of flat `<testsuite>`s; a failure's text is its only message.
- pytest: `<testsuites name="pytest tests">` with one `<testsuite>`; setup errors are `<error>`.
- Maven surefire: a `<testsuite>` root; reruns add `<flakyFailure>`/`<rerunFailure>`.

So counts come from the `<testcase>` elements themselves, wherever they are, and never from the
suites' attributes. A test case failed when it has a `<failure>` or `<error>` child, was skipped
when it has a `<skipped>` child (node's `todo`, pytest's `xfail` included) and passed otherwise.
A surefire `<flakyFailure>` is a test that passed on rerun, so it counts as passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from tasks.errors import ReportError

__all__ = ["JUnitSummary", "TestFailure", "parse_junit", "read_junit"]

_ROOTS = ("testsuites", "testsuite")
_FAILED = ("failure", "error")
_MESSAGE_MAX = 300


@dataclass(frozen=True)
class TestFailure:
    """One failed test case: enough to point at it and say why in one line."""

    __test__ = False  # not a pytest test class, despite the name

    classname: str
    name: str
    message: str  # first line of the failure message ("" when the tool gave none)
    kind: str = "failure"  # "failure" (an assertion) or "error" (the test crashed)
    suite: str = ""  # enclosing <testsuite> names, outermost first, joined by " > "
    report: str = ""  # the JUnit file it came from

    @property
    def test_id(self) -> str:
        """`classname::name`, the location findings use; just the name when there is no classname."""
        return f"{self.classname}::{self.name}" if self.classname else self.name


@dataclass(frozen=True)
class JUnitSummary:
    tests: int
    passed: int
    failed: int
    skipped: int
    failures: list[TestFailure] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)  # the files that were merged

    def merge(self, other: JUnitSummary) -> JUnitSummary:
        return JUnitSummary(
            tests=self.tests + other.tests,
            passed=self.passed + other.passed,
            failed=self.failed + other.failed,
            skipped=self.skipped + other.skipped,
            failures=[*self.failures, *other.failures],
            reports=[*self.reports, *other.reports],
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _local(tag: object) -> str:
    # Tolerate a namespaced report ("{urn:x}testcase"); comments and PIs have non-str tags.
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _first_line(text: str | None) -> str:
    for line in (text or "").splitlines():
        line = line.strip()
        if line:
            return line if len(line) <= _MESSAGE_MAX else line[: _MESSAGE_MAX - 3] + "..."
    return ""


def _cases(node: Element, suites: tuple[str, ...]) -> Iterator[tuple[Element, tuple[str, ...]]]:
    """Every <testcase> under `node` with the names of the suites that enclose it."""
    for child in node:
        tag = _local(child.tag)
        if tag == "testcase":
            yield child, suites
        elif tag in _ROOTS:
            name = child.get("name", "")
            yield from _cases(child, (*suites, name) if name else suites)


def _failure_of(case: Element, suites: tuple[str, ...], report: str) -> TestFailure | None:
    for child in case:
        kind = _local(child.tag)
        if kind in _FAILED:
            # pytest and node put the message in the attribute (pytest's spans lines); jest-junit
            # only has the element's text, whose first line is the assertion.
            message = _first_line(child.get("message")) or _first_line(child.text)
            return TestFailure(
                classname=case.get("classname", ""),
                name=case.get("name", ""),
                message=message,
                kind=kind,
                suite=" > ".join(suites),
                report=report,
            )
    return None


def parse_junit(text: str | bytes, *, source: str) -> JUnitSummary:
    """Parse one JUnit XML document; `source` names it in errors and failures."""
    try:
        root = SafeET.fromstring(text)
    except ParseError as exc:
        raise ReportError(f"malformed JUnit XML ({exc})", path=source) from exc
    except DefusedXmlException as exc:
        raise ReportError(f"refused unsafe XML ({type(exc).__name__})", path=source) from exc
    tag = _local(root.tag)
    if tag not in _ROOTS:
        raise ReportError(f"root element <{tag}> is not <testsuites> or <testsuite>: not a JUnit report", path=source)
    top = (root.get("name", ""),) if tag == "testsuite" and root.get("name") else ()
    tests = failed = skipped = 0
    failures: list[TestFailure] = []
    for case, suites in _cases(root, top):
        tests += 1
        failure = _failure_of(case, suites, source)
        if failure is not None:
            failed += 1
            failures.append(failure)
        elif any(_local(child.tag) == "skipped" for child in case):
            skipped += 1
    return JUnitSummary(tests, tests - failed - skipped, failed, skipped, failures, [source])


def read_junit(paths: Iterable[Path | str]) -> JUnitSummary:
    """Read and merge JUnit files; a missing, empty or malformed one raises ReportError naming it."""
    summary = JUnitSummary(0, 0, 0, 0)
    count = 0
    for path in map(Path, paths):
        count += 1
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise ReportError("missing: no JUnit report was written there", path=str(path)) from exc
        except OSError as exc:
            raise ReportError(f"unreadable JUnit report ({exc.strerror or exc})", path=str(path)) from exc
        if not data.strip():
            raise ReportError("empty file: the test run wrote no JUnit XML", path=str(path))
        summary = summary.merge(parse_junit(data, source=str(path)))
    if count == 0:
        raise ValueError("read_junit needs at least one path")
    return summary
