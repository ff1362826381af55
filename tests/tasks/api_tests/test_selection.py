"""Which operations api-tests selects: digests of resolved operations, the rules, git reading."""

from __future__ import annotations

import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tasks.api_tests import (
    SpecError,
    documented_responses,
    operation_digests,
    read_spec_at,
    select_operations,
    source_changes,
    spec_selection,
)
from tasks.git import resolve_context

USER = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/users": {
            "get": {
                "parameters": [{"$ref": "#/components/parameters/Limit"}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "array", "items": {"$ref": "#/components/schemas/User"}}}}}},
            },
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/User"}}}},
                "responses": {"201": {"$ref": "#/components/responses/Created"}},
            },
        },
        "/users/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "get": {"responses": {"200": {"description": "ok"}, "404": {"description": "missing"}}},
            "delete": {"responses": {"204": {"description": "gone"}}},
        },
        "/health": {"get": {"responses": {"200": {"description": "up"}}}},
    },
    "components": {
        "parameters": {"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}}},
        "schemas": {"User": USER},
        "responses": {"Created": {"description": "created", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/User"}}}}},
    },
}  # fmt: skip

ALL = ["GET /users", "POST /users", "GET /users/{id}", "DELETE /users/{id}", "GET /health"]


def _changed(head: dict[str, Any]) -> list[str]:
    base_ops, head_ops = operation_digests(SPEC), operation_digests(head)
    return select_operations(head_ops, base_ops).changed


def _edit() -> dict[str, Any]:
    return copy.deepcopy(SPEC)


def test_every_operation_gets_a_digest_labelled_like_schemathesis() -> None:
    assert list(operation_digests(SPEC)) == ALL


def test_identical_documents_change_nothing_even_when_keys_are_reordered() -> None:
    reordered = json.loads(json.dumps(SPEC, sort_keys=True))
    assert operation_digests(reordered) == operation_digests(SPEC)


def test_documentation_outside_operations_changes_nothing() -> None:
    head = _edit()
    head["info"]["description"] = "now documented"
    head["components"]["schemas"]["Unused"] = {"type": "string"}
    assert _changed(head) == []


def test_a_shared_schema_change_selects_every_operation_that_references_it() -> None:
    head = _edit()
    head["components"]["schemas"]["User"]["properties"]["name"]["maxLength"] = 10
    assert _changed(head) == ["GET /users", "POST /users"]  # the list, the body and the Created response


def test_a_referenced_parameter_change_selects_its_operation() -> None:
    head = _edit()
    head["components"]["parameters"]["Limit"]["schema"]["maximum"] = 50
    assert _changed(head) == ["GET /users"]


def test_a_path_level_parameter_change_selects_every_method_of_the_path() -> None:
    head = _edit()
    head["paths"]["/users/{id}"]["parameters"][0]["schema"]["minimum"] = 1
    assert _changed(head) == ["GET /users/{id}", "DELETE /users/{id}"]


def test_an_operation_parameter_overrides_the_path_level_one() -> None:
    head = _edit()
    override = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    head["paths"]["/users/{id}"]["delete"]["parameters"] = [override]
    assert _changed(head) == ["DELETE /users/{id}"]
    same = _edit()
    same["paths"]["/users/{id}"]["delete"]["parameters"] = [
        copy.deepcopy(SPEC["paths"]["/users/{id}"]["parameters"][0])
    ]
    assert _changed(same) == []  # restating the path-level parameter changes nothing


def test_a_summary_or_description_of_an_operation_does_not_count() -> None:
    head = _edit()
    head["paths"]["/health"]["get"]["summary"] = "Liveness"
    head["paths"]["/health"]["get"]["operationId"] = "health"
    assert _changed(head) == []


def test_added_and_removed_operations() -> None:
    head = _edit()
    head["paths"]["/users/{id}"]["put"] = {"responses": {"200": {"description": "ok"}}}
    del head["paths"]["/health"]
    selection = select_operations(operation_digests(head), operation_digests(SPEC))
    assert selection.rule == "spec-diff"
    assert selection.added == ["PUT /users/{id}"]
    assert selection.removed == ["GET /health"]
    assert selection.operations == ["PUT /users/{id}"]


RECURSIVE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/nodes": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Node"}}}}}}},
        "/leaves": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Leaf"}}}}}}},
        "/tags": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Tag"}}}}}}},
    },
    "components": {"schemas": {
        "Node": {"type": "object", "properties": {"children": {"type": "array", "items": {
            "$ref": "#/components/schemas/Node"}}, "leaf": {"$ref": "#/components/schemas/Leaf"}}},
        "Leaf": {"type": "object", "properties": {"parent": {"$ref": "#/components/schemas/Node"},
                                                   "tag": {"$ref": "#/components/schemas/Tag"}}},
        "Tag": {"type": "string"},
    }},
}  # fmt: skip


