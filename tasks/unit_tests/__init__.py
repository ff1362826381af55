"""The `unit-tests` agent (commit phase) and the report parsers it brings along.

    junit.py     JUnit XML -> JUnitSummary (node --test, jest-junit, pytest, surefire)
    coverage.py  LCOV / Cobertura XML -> CoverageData, paths relative to the service directory
    diffcov.py   changed-lines coverage as diff-cover defines it -> DiffCoverage
    agent.py     UnitTestsSettings, the agent function and its SPEC

The parsers take files and return plain data, so other agents (integration tests, overall
coverage) can reuse them.
"""

from tasks.unit_tests.agent import METRICS, SPEC, UnitTestsSettings, unit_tests
from tasks.unit_tests.coverage import (
    CoverageData,
    CoverageFormat,
    detect_format,
    merge_files,
    normalise_paths,
    parse_cobertura,
    parse_lcov,
    read_coverage,
)
from tasks.unit_tests.diffcov import DiffCoverage, FileDiffCoverage, diff_coverage, line_ranges, uncovered_findings
from tasks.unit_tests.junit import JUnitSummary, TestFailure, parse_junit, read_junit

__all__ = [
    "METRICS",
    "SPEC",
    "CoverageData",
    "CoverageFormat",
    "DiffCoverage",
    "FileDiffCoverage",
    "JUnitSummary",
    "TestFailure",
    "UnitTestsSettings",
    "detect_format",
    "diff_coverage",
    "line_ranges",
    "merge_files",
    "normalise_paths",
    "parse_cobertura",
    "parse_junit",
    "parse_lcov",
    "read_coverage",
    "read_junit",
    "uncovered_findings",
    "unit_tests",
]
