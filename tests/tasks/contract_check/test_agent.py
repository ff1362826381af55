"""The contract-check agent end to end: real git repositories, real AgentContext objects."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tasks.config import load_config
from tasks.context import AgentContext
from tasks.contract_check import CATALOGUE, SPEC, ContractCheckSettings, ContractError, Level, contract_check
from tasks.errors import ConfigError
from tasks.evidence import EvidenceStore
from tasks.git import EMPTY_TREE, resolve_context
from tasks.report import Severity, Status
from tasks.runner import run_agent
from tasks.workspace import Workspace
from tests.support.defect_contract import DEFECTS
from tests.tasks.contract_check.conftest import GitRepo
from tests.tasks.contract_check.specs import document, obj, string

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "users-service"
MODELS = {"contract-check": ContractCheckSettings}
TOML = '[service]\nname = "svc"\nroot = "{root}"\nstart = ["node", "server.js"]\n\n[database]\nmode = "none"\n'


def users(user_schema: dict[str, Any], *, limit_required: bool = False) -> str:
    spec = document(
        {
            "/users": {
                "get": {
                    "parameters": [
                        {"name": "limit", "in": "query", "required": limit_required, "schema": {"type": "integer"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/User"}}
                                }
                            },
                        }
                    },
                }
            },
            "/users/{id}": {
                "get": {
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}},
                        }
                    },
                }
            },
        },
        components={"schemas": {"User": user_schema}},
    )
    return yaml.safe_dump(spec, sort_keys=False)


USER = obj({"id": {"type": "integer"}, "name": string()}, ["id", "name"])
USER_NO_NAME = obj({"id": {"type": "integer"}}, ["id"])
USER_PLUS_EMAIL = obj({"id": {"type": "integer"}, "name": string(), "email": string()}, ["id", "name"])


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Callable[..., AgentContext]]:
    """Build a real AgentContext for `repo` at base..head; keyword args become agent settings."""
    workspaces: list[Workspace] = []

    def make(
        repo: GitRepo, base: str | None, head: str, service: str = "", toml: str = "", **settings: Any
    ) -> AgentContext:
        config_path = repo.root / "qeflow.toml"
        if not config_path.exists():
            config_path.write_text(TOML.replace("{root}", service or ".") + toml, encoding="utf-8")
        config = load_config(config_path, MODELS)
        git = resolve_context(config.service_dir, base=base, head=head)
        workspace = Workspace(git.repo, git.service_path, config.service_dir, config.service.dependencies, "cc")
        workspaces.append(workspace)
        model = config.agent("contract-check", ContractCheckSettings)
        return AgentContext(
            run=EvidenceStore(tmp_path / "runs").create_run(git.head),
            phase="commit",
            agent="contract-check",
            config=config,
            settings=model.model_copy(update=settings),
            git=git,
            workspace=workspace,
        )

    yield make
    for workspace in workspaces:
        workspace.close()


def test_a_removed_response_field_fails_with_evidence(
    make_repo: Callable[[str], GitRepo], run: Callable[..., AgentContext]
) -> None:
    repo = make_repo("svc")
    base = repo.commit({"openapi.yaml": users(USER)}, "api")
    head = repo.commit({"openapi.yaml": users(USER_NO_NAME, limit_required=True)}, "break it")
    ctx = run(repo, base, head)
    result = contract_check(ctx)

    assert result.failed
    assert result.metrics == {
        "breaking_changes": 3.0,
        "warnings": 0.0,
        "infos": 0.0,
        "ignored": 0.0,
        "operations_base": 2.0,
        "operations_head": 2.0,
        "operations_added": 0.0,
        "operations_removed": 0.0,
        "operations_changed": 2.0,
        "diff_s": result.metrics["diff_s"],
    }
    assert 0 <= result.metrics["diff_s"] < 1
    assert sorted((f.rule, f.location) for f in result.findings) == [
        ("parameter-made-required", "GET /users parameter query:limit"),
        ("response-property-removed", "GET /users response 200 application/json $[*].name"),
        ("response-property-removed", "GET /users/{id} response 200 application/json $.name"),
    ]
    assert {f.severity for f in result.findings} == {Severity.HIGH}
    assert all(f.message.startswith("[ERR] ") for f in result.findings)
    assert result.summary.startswith("3 breaking change(s) (ERR) in 2 place(s): response-property-removed x2")
    assert result.details["changed_operations"] == ["GET /users", "GET /users/{id}"]
    assert result.details["operations"] == {"added": [], "changed": ["GET /users", "GET /users/{id}"], "removed": []}

    assert result.evidence == [
        "commit/contract-check/contract-findings.json",
        "commit/contract-check/contract-changelog.md",
        "commit/contract-check/contract-check.junit.xml",
    ]
    data = json.loads((ctx.run.local / result.evidence[0]).read_text())
    assert [f["check"] for f in data["findings"]].count("response-property-removed") == 2
    assert data["metrics"]["breaking_changes"] == 3
    changelog = (ctx.run.local / result.evidence[1]).read_text()
    assert changelog.index("## GET /users") < changelog.index("## GET /users/{id}")
    assert "- **ERR** `parameter-made-required` parameter query:limit: parameter made required" in changelog
    suite = ET.parse(ctx.run.local / result.evidence[2]).getroot().find("testsuite")
    assert suite is not None
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == set(CATALOGUE)
    assert suite.get("failures") == "2"
    failure = cases["response-property-removed"].find("failure")
    assert failure is not None and failure.get("message") == "2 breaking change(s)"
    assert cases["response-property-added"].find("failure") is None


def test_additive_changes_pass_and_list_changed_operations(
    make_repo: Callable[[str], GitRepo], run: Callable[..., AgentContext]
) -> None:
    repo = make_repo("svc")
    base = repo.commit({"openapi.yaml": users(USER)})
    head = repo.commit({"openapi.yaml": users(USER_PLUS_EMAIL)})
    result = contract_check(run(repo, base, head))
    assert not result.failed
    assert (result.metrics["breaking_changes"], result.metrics["infos"]) == (0.0, 2.0)
    assert result.details["changed_operations"] == ["GET /users", "GET /users/{id}"]
    assert result.summary.startswith("no contract break in openapi.yaml: 0 ERR, 0 WARN, 2 INFO")


def test_no_document_at_base_passes_and_says_so(
    make_repo: Callable[[str], GitRepo], run: Callable[..., AgentContext]
) -> None:
    repo = make_repo("svc")
    base = repo.commit({"README.md": "new service\n"})
    head = repo.commit({"openapi.yaml": users(USER)})
    result = contract_check(run(repo, base, head))
    assert not result.failed
    assert result.summary.startswith(f"no OpenAPI document at base (openapi.yaml not in {base[:10]}): 2 operation(s)")
    assert result.details["base_document"] is False
    assert result.details["changed_operations"] == ["GET /users", "GET /users/{id}"]
    assert (result.metrics["operations_base"], result.metrics["operations_added"]) == (0.0, 2.0)
    assert result.findings == []


def test_the_empty_tree_as_base_is_no_document_at_base(
    make_repo: Callable[[str], GitRepo], run: Callable[..., AgentContext]
) -> None:
    repo = make_repo("svc")
    head = repo.commit({"openapi.yaml": users(USER)})
    ctx = run(repo, None, head)  # a root commit on the default branch: base is the empty tree
    assert ctx.git.base == EMPTY_TREE
    result = contract_check(ctx)
    assert not result.failed and result.summary.startswith("no OpenAPI document at base")


def test_an_invalid_head_document_is_an_error_report_naming_the_place(
    make_repo: Callable[[str], GitRepo], run: Callable[..., AgentContext]
) -> None:
    repo = make_repo("svc")
    base = repo.commit({"openapi.yaml": users(USER)})
    head = repo.commit({"openapi.yaml": users(obj({"id": {"type": "integr"}}))})
    report = run_agent(SPEC, run(repo, base, head))
    assert report.status is Status.ERROR
    assert report.summary.startswith("error: openapi.yaml: invalid OpenAPI 3.0.3 document at /components/schemas/User")


def test_a_missing_head_document_is_an_error_with_a_hint(
    make_repo: Callable[[str], GitRepo], run: Callable[..., AgentContext]
) -> None:
    repo = make_repo("svc")
    sha = repo.commit({"README.md": "x\n"})
    with pytest.raises(
        ContractError, match=r"api\.yaml: no OpenAPI document at head .*set \[agents\.contract-check\] spec"
    ):
        contract_check(run(repo, sha, sha, spec="api.yaml"))


def test_an_unreadable_base_document_is_a_warning_not_a_block(
    make_repo: Callable[[str], GitRepo], run: Callable[..., AgentContext]
) -> None:
    repo = make_repo("svc")
    base = repo.commit({"openapi.yaml": "openapi: 3.0.3\npaths: [\n"})
    head = repo.commit({"openapi.yaml": users(USER)})
    result = contract_check(run(repo, base, head))
    assert not result.failed
    (finding,) = result.findings
    assert (finding.rule, finding.severity) == ("contract-base-unreadable", Severity.MEDIUM)
    assert "not valid YAML" in finding.message


IGNORE = """\
- check: response-property-removed
  location: "GET /users*"
  reason: the mobile app stopped reading name in 4.2
  expires: {expires}