def test_recursive_schemas_terminate_and_changes_inside_a_cycle_are_seen_from_every_entry() -> None:
    base = operation_digests(RECURSIVE)
    head_doc = copy.deepcopy(RECURSIVE)
    head_doc["components"]["schemas"]["Node"]["properties"]["name"] = {"type": "string"}
    head = operation_digests(head_doc)
    # Node and Leaf reference each other: either entry resolves to a tree containing the new field.
    assert select_operations(head, base).changed == ["GET /nodes", "GET /leaves"]
    tag_doc = copy.deepcopy(RECURSIVE)
    tag_doc["components"]["schemas"]["Tag"]["maxLength"] = 3
    assert select_operations(operation_digests(tag_doc), base).changed == ["GET /nodes", "GET /leaves", "GET /tags"]


def test_refs_into_other_files_are_followed_through_the_loader() -> None:
    files = {"schemas/user.yaml": {"User": USER}}
    spec = {
        "openapi": "3.0.3",
        "paths": {"/u": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {
            "schema": {"$ref": "schemas/user.yaml#/User"}}}}}}}},
    }  # fmt: skip
    before = operation_digests(spec, files.get)
    files["schemas/user.yaml"] = {"User": {**USER, "required": ["id"]}}
    assert operation_digests(spec, files.get) != before
    with pytest.raises(SpecError, match=r"'missing\.yaml', which does not exist"):
        operation_digests({"paths": {"/x": {"get": {"responses": {"$ref": "missing.yaml#/R"}}}}})


def test_an_unresolvable_local_ref_names_itself() -> None:
    broken = {"paths": {"/x": {"get": {"responses": {"200": {"$ref": "#/components/responses/Nope"}}}}}}
    with pytest.raises(SpecError, match="no 'components' in #/components/responses/Nope"):
        operation_digests(broken)


def test_rule_all_and_rule_no_base_spec_select_everything() -> None:
    head = operation_digests(SPEC)
    everything = select_operations(head, head, mode="all")
    assert (everything.rule, everything.operations) == ("all", ALL)
    new_service = select_operations(head, None)
    assert (new_service.rule, new_service.operations) == ("no-base-spec", ALL)


def test_a_code_change_selects_everything_and_says_which_files() -> None:
    head = operation_digests(SPEC)
    selection = select_operations(head, head, source_files=["src/app.js"])
    assert selection.rule == "source-changed"
    assert selection.operations == ALL
    assert selection.source_files == ["src/app.js"]
    assert "src/app.js" in selection.reason


def test_nothing_changed_selects_nothing_and_says_so() -> None:
    head = operation_digests(SPEC)
    selection = select_operations(head, head)
    assert (selection.rule, selection.operations) == ("spec-diff", [])
    assert selection.reason == "spec diff: no operation added or changed, and no service code changed"


