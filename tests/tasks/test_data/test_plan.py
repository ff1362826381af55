"""Row counts, the main table, and the load order (parents first; cycles broken at nullable FKs)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tasks.test_data.plan import PlanError, detect_main_table, make_plan, topological_order
from tasks.test_data.schema import Schema
from tests.tasks.test_data.conftest import MEMBERS, PROFILES, TEAMS, USERS, col, fk, pk

ORDERS = {
    "name": "orders",
    "columns": [col("id", "integer", not_null=True), col("user_id", "bigint", not_null=True)],
    "constraints": [pk("orders_pkey", "id"), fk("orders_user_id_fkey", ["user_id"], "users", ["id"])],
}
ITEMS = {
    "name": "items",
    "columns": [col("order_id", "integer", not_null=True), col("sku")],
    "constraints": [fk("items_order_id_fkey", ["order_id"], "orders", ["id"])],
}


def _cycle(nullable: bool) -> list[dict[str, object]]:
    a = {
        "name": "a",
        "columns": [col("id", "integer", not_null=True), col("b_id", "integer", not_null=not nullable)],
        "constraints": [pk("a_pkey", "id"), fk("a_b_fkey", ["b_id"], "b", ["id"])],
    }
    b = {
        "name": "b",
        "columns": [col("id", "integer", not_null=True), col("a_id", "integer", not_null=True)],
        "constraints": [pk("b_pkey", "id"), fk("b_a_fkey", ["a_id"], "a", ["id"])],
    }
    return [a, b]


def test_parents_come_before_children(make_schema: Callable[..., Schema]) -> None:
    schema = make_schema(ITEMS, ORDERS, USERS, MEMBERS, TEAMS, PROFILES)
    order, deferred = topological_order(schema.tables, schema.tables)
    assert deferred == {}
    for child, parent in [("items", "orders"), ("orders", "users"), ("members", "teams"), ("members", "users"),
                          ("profiles", "users")]:  # fmt: skip
        assert order.index(parent) < order.index(child)


def test_order_is_stable_whatever_the_input_order(make_schema: Callable[..., Schema]) -> None:
    one = make_schema(ITEMS, ORDERS, USERS, TEAMS)
    two = make_schema(TEAMS, USERS, ORDERS, ITEMS)
    assert (
        topological_order(one.tables, ["items", "orders", "users", "teams"])[0]
        == topological_order(two.tables, ["teams", "users", "orders", "items"])[0]
    )


def test_a_cycle_is_broken_at_a_nullable_foreign_key(make_schema: Callable[..., Schema]) -> None:
    schema = make_schema(*_cycle(nullable=True))
    order, deferred = topological_order(schema.tables, schema.tables)
    assert order == ["a", "b"]
    assert deferred == {"a": ["a_b_fkey"]}


def test_a_cycle_without_a_nullable_column_is_refused(make_schema: Callable[..., Schema]) -> None:
    schema = make_schema(*_cycle(nullable=False))
    with pytest.raises(PlanError, match=r"cycle without a nullable column.*a, b"):
        topological_order(schema.tables, schema.tables)


def test_the_main_table_is_named_after_the_service(make_schema: Callable[..., Schema]) -> None:
    schema = make_schema(USERS, ORDERS, TEAMS)
    assert detect_main_table(schema, schema.tables, "users-service") == "users"
    assert detect_main_table(schema, schema.tables, "user-api") == "users"
    assert detect_main_table(schema, ["orders", "teams", "users"], "billing") == "users"  # most referenced


def test_row_counts_default_and_per_table(make_schema: Callable[..., Schema]) -> None:
    schema = make_schema(USERS, ORDERS, ITEMS, TEAMS)
    plan = make_plan(schema, rows={"items": 50, "teams": 0}, main_rows=10_000, default_rows=100,
                     service="users-service")  # fmt: skip
    assert plan.main_table == "users"
    assert plan.rows == {"users": 10_000, "orders": 100, "items": 50}
    assert plan.skipped == {"teams": "rows = 0"}
    assert plan.order == ("users", "orders", "items")


def test_excluded_and_kept_tables_get_no_rows(make_schema: Callable[..., Schema]) -> None:
    schema = make_schema(USERS, ORDERS, TEAMS)
    plan = make_plan(schema, rows={}, main_rows=10, default_rows=5, exclude=["teams", "nope"], keep=["users"])
    assert plan.order == ("orders",)
    assert plan.skipped == {"teams": "excluded", "users": "kept as it is (keep)"}


def test_settings_naming_unknown_tables_are_refused(make_schema: Callable[..., Schema]) -> None:
    with pytest.raises(PlanError, match=r"does not have: usres; tables: users"):
        make_plan(make_schema(USERS), rows={"usres": 5}, main_rows=10, default_rows=5)
