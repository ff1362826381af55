"""The api-tests agent end to end on copies of examples/users-service (real release, real schemathesis).

Each test builds a temporary git repository of the example (tests.support.defects.make_service_repo),
a real AgentContext with its own Environments (embedded PostgreSQL, node instances), runs the agent
function and closes everything in a finally. The defect comes from tests/support/defect_api.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import tests.support.defects as defects
from tasks import AGENTS
from tasks.api_tests import SPEC, ApiTestsSettings, api_tests
from tasks.config import load_config
from tasks.context import AgentContext
from tasks.environment import Environments
from tasks.evidence import EvidenceStore
from tasks.git import resolve_context
from tasks.workspace import Workspace
from tests.support.defect_api import DEFECTS as API_DEFECTS

# Every registered agent's table (the example configures them) plus ours, registered or not yet.
MODELS = {**AGENTS.settings_models(), SPEC.name: ApiTestsSettings}
EXAMPLE_OPERATIONS = [
    "GET /health",
    "GET /metrics",
    "GET /admin",
    "GET /users",
    "POST /users",
    "GET /users/{id}",
    "PUT /users/{id}",
    "DELETE /users/{id}",
    "PATCH /users/{id}",
]


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


@dataclass
class Run:
    ctx: AgentContext
    repo: Path


@pytest.fixture
def make_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Run]]:
    """Build a context on a fresh copy of the example; `edit(service)` adds a third commit."""
    for name, fn in API_DEFECTS.items():
        monkeypatch.setitem(defects.DEFECTS, name, fn)
    closers: list[Callable[[], None]] = []

    def make(defect: str | None = None, edit: Callable[[Path], None] | None = None, **settings: object) -> Run:
        root = tmp_path / f"run{len(closers)}"
        root.mkdir()
        repo = defects.make_service_repo(root, defect)
        base, head = repo.base, repo.head
        if edit is not None:
            base = head
            edit(repo.root)
            _git(repo.root, "commit", "-qam", "edit")
            head = _git(repo.root, "rev-parse", "HEAD")
        config = load_config(repo.root / "qeflow.toml", MODELS)
        git = resolve_context(config.service_dir, base=base, head=head)
        workspace = Workspace(git.repo, git.service_path, config.service_dir, config.service.dependencies, "at")
        environments = Environments(
            service=config.service,
            database=config.database,
            workspace=workspace,
            work_dir=root / "env",
            run_tag="api-tests-test",
        )

        def close() -> None:
            try:
                environments.close()
            finally:
                workspace.close()

        closers.append(close)
        ctx = AgentContext(
            run=EvidenceStore(root / "runs").create_run(git.head),
            phase="commit",
            agent="api-tests",
            config=config,
            settings=ApiTestsSettings(**settings),  # type: ignore[arg-type]
            git=git,
            workspace=workspace,
            environments=environments,
        )
        return Run(ctx, repo.root)

    yield make
    for close in closers:
        close()


def _no_hypothesis_litter(run: Run, checkout: Path) -> None:
    """Neither the service repository, head's checkout nor our working directory got a database."""
    for directory in (run.repo, checkout, Path.cwd()):
        for name in (".hypothesis", ".schemathesis"):
            assert not (directory / name).exists(), f"{name} was left in {directory}"


@pytest.mark.slow
def test_clean_example_passes_fast_with_every_operation_tested(make_run: Callable[..., Run]) -> None:
    run = make_run()  # the clean change edits src/app.js: code changed, so every operation is selected
    t0 = time.monotonic()
    result = api_tests(run.ctx)
    elapsed = time.monotonic() - t0
    metrics = result.metrics
    assert not result.failed, result.summary + "\n" + "\n".join(f.message for f in result.findings)
    assert result.findings == []
    assert metrics["operations_selected"] == metrics["operations_tested"] == 9
    assert metrics["server_errors"] == metrics["schema_violations"] == 0
    assert metrics["status_violations"] == metrics["content_type_violations"] == 0
    assert metrics["failures_total"] == metrics["engine_errors"] == 0
    assert metrics["cases"] >= 200
    assert metrics["seed"] == 20261204
    assert elapsed < 30, f"api-tests took {elapsed:.1f}s (release {metrics['release_s']}s, run {metrics['run_s']}s)"
    assert result.summary.startswith("9/9 operation(s) (source-changed): ")

    document = json.loads((run.ctx.evidence_dir / "api-tests.json").read_text())
    assert document["selection"]["rule"] == "source-changed"
    assert document["selection"]["source_files"] == ["src/app.js"]  # README.md is docs
    assert document["selection"]["operations"] == EXAMPLE_OPERATIONS
    assert document["seed"] == 20261204 and document["schemathesis_version"].startswith("4.")
    assert document["stop_reason"] == "completed"
    assert all(document["operations"][op]["cases"] > 0 for op in EXAMPLE_OPERATIONS)
    for rel in result.evidence:
        assert (run.ctx.run.local / rel).is_file(), rel
    assert {"instance-0.log", "schemathesis.log", "openapi.yaml"} <= {Path(p).name for p in result.evidence}
    _no_hypothesis_litter(run, run.ctx.workspace.checkout(run.ctx.git.head))