def test_source_changes_leave_out_the_spec_tests_and_docs() -> None:
    changed = [
        "openapi.yaml",
        "README.md",
        "docs/guide.html",
        "test/unit/app.test.js",
        "src/app.test.js",
        "tests/test_api.py",
        "src/app.js",
        "package.json",
        "migrations/003.sql",
    ]
    assert source_changes(changed, "openapi.yaml") == ["migrations/003.sql", "package.json", "src/app.js"]
    assert source_changes(["src/app.js"], "openapi.yaml", ignored=["src/*"]) == []


def test_documented_responses_follow_response_refs() -> None:
    assert documented_responses(SPEC, "POST /users") == {"201": ["application/json"]}
    assert documented_responses(SPEC, "GET /users/{id}") == {"200": [], "404": []}
    with pytest.raises(SpecError, match="no operation 'PUT /users'"):
        documented_responses(SPEC, "PUT /users")


# -- reading revisions from git -------------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def _commit(repo: Path, files: dict[str, Any], message: str) -> str:
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False), encoding="utf-8"
        )
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q", "-b", "main")
    _commit(tmp_path, {"svc/README.md": "svc\n", "other/x.js": "1\n"}, "start")
    return tmp_path


def test_no_spec_at_base_selects_everything(monorepo: Path) -> None:
    _commit(monorepo, {"svc/api/openapi.yaml": SPEC}, "add the spec")
    selection, head = spec_selection(resolve_context(monorepo / "svc"), "api/openapi.yaml", "changed", [])
    assert selection.rule == "no-base-spec"
    assert selection.operations == ALL
    assert head.repo_path == "svc/api/openapi.yaml" and head.name == "openapi.yaml"


def test_spec_diff_reads_both_revisions_from_git_with_their_own_ref_files(monorepo: Path) -> None:
    spec = copy.deepcopy(SPEC)
    spec["components"]["schemas"]["User"] = {"$ref": "../shared/user.yaml"}
    _commit(monorepo, {"svc/api/openapi.yaml": spec, "svc/shared/user.yaml": USER}, "spec")
    _commit(monorepo, {"svc/shared/user.yaml": {**USER, "required": ["id"]}}, "tighten the user schema")
    ctx = resolve_context(monorepo / "svc")
    selection, _ = spec_selection(ctx, "api/openapi.yaml", "changed", ["*.yaml"])
    assert selection.rule == "spec-diff"
    assert selection.changed == ["GET /users", "POST /users"]
    # The working copy is not read: only the two revisions.
    (monorepo / "svc" / "shared" / "user.yaml").write_text("garbage: [", encoding="utf-8")
    assert spec_selection(ctx, "api/openapi.yaml", "changed", ["*.yaml"])[0].changed == selection.changed


def test_a_code_change_next_to_an_unchanged_spec_selects_everything(monorepo: Path) -> None:
    _commit(monorepo, {"svc/openapi.yaml": SPEC}, "spec")
    _commit(monorepo, {"svc/src/app.js": "x\n", "svc/README.md": "more\n", "other/x.js": "2\n"}, "code")
    selection, _ = spec_selection(resolve_context(monorepo / "svc"), "openapi.yaml", "changed", ["*.md"])
    assert selection.rule == "source-changed"
    assert selection.source_files == ["src/app.js"]  # README ignored; other/ is another service


def test_no_spec_at_head_is_an_error_with_a_hint(monorepo: Path) -> None:
    with pytest.raises(SpecError, match=r"no OpenAPI document 'openapi.yaml'.*\[agents.api-tests\] spec"):
        spec_selection(resolve_context(monorepo / "svc"), "openapi.yaml", "changed", [])


def test_read_spec_at_returns_none_for_a_missing_file_and_rejects_bad_yaml(monorepo: Path) -> None:
    head = _git(monorepo, "rev-parse", "HEAD")
    assert read_spec_at(monorepo, head, "svc/openapi.yaml") is None
    sha = _commit(monorepo, {"svc/openapi.yaml": "paths: [unclosed"}, "broken")
    with pytest.raises(SpecError, match=r"svc/openapi\.yaml: not valid YAML"):
        read_spec_at(monorepo, sha, "svc/openapi.yaml")
