"""The diff engine: $ref identity and recursion, JSON paths, 3.1 nullability, unions, levels."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tasks.contract_check import CATALOGUE, Change, Document, Level, changed_operations, diff_documents
from tests.tasks.contract_check.specs import document, obj, param, params, request, response, string


def doc(root: dict[str, Any]) -> Document:
    return Document("openapi.yaml", root, {"openapi.yaml": root})


def diff(base: dict[str, Any], head: dict[str, Any], **kw: Any) -> list[Change]:
    return diff_documents(doc(base), doc(head), **kw).changes


def checks(changes: list[Change]) -> list[tuple[str, str]]:
    return sorted((c.check, c.location) for c in changes)


NODE = "#/components/schemas/Node"


def tree(extra: dict[str, Any] | None = None, *, version: str = "3.0.3") -> dict[str, Any]:
    """A recursive schema: Node has children: [Node] and parent: Node."""
    props = {
        "id": {"type": "integer"},
        "children": {"type": "array", "items": {"$ref": NODE}},
        "parent": {"$ref": NODE},
    }
    props.update(extra or {})
    return response({"$ref": NODE}, version=version, components={"Node": obj(props, ["id"])})


def test_recursive_schemas_terminate_and_report_each_change_once_with_the_shortest_path() -> None:
    started = time.monotonic()
    changes = diff(tree(), tree({"id": {"type": "string"}}))
    assert time.monotonic() - started < 1
    assert [(c.check, c.path, c.text) for c in changes] == [
        ("response-type-changed", "$.id", "type integer -> string (schema Node)")
    ]
    assert changes[0].location == "GET /things response 200 application/json $.id"


def test_a_change_deep_in_a_recursive_schema_is_found() -> None:
    base, head = (
        tree({"tags": {"type": "array", "items": string(enum=["a"])}}),
        tree({"tags": {"type": "array", "items": string(enum=["a", "b"])}}),
    )
    (change,) = diff(base, head)
    assert (change.check, change.path) == ("response-enum-value-added", "$.tags[*]")


def test_mutually_recursive_schemas_terminate() -> None:
    def spec(extra: dict[str, Any]) -> dict[str, Any]:
        return response(
            {"$ref": "#/components/schemas/A"},
            components={
                "A": obj({"b": {"$ref": "#/components/schemas/B"}, **extra}),
                "B": obj({"a": {"$ref": "#/components/schemas/A"}}),
            },
        )

    (change,) = diff(spec({}), spec({"x": string()}))
    assert (change.check, change.path) == ("response-property-added", "$.x")


def test_a_shared_component_change_is_reported_for_every_operation_using_it() -> None:
    user = obj({"id": {"type": "integer"}, "name": string()}, ["id", "name"])

    def spec(schema: dict[str, Any]) -> dict[str, Any]:
        ref = {"$ref": "#/components/schemas/User"}
        ok = {"description": "ok", "content": {"application/json": {"schema": ref}}}
        listing = {"type": "object", "properties": {"items": {"type": "array", "items": ref}}}
        return document(
            {
                "/users": {
                    "get": {
                        "responses": {
                            "200": {"description": "ok", "content": {"application/json": {"schema": listing}}}
                        }
                    }
                },
                "/users/{id}": {
                    "parameters": [param("id", "path", required=True)],
                    "get": {"responses": {"200": ok}},
                    "delete": {"responses": {"204": {"description": "gone"}}},
                },
            },
            components={"schemas": {"User": schema}},
        )

    removed = obj({"id": {"type": "integer"}}, ["id"])
    changes = diff(spec(user), spec(removed))
    assert checks(changes) == [
        ("response-property-removed", "GET /users response 200 application/json $.items[*].name"),
        ("response-property-removed", "GET /users/{id} response 200 application/json $.name"),
    ]
    assert changes[0].text == "property 'name' removed (schema User)"
    added, changed, gone = changed_operations(spec(user), spec(removed))
    assert (added, changed, gone) == ([], ["GET /users", "GET /users/{id}"], [])


def test_changed_operations_without_a_base_lists_every_operation_as_added() -> None:
    head = document({"/a": {"get": {"responses": {}}, "post": {"responses": {}}}, "/b/{x}": {"put": {"responses": {}}}})
    assert changed_operations(None, head) == (["GET /a", "POST /a", "PUT /b/{x}"], [], [])
    assert changed_operations(head, head) == ([], [], [])


def test_paths_match_whatever_their_variable_names() -> None:
    base = params(param("id", "path", required=True), path="/things/{id}")
    head = params(param("thing", "path", required=True), param("q"), path="/things/{thing}")
    assert checks(diff(base, head)) == [
        ("optional-parameter-added", "GET /things/{thing} parameter query:q"),
        ("path-parameter-renamed", "GET /things/{thing}"),
    ]


@pytest.mark.parametrize(
    ("base", "head"),
    [
        (string(), {"type": ["string", "null"]}),
        (string(), {"anyOf": [string(), {"type": "null"}]}),
        ({"type": ["string"]}, {"type": ["null", "string"]}),
    ],
    ids=["type-array", "anyOf-null", "type-array-order"],
)
def test_openapi_31_nullability_is_a_null_type_not_a_type_change(base: dict[str, Any], head: dict[str, Any]) -> None:
    changes = diff(response(base, version="3.1.0"), response(head, version="3.1.0"))
    assert [c.check for c in changes] == ["response-property-made-nullable"]
    request_changes = diff(request(head, version="3.1.0"), request(base, version="3.1.0"))
    assert [c.check for c in request_changes] == ["request-property-made-non-nullable"]


def test_openapi_30_nullable_and_31_type_arrays_compare_alike() -> None:
    changes = diff(response(string(nullable=True)), response({"type": ["string", "null"]}, version="3.1.0"))
    assert [c.check for c in changes] == ["openapi-version-changed"]


def test_31_exclusive_bounds_are_numbers_and_30_exclusive_bounds_are_flags() -> None:
    base = request({"type": "integer", "maximum": 10})
    head30 = request({"type": "integer", "maximum": 10, "exclusiveMaximum": True})
    head31 = request({"type": "integer", "exclusiveMaximum": 10}, version="3.1.0")
    for head in (head30, head31):
        found = [c for c in diff(base, head) if c.check == "request-maximum-decreased"]
        assert [c.text for c in found] == ["maximum 10 -> 10 (exclusive)"]


def test_a_plain_field_turned_into_a_union_containing_it_only_reports_the_new_variant() -> None:
    base = response(obj({"location": string(maxLength=5000, nullable=True, description="id")}))
    head = response(
        obj(
            {
                "location": {
                    "anyOf": [string(maxLength=5000), {"$ref": "#/components/schemas/Location"}],
                    "nullable": True,
                    "description": "id or object",
                }
            }
        ),
        components={"Location": obj({"id": string()})},
    )
    assert [(c.check, c.path, c.text) for c in diff(base, head)] == [
        ("response-variant-added", "$.location", "anyOf variant Location added")
    ]


def test_a_ref_wrapped_in_a_nullable_allof_is_only_a_nullability_change() -> None:
    components = {"Address": obj({"city": string()})}
    base = response(obj({"address": {"$ref": "#/components/schemas/Address"}}), components=components)
    head = response(
        obj({"address": {"allOf": [{"$ref": "#/components/schemas/Address"}], "nullable": True}}), components=components
    )
    assert [(c.check, c.path) for c in diff(base, head)] == [("response-property-made-nullable", "$.address")]


def test_replacing_maxlength_by_a_short_enum_is_not_a_loosening() -> None:
    changes = diff(response(string(maxLength=5000)), response(string(enum=["failed", "pending", "succeeded"])))
    assert [c.check for c in changes] == ["response-constraint-tightened"]


def test_type_change_does_not_also_report_every_keyword_of_the_new_type() -> None:
    changes = diff(request(string(maxLength=5, format="email")), request({"type": "integer", "maximum": 3}))
    assert [c.check for c in changes] == ["request-type-changed"]


def test_readonly_properties_are_not_required_in_requests_and_writeonly_not_in_responses() -> None:
    base = obj({"id": {"type": "integer", "readOnly": True}, "pw": string(writeOnly=True)})
    head = obj({"id": {"type": "integer", "readOnly": True}, "pw": string(writeOnly=True)}, ["id", "pw"])
    assert [c.check for c in diff(request(base), request(head))] == ["request-property-made-required"]  # pw only
    assert [c.text for c in diff(request(base), request(head))] == ["property 'pw' made required"]
    assert [c.text for c in diff(response(base), response(head))] == ["property 'id' made required"]


def test_a_schema_used_in_both_directions_is_judged_per_direction() -> None:
    role = "#/components/schemas/Role"

    def spec(values: list[str]) -> dict[str, Any]:
        ref = {"$ref": role}
        return document(
            {
                "/things": {
                    "post": {
                        "requestBody": {"content": {"application/json": {"schema": ref}}},
                        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": ref}}}},
                    }
                }
            },
            components={"schemas": {"Role": string(enum=values)}},
        )

    assert checks(diff(spec(["a"]), spec(["a", "b"]))) == [
        ("request-enum-value-added", "POST /things request application/json $"),
        ("response-enum-value-added", "POST /things response 200 application/json $"),
    ]


def test_level_overrides_apply_to_the_changes() -> None:
    catalogue = CATALOGUE.with_levels({"response-property-added": Level.ERR})
    (change,) = diff(response(obj({})), response(obj({"a": string()})), catalogue=catalogue)
    assert change.level is Level.ERR
    assert change.message.startswith("[ERR] ")
    with pytest.raises(ValueError, match="unknown contract check id"):
        CATALOGUE.with_levels({"nope": Level.ERR})


def test_security_requirement_needing_one_more_scheme_is_a_requirement_added() -> None:
    def spec(*alts: dict[str, list[str]]) -> dict[str, Any]:
        return document({"/things": {"get": {"security": list(alts), "responses": {}}}})

    changes = diff(spec({"key": []}), spec({"key": [], "oauth": []}))
    assert [(c.check, c.text) for c in changes] == [
        ("security-requirement-added", "requirement {key} now also needs oauth")
    ]


def test_document_security_applies_to_operations_without_their_own() -> None:
    base = document()
    head = document(security=[{"key": []}])
    assert [c.check for c in diff(base, head)] == ["security-requirement-added"]