@pytest.mark.slow
def test_defect_is_caught_with_a_repro_that_fails_against_the_release(make_run: Callable[..., Run]) -> None:
    run = make_run("api-server-error")
    result = api_tests(run.ctx)
    metrics = result.metrics
    assert result.failed
    assert metrics["server_errors"] >= 1
    assert metrics["schema_violations"] == 0
    assert metrics["failures_total"] == metrics["failures_reproduced"] == 1
    (finding,) = result.findings
    assert (finding.rule, finding.location, finding.severity.value) == ("not_a_server_error", "GET /users", "critical")
    assert "answered 500" in finding.message and "replay: reproduced; repro_1.py" in finding.message

    repro = run.ctx.evidence_dir / "repro_1.py"
    curl = (run.ctx.evidence_dir / "repro_1.sh").read_text()
    assert "--request GET" in curl and "offset=" in curl
    document = json.loads((run.ctx.evidence_dir / "api-tests.json").read_text())
    (failure,) = document["failures"]
    assert failure["status"] == 500 and failure["repro"]["replay"] == "reproduced"
    assert int(failure["request"]["uri"].split("offset=")[1].split("&")[0]) > 2**31 - 1

    # The developer's view: rerun the file with pytest against the release, which is still running.
    base_url = result.details["base_url"]
    rerun = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", repro.name],
        cwd=repro.parent,
        env={"BASE_URL": base_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert rerun.returncode == 1, rerun.stdout + rerun.stderr
    assert "1 failed" in rerun.stdout and "answered 500, expected a status below 500" in rerun.stdout
    _no_hypothesis_litter(run, run.ctx.workspace.checkout(run.ctx.git.head))


@pytest.mark.slow
def test_same_seed_same_requests(make_run: Callable[..., Run]) -> None:
    first, second = make_run("api-server-error"), make_run("api-server-error")
    one, two = api_tests(first.ctx), api_tests(second.ctx)
    assert one.metrics["cases"] == two.metrics["cases"]
    docs = [json.loads((r.ctx.evidence_dir / "api-tests.json").read_text()) for r in (first, second)]
    assert [{op: d["operations"][op]["cases"] for op in EXAMPLE_OPERATIONS} for d in docs[1:]] == [
        {op: docs[0]["operations"][op]["cases"] for op in EXAMPLE_OPERATIONS}
    ]
    # The same failing request, up to the port of each release.
    targets = [d["failures"][0]["request"]["uri"].split("/", 3)[3] for d in docs]
    assert targets[0] == targets[1]


def _new_query_parameter(service: Path) -> None:
    spec = service / "openapi.yaml"
    text = spec.read_text()
    marker = "        - $ref: '#/components/parameters/EmailFilter'\n"
    extra = (
        "        - name: sort\n          in: query\n          required: false\n"
        "          schema:\n            type: string\n            enum: [id]\n"
    )
    spec.write_text(text.replace(marker, marker + extra, 1))


@pytest.mark.slow
def test_a_spec_only_change_tests_only_the_changed_operation(make_run: Callable[..., Run]) -> None:
    run = make_run(edit=_new_query_parameter)
    result = api_tests(run.ctx)
    assert not result.failed, result.summary
    assert result.metrics["operations_selected"] == result.metrics["operations_tested"] == 1
    assert result.details["selection"]["rule"] == "spec-diff"
    assert result.details["selection"]["changed"] == ["GET /users"]


def test_a_docs_only_change_tests_nothing_and_releases_nothing(make_run: Callable[..., Run]) -> None:
    run = make_run(edit=lambda service: (service / "README.md").write_text("# users-service\n\nDocs only.\n"))
    result = api_tests(run.ctx)
    assert not result.failed
    assert result.summary == "nothing to test: spec diff: no operation added or changed, and no service code changed"
    assert result.metrics["operations_selected"] == result.metrics["cases"] == 0
    assert result.metrics["server_errors"] == result.metrics["schema_violations"] == 0
    assert run.ctx.environments is not None and run.ctx.environments.names() == []
    assert json.loads((run.ctx.evidence_dir / "api-tests.json").read_text())["ran"] is False