"""


@pytest.mark.parametrize(("expires", "hidden"), [("2999-12-31", True), ("2000-01-01", False)])
def test_the_ignore_file_at_head_hides_accepted_breaks_until_it_expires(
    make_repo: Callable[[str], GitRepo], run: Callable[..., AgentContext], expires: str, hidden: bool
) -> None:
    repo = make_repo("svc")
    base = repo.commit({"openapi.yaml": users(USER)})
    head = repo.commit(
        {"openapi.yaml": users(USER_NO_NAME), ".qeflow-contract-ignore.yaml": IGNORE.format(expires=expires)}
    )
    ctx = run(repo, base, head)
    result = contract_check(ctx)
    if hidden:
        assert not result.failed
        assert (result.metrics["breaking_changes"], result.metrics["ignored"]) == (0.0, 2.0)
        assert result.details["ignored"][0]["reason"] == "the mobile app stopped reading name in 4.2"
        assert "## Ignored" in (ctx.evidence_dir / "contract-changelog.md").read_text()
    else:
        assert result.failed
        assert (result.metrics["breaking_changes"], result.metrics["warnings"], result.metrics["ignored"]) == (
            2.0,
            1.0,
            0.0,
        )
        expired = [f for f in result.findings if f.rule == "contract-ignore-expired"]
        assert expired[0].location == ".qeflow-contract-ignore.yaml entry 1"
        assert "expired on 2000-01-01" in expired[0].message


def test_a_malformed_ignore_file_is_an_error(
    make_repo: Callable[[str], GitRepo], run: Callable[..., AgentContext]
) -> None:
    repo = make_repo("svc")
    base = repo.commit({"openapi.yaml": users(USER)})
    bad = IGNORE.format(expires="2999-12-31").replace("  reason: the mobile app stopped reading name in 4.2\n", "")
    head = repo.commit({"openapi.yaml": users(USER_NO_NAME), ".qeflow-contract-ignore.yaml": bad})
    report = run_agent(SPEC, run(repo, base, head))
    assert report.status is Status.ERROR
    assert ".qeflow-contract-ignore.yaml: entry 1: reason: Field required" in report.summary


def test_levels_from_qeflow_toml_override_the_defaults(
    make_repo: Callable[[str], GitRepo], run: Callable[..., AgentContext]
) -> None:
    repo = make_repo("svc")
    base = repo.commit({"openapi.yaml": users(USER)})
    head = repo.commit({"openapi.yaml": users(USER_NO_NAME)})
    toml = (
        '\n[agents.contract-check]\nlevels = { response-property-removed = "WARN", graphql-field-removed = "INFO" }\n'
    )
    result = contract_check(run(repo, base, head, toml=toml))
    assert not result.failed
    assert (result.metrics["breaking_changes"], result.metrics["warnings"]) == (0.0, 2.0)
    assert all(f.message.startswith("[WARN] ") and f.severity is Severity.MEDIUM for f in result.findings)


def test_a_service_in_a_subdirectory_reads_its_own_spec(
    make_repo: Callable[[str], GitRepo], run: Callable[..., AgentContext]
) -> None:
    repo = make_repo("mono")
    base = repo.commit({"services/users/api/openapi.json": json.dumps(yaml.safe_load(users(USER)))})
    head = repo.commit({"services/users/api/openapi.json": json.dumps(yaml.safe_load(users(USER_NO_NAME)))})
    result = contract_check(run(repo, base, head, service="services/users", spec="api/openapi.json"))
    assert result.metrics["breaking_changes"] == 2.0
    assert result.details["spec"] == "services/users/api/openapi.json"


GQL_BASE = "type Query { users: [User!]! }\ntype User { id: ID! name: String }\n"
GQL_HEAD = "type Query { users: [User!]! me: User }\ntype User { id: ID! role: Role }\nenum Role { A B }\n"


def test_a_graphql_schema_is_diffed_instead_when_configured(
    make_repo: Callable[[str], GitRepo], run: Callable[..., AgentContext]
) -> None:
    repo = make_repo("svc")
    base = repo.commit({"schema.graphql": GQL_BASE})
    head = repo.commit({"schema.graphql": GQL_HEAD})
    ctx = run(repo, base, head, graphql_schema="schema.graphql")
    result = contract_check(ctx)
    assert result.failed
    assert sorted((f.rule, f.location) for f in result.findings) == [
        ("graphql-field-removed", "User.name"),
        ("graphql-operation-added", "Query.me"),
    ]
    assert result.details["kind"] == "graphql"
    assert result.details["operations"] == {"added": ["Query.me"], "changed": ["Query.users"], "removed": []}
    assert (result.metrics["operations_base"], result.metrics["operations_head"]) == (1.0, 2.0)
    suite = ET.parse(ctx.evidence_dir / "contract-check.junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            'levels = { response-prop-removed = "ERR" }',
            "unknown check id(s) 'response-prop-removed' (did you mean 'response-property-removed'?); valid: ",
        ),
        ('levels = { response-property-removed = "FATAL" }', "Input should be 'ERR', 'WARN' or 'INFO'"),
        ('spec = "../other/openapi.yaml"', "a path relative to the service directory"),
        ('ignore_file = "/etc/ignore.yaml"', "a path relative to the service directory"),
        ('spce = "x"', "unknown key"),
    ],
)
def test_bad_settings_are_config_errors(tmp_path: Path, table: str, message: str) -> None:
    (tmp_path / "qeflow.toml").write_text(TOML.replace("{root}", ".") + "\n[agents.contract-check]\n" + table + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "qeflow.toml", MODELS)
    assert message in str(info.value)
    assert "agents.contract-check." in str(info.value)


def test_settings_defaults_and_spec() -> None:
    settings = ContractCheckSettings()
    assert (settings.spec, settings.graphql_schema, settings.levels, settings.ignore_file) == (
        "openapi.yaml",
        None,
        {},
        ".qeflow-contract-ignore.yaml",
    )
    for name, field in ContractCheckSettings.model_fields.items():
        assert field.description, f"{name} has no description"
    assert (SPEC.name, SPEC.phase, SPEC.fn, SPEC.settings) == (
        "contract-check",
        "commit",
        contract_check,
        ContractCheckSettings,
    )
    assert "breaking_changes" in SPEC.metrics and "diff_s" in SPEC.metrics
    assert ContractCheckSettings(levels={"graphql-field-removed": "WARN"}).levels == {
        "graphql-field-removed": Level.WARN
    }


# -- the real example --------------------------------------------------------------------------

_NOT_COPIED = {"node_modules", "coverage", "coverage-integration", "reports", ".qeflow"}


@pytest.fixture
def example(make_repo: Callable[[str], GitRepo]) -> tuple[GitRepo, str]:
    repo = make_repo("users-service")
    shutil.copytree(
        EXAMPLE, repo.root, ignore=lambda d, names: [n for n in names if n in _NOT_COPIED], dirs_exist_ok=True
    )
    (repo.root / "qeflow.toml").write_text(TOML.replace("{root}", "."), encoding="utf-8")
    return repo, repo.commit({}, "users-service")


def test_the_example_spec_is_valid_and_unchanged_passes(
    example: tuple[GitRepo, str], run: Callable[..., AgentContext]
) -> None:
    repo, base = example
    head = repo.commit({"README.md": (repo.root / "README.md").read_text() + "\nMore docs.\n"})
    result = contract_check(run(repo, base, head))
    assert not result.failed and result.findings == []
    assert result.metrics["operations_head"] == 9.0
    assert result.details["changed_operations"] == []


@pytest.mark.parametrize(
    ("defect", "expected"),
    [
        (
            "contract-response-field-removed",
            {
                ("response-property-removed", "GET /users response 200 application/json $.items[*].name"),
                ("response-property-removed", "POST /users response 201 application/json $.name"),
                ("response-property-removed", "GET /users/{id} response 200 application/json $.name"),
                ("response-property-removed", "PUT /users/{id} response 200 application/json $.name"),
                ("response-property-removed", "PATCH /users/{id} response 200 application/json $.name"),
            },
        ),
        ("contract-query-param-required", {("parameter-made-required", "GET /users parameter query:limit")}),
    ],
)
def test_the_example_defects_are_breaking_changes(
    example: tuple[GitRepo, str], run: Callable[..., AgentContext], defect: str, expected: set[tuple[str, str]]
) -> None:
    repo, base = example
    message = DEFECTS[defect](repo.root)
    head = repo.commit({}, message)
    result = contract_check(run(repo, base, head))
    assert result.failed
    errors = {(f.rule, f.location) for f in result.findings if f.severity is Severity.HIGH}
    assert errors == expected
    assert result.metrics["breaking_changes"] == float(len(expected))


@pytest.mark.slow
@pytest.mark.skipif(
    not (EXAMPLE / "node_modules").is_dir(), reason="examples/users-service/node_modules is not installed"
)
@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_the_example_defects_keep_the_unit_tests_green(example: tuple[GitRepo, str], defect: str) -> None:
    repo, _ = example
    DEFECTS[defect](repo.root)
    (repo.root / "node_modules").symlink_to(EXAMPLE / "node_modules", target_is_directory=True)
    proc = subprocess.run(["npm", "test"], cwd=repo.root, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "fail 0" in proc.stdout
