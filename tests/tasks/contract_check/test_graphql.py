"""GraphQL schemas: breaking changes are ERR, dangerous ones WARN, new root fields INFO."""

from __future__ import annotations

import pytest
from graphql import build_schema

from tasks.contract_check import GRAPHQL_CHECKS, ContractError, Level, diff_graphql, graphql_operations, load_sdl

BASE = """
type Query { users(limit: Int): [User!]!  user(id: ID!): User }
type Mutation { createUser(input: NewUser!): User }
type User { id: ID! name: String role: Role }
enum Role { ADMIN MEMBER }
input NewUser { name: String }
"""
HEAD = """
type Query { users(limit: Int!): [User!]!  team(id: ID!): Team }
type Mutation { createUser(input: NewUser!): User }
type User { id: ID! role: Role email: String }
type Team { id: ID! }
enum Role { ADMIN MEMBER GUEST }
input NewUser { name: String, nickname: String }
"""


def test_breaking_and_dangerous_changes_map_to_err_and_warn() -> None:
    result = diff_graphql(build_schema(BASE), build_schema(HEAD))
    found = sorted((c.level.value, c.check, c.location, c.operation or "") for c in result.changes)
    assert found == [
        ("ERR", "graphql-arg-changed-kind", "Query.users(limit:)", ""),
        ("ERR", "graphql-field-removed", "Query.user", "Query.user"),
        ("ERR", "graphql-field-removed", "User.name", ""),
        ("INFO", "graphql-operation-added", "Query.team", "Query.team"),
        ("WARN", "graphql-optional-input-field-added", "NewUser.nickname", ""),
        ("WARN", "graphql-value-added-to-enum", "Role.GUEST", ""),
    ]
    messages = {c.message for c in result.changes}
    assert "[ERR] Query.user: Field Query.user was removed." in messages
    assert (result.added, result.removed) == (["Query.team"], ["Query.user"])
    # users changed (its argument, and the User type it returns); createUser returns User too.
    assert result.changed == ["Mutation.createUser", "Query.users"]
    assert result.operations_base == ["Mutation.createUser", "Query.user", "Query.users"]


def test_level_overrides_apply_to_graphql_checks() -> None:
    result = diff_graphql(build_schema(BASE), build_schema(HEAD), {"graphql-value-added-to-enum": Level.ERR})
    assert {c.level for c in result.changes if c.check == "graphql-value-added-to-enum"} == {Level.ERR}


def test_identical_schemas_have_no_change() -> None:
    result = diff_graphql(build_schema(BASE), build_schema(BASE))
    assert (result.changes, result.changed, result.added, result.removed) == ([], [], [], [])
    assert graphql_operations(build_schema(BASE)) == ["Mutation.createUser", "Query.user", "Query.users"]


def test_every_graphql_change_type_has_a_check_id() -> None:
    assert GRAPHQL_CHECKS["graphql-field-removed"] is Level.ERR
    assert GRAPHQL_CHECKS["graphql-value-added-to-enum"] is Level.WARN
    assert all(k.startswith("graphql-") for k in GRAPHQL_CHECKS)


@pytest.mark.parametrize(
    ("sdl", "message"),
    [
        (
            "type Query { x: String ",
            "schema.graphql: invalid GraphQL schema: Syntax Error: Expected Name, found <EOF>. at line 1, column 24",
        ),
        ("type Query { x: Strin }", "schema.graphql: invalid GraphQL schema: Unknown type 'Strin'"),
    ],
)
def test_an_invalid_schema_names_the_file_and_place(sdl: str, message: str) -> None:
    with pytest.raises(ContractError) as raised:
        load_sdl(lambda path: sdl, "schema.graphql")
    assert str(raised.value).startswith(message)


def test_a_missing_schema_file_is_none() -> None:
    assert load_sdl(lambda path: None, "schema.graphql") is None
