"""The agent on a copy of examples/users-service: clean, and with SQL built by concatenation.

The copy is a temporary git repository (tests/support/defects.py): the example on `main`, then a
second commit on `change` — a clean, tested change, or the `sql-injection` defect of
tests/support/defect_static.py. eslint (the example's own, with eslint-plugin-security) and
semgrep run for real, on head and on the base versions of the changed files.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tasks import AGENTS
from tasks.config import load_config
from tasks.context import AgentContext
from tasks.evidence import EvidenceStore
from tasks.git import resolve_context
from tasks.report import AgentResult, Severity
from tasks.static_analysis import StaticAnalysisSettings, static_analysis
from tasks.workspace import Workspace
from tests.support import defects
from tests.support.defect_static import DEFECTS

pytestmark = pytest.mark.slow
BUDGET_S = 60  # the whole commit phase must fit in this on a 2-core machine


@pytest.fixture
def run_on_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    for name, defect in DEFECTS.items():
        monkeypatch.setitem(defects.DEFECTS, name, defect)
    if not (defects.EXAMPLE / "node_modules" / ".bin" / "eslint").exists():
        pytest.skip("examples/users-service has no node_modules (make setup)")
    workspaces: list[Workspace] = []

    def run(defect: str | None) -> tuple[AgentResult, AgentContext, float]:
        service = defects.make_service_repo(tmp_path, defect)
        models = {**AGENTS.settings_models(), "static-analysis": StaticAnalysisSettings}
        config = load_config(service.root / "qeflow.toml", models)
        git = resolve_context(config.service_dir, default_branch_name=config.git.default_branch)
        assert (git.base, git.head) == (service.base, service.head)
        workspace = Workspace(git.repo, git.service_path, config.service_dir, config.service.dependencies, "sa")
        workspaces.append(workspace)
        ctx = AgentContext(
            run=EvidenceStore(tmp_path / "runs").create_run(git.head),
            phase="commit",
            agent="static-analysis",
            config=config,
            settings=StaticAnalysisSettings(),
            git=git,
            workspace=workspace,
        )
        started = time.monotonic()
        result = static_analysis(ctx)
        return result, ctx, time.monotonic() - started

    yield run
    for workspace in workspaces:
        workspace.close()


def test_the_clean_example_has_no_critical_finding(run_on_example) -> None:  # type: ignore[no-untyped-def]
    result, ctx, elapsed = run_on_example(None)
    stored = json.loads(ctx.evidence_path("findings.json").read_text())["findings"]
    assert result.details["analyzers"] == ["eslint", "semgrep"]
    assert result.metrics["new_critical"] == 0, stored
    assert result.metrics["debt_critical"] == 0, stored  # the example itself is clean
    assert [f for f in stored if f["severity"] in ("critical", "high")] == []
    assert result.metrics["files_scanned"] >= 30
    assert result.metrics["base_files"] == 2  # src/app.js and README.md changed
    assert elapsed < BUDGET_S


def test_sql_concatenation_is_a_new_critical_finding(run_on_example) -> None:  # type: ignore[no-untyped-def]
    result, ctx, elapsed = run_on_example("sql-injection")
    assert result.metrics["new_critical"] == 1
    assert result.metrics["debt_critical"] == 0
    finding = result.findings[0]
    assert finding.rule == "semgrep/qeflow.javascript.sql-injection"
    assert finding.severity is Severity.CRITICAL
    assert finding.location is not None and finding.location.startswith("src/repo/pg.js:")
    line = int(finding.location.rsplit(":", 1)[1])
    source = (Path(result.details["checkout"]) / "src/repo/pg.js").read_text().splitlines()
    assert "ILIKE '%\" + name + \"%'" in source[line - 1]
    assert result.summary.startswith("1 new finding (1 critical, 0 high, 0 medium, 0 low); 0 existing")
    sarif = json.loads(ctx.evidence_path("static-analysis.sarif").read_text())
    (semgrep,) = [run for run in sarif["runs"] if run["tool"]["driver"]["name"] == "semgrep"]
    (sql,) = semgrep["results"]
    assert sql["baselineState"] == "new"
    assert sql["properties"]["severity"] == "critical"
    assert elapsed < BUDGET_S
