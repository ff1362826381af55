"""Each gate fails on a real defect, through the real `qeflow` command.

A defect is a second commit on a copy of the example (tests/support/defects.py and its
defect_* modules). The clean counterpart of every gate is the passing run in
test_pipeline_e2e.py, which runs every phase on a clean change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import GIT_IDENTITY, QeflowCli
from tests.support.defects import make_service_repo

pytestmark = pytest.mark.e2e

# defect name -> (phase whose gate must fail, the condition that must fail). Build defects keep
# the commit gate green, so the run goes through commit and fails in build.
CASES = {
    "sql-injection": ("commit", "static-analysis.new_critical == 0"),
    "api-server-error": ("commit", "api-tests.server_errors == 0"),
    "contract-response-field-removed": ("commit", "contract-check.breaking_changes == 0"),
    "contract-query-param-required": ("commit", "contract-check.breaking_changes == 0"),
    "integration-test-fails": ("build", "integration-tests.failed == 0"),
    "pact-timestamps-truncated": ("build", "pact.failed == 0"),
    "integration-tests-deleted": ("build", "coverage.line_coverage > 85"),
}


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> QeflowCli:
    return QeflowCli(tmp_path_factory.mktemp("gate-defects"))


@pytest.mark.parametrize("defect", sorted(CASES))
def test_defect_fails_its_gate_with_the_condition_named(
    defect: str, cli: QeflowCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    phase, expression = CASES[defect]
    for key, value in GIT_IDENTITY.items():
        monkeypatch.setenv(key, value)
    repo = make_service_repo(tmp_path, defect)
    phases = ["--phase", "commit"] + (["--phase", "build"] if phase == "build" else [])
    result = cli.run("run", str(repo.root), *phases, "--json", "--evidence", str(tmp_path / "runs"))
    assert result.returncode == 1, result
    report = result.json()
    assert report["halted_by"]["phase"] == phase, report["halted_by"]
    gate = next(p for p in report["phases"] if p["name"] == phase)["gate"]
    failed = {c["expression"]: c for c in gate["conditions"] if not c["passed"]}
    assert expression in failed, f"{expression} did not fail; failed: {sorted(failed)}\n{result}"
    assert failed[expression]["measured"] is not None  # measured, not missing
