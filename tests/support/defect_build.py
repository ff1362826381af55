"""Build-phase defects: what the build gate (integration tests, merged coverage, Pact) must catch.

Each defect is a function that edits a copy of examples/users-service (the service directory of
`tests.support.defects.make_service_repo`) and returns its commit message, like the commit-phase
defects in `tests.support.defects.DEFECTS`. Each keeps the unit tests green and changed lines
covered, so the build gate is the one that has to say no (measured on the full pipeline, with
unit-tests, static-analysis, api-tests and contract-check in the commit phase):

- `integration-test-fails`: a wrong expectation in test/integration/ (health answers "healthy").
  Build fails on `integration-tests.failed == 0` only.
- `pact-field-renamed`: the API returns a user's `name` as `full_name`; the OpenAPI document and
  the unit tests follow the rename, and the orders-service pact (which reads `name`) no longer
  verifies: `pact.failed == 0` fails, with "missing the following keys: name". But a full run
  stops earlier: the commit phase's contract check reports the renamed response property
  (`contract-check.breaking_changes == 0`). The pact is what catches it when the contract check
  is off, as in the pact agent's own tests.
- `pact-timestamps-truncated`: the API returns timestamps in whole seconds
  (`2024-01-01T00:00:00Z`). Still RFC 3339 `date-time`, so the OpenAPI document does not change
  and neither the contract check nor the schema-based API tests can see it; the orders-service
  pact (whose matcher wants milliseconds) fails. The commit phase passes; build fails on
  `pact.failed == 0` only.
- `integration-tests-deleted`: the integration tests of the service code (API end to end and the
  PostgreSQL repository) are deleted, together with the unit tests that duplicated them (server
  start-up and the repository's fake-pool tests), because "the integration suite covers those".
  The unit tests alone cover about 99% of src/ in the clean example, so deleting integration tests
  alone cannot move merged coverage (measured: 99.2% either way). With the duplicates gone too,
  unit coverage is about 82% (over the example's commit-gate floor of 80, and only test files
  change, so changed-lines coverage has nothing to measure), and merged coverage is about 82% as
  well, under the build gate's 85, where the intact integration suite would have lifted it to
  about 96%. The migration integration test stays, so the suite still runs tests: build fails on
  `coverage.line_coverage > 85` only.

`make_build_repo(tmp, defect)` makes the example's repository with one of these (or a defect of
tests.support.defects) as head, and `BuildRun` runs agents on it the way a phase does — one after
another, each reading the earlier ones' reports — with a real AgentContext, workspace and
embedded-PostgreSQL environments, but without Prefect.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

from tasks import AGENTS
from tasks.config import AgentSettings, Config, load_config
from tasks.context import AgentContext, Recall
from tasks.environment import Environments
from tasks.evidence import EvidenceStore
from tasks.git import GitContext, resolve_context
from tasks.registry import AgentSpec
from tasks.report import AgentReport
from tasks.runner import run_agent
from tasks.workspace import Workspace
from tests.support import defects

__all__ = ["DEFECTS", "BuildRun", "apply_defect", "make_build_repo"]


def _edit(path: Path, old: str, new: str, *, count: int = 1) -> None:
    """Replace `old` by `new` exactly `count` times; fail loudly when the example has moved on."""
    text = path.read_text(encoding="utf-8")
    found = text.count(old)
    if found != count:
        raise AssertionError(f"{path}: expected {count} occurrence(s) of {old!r}, found {found}")
    path.write_text(text.replace(old, new), encoding="utf-8")


def _integration_test_fails(service: Path) -> str:
    """A wrong expectation: the integration test now wants {"status": "healthy"} from /health."""
    _edit(
        service / "test" / "integration" / "app.test.js",
        "assert.deepEqual(res.body, { status: 'ok' });",
        "assert.deepEqual(res.body, { status: 'healthy' });",
    )
    return "test: health answers healthy"


_TO_RESOURCE = """\
/** The public shape of a user: the display name is published as `full_name`. */
function toResource(user) {
  return {
    id: user.id,
    email: user.email,
    full_name: user.name,
    role: user.role,
    created_at: user.created_at,
    updated_at: user.updated_at,
  };
}

