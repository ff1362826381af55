"""The coverage agent: which evidence it reads, what a missing input does, what it reports.

Fast tests give the agent earlier reports with coverage files in a real evidence store (the seam
is the memory of recalled reports); the slow ones run the real agents on the example service.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from tasks.config import load_config
from tasks.context import AgentContext, Recall
from tasks.coverage import SPEC, CoverageSettings
from tasks.evidence import EvidenceStore, RunDir
from tasks.git import GitContext
from tasks.integration_tests import SPEC as INTEGRATION_TESTS
from tasks.integration_tests import IntegrationTestsSettings
from tasks.report import AgentReport, Status
from tasks.runner import run_agent
from tasks.unit_tests import SPEC as UNIT_TESTS
from tasks.unit_tests import UnitTestsSettings
from tests.support.defect_build import BuildRun, make_build_repo

HEAD = "c0ffee" * 6 + "abcd"
TOML = """\
[service]
name = "svc"
start = ["node", "server.js"]
"""
UNIT = "TN:\nSF:{root}/src/a.js\nDA:1,1\nDA:2,1\nDA:3,0\nDA:4,0\nend_of_record\n"
INTEGRATION = "TN:\nSF:src/a.js\nDA:1,0\nDA:2,0\nDA:3,4\nDA:4,0\nend_of_record\n"
MODELS = {"unit-tests": UnitTestsSettings, "integration-tests": IntegrationTestsSettings, "coverage": CoverageSettings}


class Harness:
    """An evidence store, a config, a git context, and the memory the agent recalls from."""

    def __init__(self, tmp: Path, toml: str = TOML) -> None:
        (tmp / "svc").mkdir()
        (tmp / "svc" / "qeflow.toml").write_text(toml, encoding="utf-8")
        self.config = load_config(tmp / "svc", MODELS)
        self.store = EvidenceStore(tmp / "runs")
        self.run = self.store.create_run(HEAD)
        self.git = GitContext(tmp, "b" * 40, HEAD, "main", "HEAD", "", {"src/a.js": [3, 4]})
        self.memory: dict[str, Recall] = {}

    def remember(
        self,
        agent: str,
        phase: str,
        *,
        lcov: str | None,
        run: RunDir | None = None,
        status: Status = Status.PASSED,
        **details: object,
    ) -> None:
        run = run or self.run
        folder = run.agent_dir(phase, agent)
        evidence = []
        if lcov is not None:
            (folder / "lcov.info").write_text(lcov, encoding="utf-8")
            evidence.append(run.relative(folder / "lcov.info"))
        report = AgentReport(
            agent=agent,
            phase=phase,
            status=status,
            evidence=evidence,
            started_at=datetime.now(UTC),
            duration_s=1.0,
            summary="earlier",
            details=details,
        )
        self.memory[agent] = Recall(run, report)

    def report(self, settings: CoverageSettings | None = None) -> AgentReport:
        ctx = AgentContext(
            run=self.run,
            phase="build",
            agent="coverage",
            config=self.config,
            settings=settings or CoverageSettings(),
            git=self.git,
            workspace=None,  # type: ignore[arg-type]  # the coverage agent checks nothing out
            memory=self.memory,
        )
        return run_agent(SPEC, ctx)


@pytest.fixture
def harness(tmp_path: Path) -> Harness:
    return Harness(tmp_path)


def test_merges_unit_and_integration_coverage(harness: Harness) -> None:
    harness.remember("unit-tests", "commit", lcov=UNIT.format(root="/old/checkout"), checkout="/old/checkout")
    harness.remember("integration-tests", "build", lcov=INTEGRATION)
    report = harness.report()
    assert report.status is Status.PASSED, report.error
    assert report.metrics["line_coverage"] == 75.0  # lines 1, 2 (unit) and 3 (integration) of 4
    assert report.metrics["unit_tests_line_coverage"] == 50.0
    assert report.metrics["integration_tests_line_coverage"] == 25.0
    assert report.metrics["integration_tests_only_lines"] == 1.0
    assert report.metrics["files"] == 1.0
    assert "branch_coverage" not in report.metrics  # no branch data: no number, not a made-up one
    # changed lines 3 and 4: 3 is covered by the integration run only
    assert report.metrics["changed_lines_coverage"] == 50.0
    assert [f.location for f in report.findings if f.rule == "uncovered-changed-lines"] == ["src/a.js:4"]
    assert "merged line coverage 75.0% (3/4)" in report.summary


def test_writes_merged_evidence(harness: Harness) -> None:
    harness.remember("unit-tests", "commit", lcov=UNIT.format(root="/w"), checkout="/w")
    harness.remember("integration-tests", "build", lcov=INTEGRATION)
    report = harness.report()
    names = sorted(Path(p).name for p in report.evidence)
    assert names == ["coverage-merged.json", "diff-coverage.json", "merged.lcov"]
    merged = json.loads((harness.run.local / "build/coverage/coverage-merged.json").read_text())
    assert merged["files"]["src/a.js"]["uncovered_lines"] == "4"
    assert merged["inputs"][0]["report"].endswith("commit/unit-tests/lcov.info")
    lcov = (harness.run.local / "build/coverage/merged.lcov").read_text()
    assert "SF:src/a.js" in lcov and "DA:3,4" in lcov


def test_reads_unit_coverage_from_a_reused_earlier_run(harness: Harness) -> None:
    earlier = harness.store.create_run(HEAD)
    harness.remember("unit-tests", "commit", lcov=UNIT.format(root="/tmp/gone"), run=earlier, checkout="/tmp/gone")
    harness.remember("integration-tests", "build", lcov=INTEGRATION)
    report = harness.report()
    assert report.status is Status.PASSED, report.error
    assert report.details["inputs"][0].startswith(earlier.run_id)


def test_no_unit_tests_evidence_is_an_error_saying_how_to_get_it(harness: Harness) -> None:
    harness.remember("integration-tests", "build", lcov=INTEGRATION)
    report = harness.report()
    assert report.status is Status.ERROR
    assert "unit-tests (commit phase)" in (report.error or "")
    assert "--phase commit --phase build" in (report.error or "")
    assert "rerun the whole pipeline" in (report.error or "")


def test_unit_tests_report_without_coverage_file_is_an_error(harness: Harness) -> None:
    harness.remember("unit-tests", "commit", lcov=None, status=Status.ERROR)
    harness.remember("integration-tests", "build", lcov=INTEGRATION)
    report = harness.report()
    assert report.status is Status.ERROR
    assert "holds no coverage file" in (report.error or "")
    assert "status error" in (report.error or "")


def test_integration_without_coverage_is_a_finding_and_the_merge_goes_on(harness: Harness) -> None:
    harness.remember("unit-tests", "commit", lcov=UNIT.format(root="/w"), checkout="/w")
    harness.remember("integration-tests", "build", lcov=None)
    report = harness.report()
    assert report.status is Status.PASSED
    assert report.metrics["line_coverage"] == 50.0
    assert report.metrics["inputs"] == 1.0
    missing = [f for f in report.findings if f.rule == "coverage-input-missing"]
    assert len(missing) == 1 and "integration-tests" in missing[0].message
    assert "not merged: integration-tests" in report.summary


def test_missing_integration_report_in_the_same_phase_is_an_error(harness: Harness) -> None:
    harness.remember("unit-tests", "commit", lcov=UNIT.format(root="/w"), checkout="/w")
    report = harness.report()
    assert report.status is Status.ERROR
    assert "must run before coverage in the build phase" in (report.error or "")


def test_an_input_turned_off_in_the_config_is_left_out_and_said(tmp_path: Path) -> None:
    harness = Harness(tmp_path, TOML + "\n[agents.integration-tests]\nenabled = false\n")
    harness.remember("unit-tests", "commit", lcov=UNIT.format(root="/w"), checkout="/w")
    report = harness.report()
    assert report.status is Status.PASSED
    assert report.metrics["inputs"] == 1.0
    assert any("turned off" in f.message for f in report.findings)


def test_settings_reject_required_inputs_that_are_not_merged() -> None:
    with pytest.raises(ValidationError, match="must be among inputs"):
        CoverageSettings(inputs=["integration-tests"], required=["unit-tests"])
    with pytest.raises(ValidationError, match="must not repeat"):
        CoverageSettings(inputs=["unit-tests", "unit-tests"])


# --- the real agents on the example ----------------------------------------------------------


@pytest.fixture
def build_run(tmp_path: Path) -> Iterator[Callable[[str | None], BuildRun]]:
    runs: list[BuildRun] = []

    def make(defect: str | None) -> BuildRun:
        repo = make_build_repo(tmp_path / (defect or "clean"), defect)
        run = BuildRun(repo, tmp_path / "runs", [UNIT_TESTS, INTEGRATION_TESTS, SPEC])
        runs.append(run)
        return run

    yield make
    for run in runs:
        run.close()


@pytest.mark.slow
def test_clean_example_merged_coverage_passes_the_gate(build_run: Callable[[str | None], BuildRun]) -> None:
    run = build_run(None)
    assert run.run("unit-tests").status is Status.PASSED
    integration = run.run("integration-tests")
    assert integration.status is Status.PASSED
    assert integration.details["coverage_report"].endswith("integration-tests/lcov.info")
    report = run.run("coverage")
    assert report.status is Status.PASSED, report.error
    assert report.metrics["line_coverage"] > 85
    assert report.metrics["integration_tests_line_coverage"] > 50
    assert report.metrics["branch_coverage"] > 85
    assert report.metrics["files"] >= 10


@pytest.mark.slow
def test_deleting_the_integration_tests_drops_merged_coverage_under_85(
    build_run: Callable[[str | None], BuildRun],
) -> None:
    run = build_run("integration-tests-deleted")
    unit = run.run("unit-tests")
    assert unit.status is Status.PASSED
    assert 80 <= unit.metrics["line_coverage"] < 85  # the commit gate still passes
    assert run.run("integration-tests").status is Status.PASSED  # the migration tests remain
    report = run.run("coverage")
    assert report.status is Status.PASSED, report.error
    assert report.metrics["line_coverage"] < 85
    assert report.metrics["integration_tests_line_coverage"] == 0.0
