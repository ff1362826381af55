"""integration-tests collects the V8 coverage of the released instances and merges it in."""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.integration_tests import SPEC as INTEGRATION_TESTS
from tasks.integration_tests import IntegrationTestsSettings
from tasks.report import Status
from tasks.unit_tests.coverage import read_coverage
from tests.support.defect_build import BuildRun, make_build_repo

pytestmark = pytest.mark.slow

V8_REPORT = [
    "node_modules/.bin/c8",
    "report",
    "--temp-directory",
    "{v8_dir}",
    "--reporter",
    "lcov",
    "--report-dir",
    "{report_dir}",
    "--include",
    "src/**",
]


def test_instances_coverage_is_converted_and_merged(tmp_path: Path) -> None:
    repo = make_build_repo(tmp_path / "repo", None)
    with BuildRun(repo, tmp_path / "runs", [INTEGRATION_TESTS]) as run:
        example = run.config.agent("integration-tests", IntegrationTestsSettings)
        report = run.run("integration-tests", example.model_copy(update={"v8_report": V8_REPORT}))
        assert report.status is Status.PASSED, report.summary
        evidence = run.run_dir.local / "build" / "integration-tests"
        instances = read_coverage(evidence / "instances-coverage" / "lcov.info")
        merged = read_coverage(evidence / "integration-and-instances-lcov.info")
        test_run = read_coverage(evidence / "lcov.info")
    # Only the running service executes its entry point's listen path: the instances add lines
    # that the in-process integration tests never reach.
    server = next(name for name in instances.files if name.endswith("src/server.js"))
    assert any(hits > 0 for hits in instances.files[server].values())
    assert merged.lines_covered > test_run.lines_covered
    assert report.details.get("coverage_report", "").endswith("integration-and-instances-lcov.info")