/**
 * Build the Express application."""


def _respond_through(service: Path, to_resource: str) -> None:
    """Define `toResource` (the given JS) in app.js and pass every user the API returns through it."""
    app = service / "src" / "app.js"
    _edit(app, "/**\n * Build the Express application.", to_resource)
    _edit(
        app,
        "return res.json({ items, total, limit: value.limit, offset: value.offset });",
        "return res.json({ items: items.map(toResource), total, limit: value.limit, offset: value.offset });",
    )
    _edit(app, "return res.status(201).json(user);", "return res.status(201).json(toResource(user));")
    _edit(
        app,
        "return user ? res.json(user) : notFound(res);",
        "return user ? res.json(toResource(user)) : notFound(res);",
        count=2,
    )


def _pact_field_renamed(service: Path) -> str:
    """The API renames `name` to `full_name` in every user it returns; spec and unit tests follow."""
    _respond_through(service, _TO_RESOURCE)

    spec = service / "openapi.yaml"
    text = spec.read_text(encoding="utf-8")
    user_schema = text.index("    User:\n")
    end = text.index("    UserInput:\n")
    block = text[user_schema:end]
    block = block.replace(
        "required: [id, email, name, role, created_at, updated_at]",
        "required: [id, email, full_name, role, created_at, updated_at]",
    )
    block = block.replace("        name:\n", "        full_name:\n")
    spec.write_text(text[:user_schema] + block + text[end:], encoding="utf-8")

    routes = service / "test" / "unit" / "users.routes.test.js"
    _edit(
        routes,
        "['created_at', 'email', 'id', 'name', 'role', 'updated_at']",
        "['created_at', 'email', 'full_name', 'id', 'role', 'updated_at']",
    )
    text = routes.read_text(encoding="utf-8")
    renamed, n = re.subn(r"\bres\.body\.name\b", "res.body.full_name", text)
    if n < 1:
        raise AssertionError(f"{routes}: no res.body.name assertion to rename")
    routes.write_text(renamed, encoding="utf-8")
    return "feat: publish a user's display name as full_name"


_WHOLE_SECONDS = """\
/** Timestamps are published in whole seconds: sub-second precision is noise to clients. */
function toResource(user) {
  const seconds = (ts) => ts.replace(/\\.\\d{3}Z$/, 'Z');
  return { ...user, created_at: seconds(user.created_at), updated_at: seconds(user.updated_at) };
}

