"""Reading documents from git: YAML/JSON, local and cross-file $refs, cycles, validation errors."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tasks.contract_check import ContractError, diff_documents, git_reader, load_document, validate_document
from tests.tasks.contract_check.conftest import GitRepo

MAIN = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /users/{id}:
    get:
      parameters:
        - $ref: 'parameters.yaml#/UserId'
      responses:
        200:
          description: ok
          content:
            application/json:
              schema:
                $ref: 'schemas/user.yaml#/User'
components:
  schemas:
    Role: {type: string, enum: [admin, member]}
"""
PARAMETERS = """\
UserId: {name: id, in: path, required: true, schema: {type: integer}}
"""
USER = """\
User:
  type: object
  required: [id]
  properties:
    id: {type: integer}
    role: {$ref: '../openapi.yaml#/components/schemas/Role'}
    manager: {$ref: '#/User'}
    team: {$ref: 'team.yaml'}
"""
TEAM = """\
type: object
properties:
  name: {type: string}
  lead: {$ref: 'user.yaml#/User'}
"""

Repo = Callable[[str], GitRepo]


def files(**over: str) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "openapi.yaml": MAIN,
        "parameters.yaml": PARAMETERS,
        "schemas/user.yaml": USER,
        "schemas/team.yaml": TEAM,
    }
    base.update(over)
    return base


def test_cross_file_refs_resolve_relative_to_the_referencing_file(make_repo: Repo) -> None:
    repo = make_repo("r")
    sha = repo.commit(files())
    doc = load_document(git_reader(repo.root, sha), "openapi.yaml")
    assert doc is not None
    assert sorted(doc.files) == ["openapi.yaml", "parameters.yaml", "schemas/team.yaml", "schemas/user.yaml"]
    user, label = doc.resolve(
        doc.root["paths"]["/users/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    )
    assert label == "schemas/user.yaml#/User"
    assert doc.resolve(user["properties"]["role"]) == (
        doc.root["components"]["schemas"]["Role"],
        "#/components/schemas/Role",
    )
    assert doc.resolve(user["properties"]["manager"])[0] is user  # a cycle, by identity
    team, team_label = doc.resolve(user["properties"]["team"])
    assert team_label == "schemas/team.yaml#"
    assert doc.resolve(team["properties"]["lead"])[0] is user
    validate_document(doc)  # the validator reads the same files, written out from the revision


def test_a_change_in_another_file_at_head_is_diffed_from_each_revision(make_repo: Repo) -> None:
    repo = make_repo("r")
    base_sha = repo.commit(files())
    head_sha = repo.commit({"schemas/team.yaml": TEAM.replace("  name: {type: string}\n", "")})
    base = load_document(git_reader(repo.root, base_sha), "openapi.yaml")
    head = load_document(git_reader(repo.root, head_sha), "openapi.yaml")
    assert base is not None and head is not None
    changes = diff_documents(base, head).changes
    assert [(c.check, c.path, c.text) for c in changes] == [
        ("response-property-removed", "$.team.name", "property 'name' removed (schema schemas/team.yaml)")
    ]
    assert changes[0].location == "GET /users/{id} response 200 application/json $.team.name"


def test_a_missing_document_is_none_and_json_is_read_too(make_repo: Repo) -> None:
    repo = make_repo("r")
    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    sha = repo.commit({"api/openapi.json": json.dumps(spec)})
    assert load_document(git_reader(repo.root, sha), "openapi.yaml") is None
    doc = load_document(git_reader(repo.root, sha), "api/openapi.json")
    assert doc is not None and doc.version == "3.1"
    validate_document(doc)


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        ({"openapi.yaml": "openapi: 3.0.3\npaths: [\n"}, "openapi.yaml: not valid YAML"),
        ({"openapi.yaml": '{"openapi": "3.0.3", }'}, "openapi.yaml: not valid JSON"),
        ({"openapi.yaml": "swagger: '2.0'\n"}, "Swagger 2.0 is not supported"),
        ({"openapi.yaml": "just: text\n"}, "not an OpenAPI 3.x document"),
        (
            {"schemas/team.yaml": None},
            "schemas/user.yaml: $ref at /User/properties/team: file schemas/team.yaml does not exist",
        ),
        (
            {"parameters.yaml": "UserID: {name: id, in: path, required: true}\n"},
            "openapi.yaml: $ref at /paths/~1users~1{id}/get/parameters/0: "
            "parameters.yaml: $ref 'parameters.yaml#/UserId' points to nothing",
        ),
        ({"openapi.yaml": MAIN.replace("parameters.yaml#", "../../etc/x.yaml#")}, "points outside the repository"),
        (
            {"openapi.yaml": MAIN.replace("parameters.yaml#", "https://example.com/p.yaml#")},
            "remote references are not supported",
        ),
    ],
    ids=["yaml", "json", "swagger2", "not-openapi", "missing-file", "dangling-ref", "outside", "remote"],
)
def test_unreadable_documents_are_errors_naming_the_file_and_place(
    make_repo: Repo, changed: dict[str, str | None], message: str
) -> None:
    repo = make_repo("r")
    repo.commit(files())
    sha = repo.commit(changed)
    with pytest.raises(ContractError) as raised:
        load_document(git_reader(repo.root, sha), "openapi.yaml")
    assert message in str(raised.value)


def test_a_ref_loop_without_a_schema_is_an_error(make_repo: Repo) -> None:
    repo = make_repo("r")
    spec = MAIN + "    A: {$ref: '#/components/schemas/B'}\n    B: {$ref: '#/components/schemas/A'}\n"
    sha = repo.commit(files(**{"openapi.yaml": spec}))
    doc = load_document(git_reader(repo.root, sha), "openapi.yaml")
    assert doc is not None
    with pytest.raises(
        ContractError,
        match=r"\$ref loop without a schema: (#/components/schemas/[AB] -> ){2}#/components/schemas/A",
    ):
        doc.resolve({"$ref": "#/components/schemas/A"})


INVALID_TYPE = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: strin}
"""
MISSING_INFO = "openapi: 3.1.0\npaths: {}\n"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        (INVALID_TYPE, "openapi.yaml: invalid OpenAPI 3.0.3 document at /paths/~1a/get/responses/200"),
        (MISSING_INFO, 'openapi.yaml: invalid OpenAPI 3.1.0 document at (document): "info" is a required property'),
    ],
)
def test_an_invalid_document_names_the_file_and_the_place(make_repo: Repo, text: str, place: str) -> None:
    repo = make_repo("r")
    sha = repo.commit({"openapi.yaml": text})
    doc = load_document(git_reader(repo.root, sha), "openapi.yaml")
    assert doc is not None
    with pytest.raises(ContractError) as raised:
        validate_document(doc)
    assert str(raised.value).startswith(place)


def test_yaml_dates_stay_strings_as_in_json(make_repo: Repo) -> None:
    repo = make_repo("r")
    spec = MAIN.replace("Role: {type: string, enum: [admin, member]}", "Day: {type: string, default: 2024-01-01}")
    sha = repo.commit(
        {
            "openapi.yaml": spec,
            "parameters.yaml": PARAMETERS,
            "schemas/user.yaml": USER.replace("    role: {$ref: '../openapi.yaml#/components/schemas/Role'}\n", ""),
            "schemas/team.yaml": TEAM,
        }
    )
    doc = load_document(git_reader(repo.root, sha), "openapi.yaml")
    assert doc is not None
    assert doc.root["components"]["schemas"]["Day"]["default"] == "2024-01-01"
