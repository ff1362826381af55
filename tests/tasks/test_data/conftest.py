"""Fixtures of the test-data tests: catalog JSON as `CATALOG_SQL` returns it, and schemas from it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tasks.test_data.pools import Pools
from tasks.test_data.schema import Schema, schema_from_catalog


def col(name: str, type_: str = "text", **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": type_, "not_null": False, "default": None, "identity": False, "generated": False,
            **extra}  # fmt: skip


def pk(name: str, *columns: str) -> dict[str, Any]:
    return {"name": name, "type": "p", "columns": list(columns)}


def unique(name: str, *columns: str) -> dict[str, Any]:
    return {"name": name, "type": "u", "columns": list(columns)}


def fk(name: str, columns: list[str], ref_table: str, ref_columns: list[str]) -> dict[str, Any]:
    return {"name": name, "type": "f", "columns": columns, "ref_table": ref_table, "ref_columns": ref_columns}


def check(name: str, definition: str) -> dict[str, Any]:
    return {"name": name, "type": "c", "columns": [], "definition": definition}


# The users table of examples/users-service as pg_catalog describes it after the migrations.
USERS = {
    "name": "users",
    "columns": [
        col("id", "bigint", not_null=True, identity=True),
        col("email", not_null=True),
        col("name", not_null=True),
        col("role", not_null=True, default="'member'::text"),
        col("created_at", "timestamp with time zone", not_null=True, default="now()"),
        col("updated_at", "timestamp with time zone", not_null=True, default="now()"),
    ],
    "constraints": [
        pk("users_pkey", "id"),
        unique("users_email_key", "email"),
        check("users_email_length", "CHECK (((char_length(email) >= 3) AND (char_length(email) <= 254)))"),
        check("users_name_length", "CHECK (((char_length(name) >= 1) AND (char_length(name) <= 100)))"),
        check("users_role_check", "CHECK ((role = ANY (ARRAY['admin'::text, 'member'::text])))"),
    ],
}

# Teams, members (a junction with a composite primary key of two foreign keys) and profiles
# (a one-to-one child: its foreign key is its primary key).
TEAMS = {
    "name": "teams",
    "columns": [
        col("id", "integer", not_null=True, default="nextval('teams_id_seq'::regclass)"),
        col("name", "character varying(40)", not_null=True),
        col("founded", "date"),
    ],
    "constraints": [
        pk("teams_pkey", "id"),
        unique("teams_name_key", "name"),
        check("teams_founded_check", "CHECK ((founded > '1990-01-01'::date))"),
    ],
}
MEMBERS = {
    "name": "members",
    "columns": [
        col("team_id", "integer", not_null=True),
        col("user_id", "bigint", not_null=True),
        col("role", not_null=True),
        col("joined_at", "timestamp with time zone", not_null=True),
        col("left_at", "timestamp with time zone"),
        col("rating", "numeric(3,1)"),
        col("feeling", "mood", enum=["sad", "ok", "happy"]),
    ],
    "constraints": [
        pk("members_pkey", "team_id", "user_id"),
        fk("members_team_id_fkey", ["team_id"], "teams", ["id"]),
        fk("members_user_id_fkey", ["user_id"], "users", ["id"]),
        check("members_role_check", "CHECK ((role = ANY (ARRAY['lead'::text, 'dev'::text, 'qa'::text])))"),
        check("members_check", "CHECK ((left_at > joined_at))"),
        check("members_rating_check", "CHECK (((rating >= (0)::numeric) AND (rating <= (5)::numeric)))"),
    ],
}
PROFILES = {
    "name": "profiles",
    "columns": [col("user_id", "bigint", not_null=True), col("bio"), col("website", "character varying(200)")],
    "constraints": [pk("profiles_pkey", "user_id"), fk("profiles_user_id_fkey", ["user_id"], "users", ["id"])],
}


@pytest.fixture
def make_schema() -> Callable[..., Schema]:
    def make(*tables: dict[str, Any]) -> Schema:
        return schema_from_catalog(list(tables or (USERS,)))

    return make


@pytest.fixture(scope="session")
def pools() -> Pools:
    return Pools(7)