/**
 * Build the Express application."""


def _pact_timestamps_truncated(service: Path) -> str:
    """Timestamps lose their milliseconds: valid date-time for the spec, a break for the pact."""
    _respond_through(service, _WHOLE_SECONDS)
    _edit(
        service / "test" / "unit" / "users.routes.test.js",
        r"const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;",
        r"const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;",
    )
    return "feat: timestamps in whole seconds"


def _integration_tests_deleted(service: Path) -> str:
    """Delete the integration tests of src/ and the unit tests that duplicated them."""
    integration = service / "test" / "integration"
    for name in ("app.test.js", "pg-repo.test.js"):
        (integration / name).unlink()
    (service / "test" / "unit" / "server.test.js").unlink()

    repo_tests = service / "test" / "unit" / "repo.test.js"
    text = repo_tests.read_text(encoding="utf-8")
    # Keep the pure helpers' tests (toUser, mapError); drop the fake pool and the query tests.
    start = text.index("/** A fake pg Pool recording queries")
    end = text.index("const ROW = {")
    text = text[:start] + text[end:]
    start = text.index("  it('ping runs SELECT 1'")
    end = text.rindex("});")
    text = text[:start].rstrip() + "\n" + text[end:]
    text = text.replace(
        "const { createPgRepo, toUser, mapError } = require('../../src/repo/pg');",
        "const { toUser, mapError } = require('../../src/repo/pg');",
    )
    text = text.replace("describe('pg repo (fake pool)'", "describe('pg repo helpers'")
    repo_tests.write_text(text, encoding="utf-8")
    return "test: drop the slow server and database tests"


DEFECTS: dict[str, Callable[[Path], str]] = {
    "integration-test-fails": _integration_test_fails,
    "pact-field-renamed": _pact_field_renamed,
    "pact-timestamps-truncated": _pact_timestamps_truncated,
    "integration-tests-deleted": _integration_tests_deleted,
}


def apply_defect(service: Path, name: str) -> str:
    """Apply the named build defect to a service directory; return its commit message."""
    try:
        defect = DEFECTS[name]
    except KeyError:
        raise KeyError(f"unknown build defect {name!r}; known: {', '.join(DEFECTS)}") from None
    return defect(service)


def make_build_repo(tmp: Path, defect: str | None = None) -> defects.ServiceRepo:
    """The example in a git repository with `defect` committed as head (None: a clean change).

    A build defect is committed on top of make_service_repo's clean change, so base..head also
    holds that change; a defect of tests.support.defects is made by make_service_repo itself.
    """
    if defect is None or defect in defects.DEFECTS:
        return defects.make_service_repo(tmp, defect)
    if defect not in DEFECTS:
        known = ", ".join([*defects.DEFECTS, *DEFECTS])
        raise KeyError(f"unknown defect {defect!r}; known: {known}")
    repo = defects.make_service_repo(tmp, None)
    message = apply_defect(repo.root, defect)

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(repo.root), *args], check=True, capture_output=True, text=True, stdin=subprocess.DEVNULL
        ).stdout.strip()

    git("add", "-A")
    git("commit", "-q", "-m", message)
    return defects.ServiceRepo(repo.root, repo.base, git("rev-parse", "HEAD"), defect)


class BuildRun:
    """Agents of one run on a service repository, one after another, sharing memory and evidence.

    `run(spec)` builds the agent's context from the qeflow.toml, runs it through the real runner
    (`tasks.runner.run_agent`: report.json written, crashes become `error` reports) and adds the
    report to the memory later agents recall. `close()` stops the environments and removes the
    worktrees; use it as a context manager.
    """

    def __init__(self, repo: defects.ServiceRepo, store: Path, specs: list[AgentSpec]) -> None:
        self.repo = repo
        self.specs = {spec.name: spec for spec in specs}
        # Every registered agent's table may appear in the qeflow.toml; the specs add any not yet listed.
        models: dict[str, type[AgentSettings]] = {
            **AGENTS.settings_models(),
            **{spec.name: spec.settings for spec in specs},
        }
        self.config: Config = load_config(repo.root, models)
        self.git: GitContext = resolve_context(self.config.service_dir, base=repo.base, head=repo.head)
        self.store = EvidenceStore(store)
        self.run_dir = self.store.create_run(self.git.head)
        self.workspace = Workspace(
            self.git.repo, self.git.service_path, self.config.service_dir, self.config.service.dependencies, "buildtest"
        )
        self.environments = Environments(
            service=self.config.service,
            database=self.config.database,
            workspace=self.workspace,
            work_dir=self.workspace.root / "env",
            run_tag=self.run_dir.run_id,
        )
        self.memory: dict[str, Recall] = {}

    def context(self, name: str, settings: AgentSettings | None = None) -> AgentContext:
        spec = self.specs[name]
        return AgentContext(
            run=self.run_dir,
            phase=spec.phase,
            agent=name,
            config=self.config,
            settings=settings if settings is not None else self.config.agent(name, spec.settings),
            git=self.git,
            workspace=self.workspace,
            environments=self.environments,
            memory=self.memory,
        )

    def run(self, name: str, settings: AgentSettings | None = None) -> AgentReport:
        report = run_agent(self.specs[name], self.context(name, settings))
        self.memory[name] = Recall(self.run_dir, report)
        return report

    def close(self) -> None:
        try:
            self.environments.close()
        finally:
            self.workspace.close()

    def __enter__(self) -> BuildRun:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
