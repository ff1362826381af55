"""Rows satisfy types and constraints, foreign keys point at parent keys, and a seed fixes them."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from tasks.test_data.dataset import DatasetResult, TableResult
from tasks.test_data.fixtures import write_table_fixtures
from tasks.test_data.generate import TableGenerator
from tasks.test_data.plan import PlanError
from tasks.test_data.pools import Pools
from tasks.test_data.schema import Schema
from tests.tasks.test_data.conftest import MEMBERS, PROFILES, TEAMS, USERS, check, col, pk, unique

EMAIL = re.compile(r"^[a-z0-9.]+@[a-z0-9.-]+\.[a-z]+$")
USER_KEYS = {"users": {("id",): [(i,) for i in range(1, 201)]}}
TEAM_KEYS = {"teams": {("id",): [(i,) for i in range(1, 11)]}}


def test_users_rows_satisfy_the_example_constraints(make_schema: Callable[..., Schema], pools: Pools) -> None:
    data = TableGenerator(make_schema().tables["users"], seed=1, pools=pools).generate(5_000)
    assert data.columns == ["email", "name", "role", "created_at", "updated_at"]  # identity id is the DB's
    emails = data.values["email"]
    assert len(set(emails)) == 5_000
    assert all(EMAIL.match(e) and 3 <= len(e) <= 254 for e in emails)
    assert all(1 <= len(n) <= 100 for n in data.values["name"])
    assert set(data.values["role"]) == {"admin", "member"}
    assert all(u >= c for c, u in zip(data.values["created_at"], data.values["updated_at"], strict=True))
    assert all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", t) for t in data.values["created_at"])


def test_a_row_is_one_person(make_schema: Callable[..., Schema], pools: Pools) -> None:
    data = TableGenerator(make_schema().tables["users"], seed=1, pools=pools).generate(50)
    for name, email in zip(data.values["name"], data.values["email"], strict=True):
        first = re.sub(r"[^a-z0-9]", "", name.split()[0].lower())
        assert email.startswith(first + ".")


def test_same_seed_same_rows_other_seed_other_rows(make_schema: Callable[..., Schema]) -> None:
    table = make_schema().tables["users"]
    one = TableGenerator(table, seed=42, pools=Pools(42)).generate(1_000)
    two = TableGenerator(table, seed=42, pools=Pools(42)).generate(1_000)
    three = TableGenerator(table, seed=43, pools=Pools(43)).generate(1_000)
    assert one.values == two.values
    assert one.values["email"] != three.values["email"]


def test_foreign_keys_draw_parent_keys_and_composite_keys_stay_unique(
    make_schema: Callable[..., Schema], pools: Pools
) -> None:
    table = make_schema(USERS, TEAMS, MEMBERS).tables["members"]
    data = TableGenerator(table, seed=3, pools=pools, keys={**USER_KEYS, **TEAM_KEYS}).generate(1_500)
    assert data.rows == 1_500
    pairs = data.keys(["team_id", "user_id"])
    assert len(set(pairs)) == 1_500
    assert {t for t, _ in pairs} <= set(range(1, 11))
    assert {u for _, u in pairs} <= set(range(1, 201))
    assert set(data.values["role"]) <= {"lead", "dev", "qa"}
    for joined, left in zip(data.values["joined_at"], data.values["left_at"], strict=True):
        assert left is None or left > joined
    assert all(r is None or Decimal("0") <= Decimal(r) <= Decimal("5") for r in data.values["rating"])
    assert all(r is None or re.match(r"^-?\d{1,2}\.\d$", r) for r in data.values["rating"])
    assert set(data.values["feeling"]) <= {"sad", "ok", "happy", None}


def test_a_unique_combination_caps_rows_at_what_the_parents_admit(
    make_schema: Callable[..., Schema], pools: Pools
) -> None:
    gen = TableGenerator(
        make_schema(USERS, TEAMS, MEMBERS).tables["members"], seed=3, pools=pools,
        keys={"users": {("id",): [(1,), (2,)]}, **TEAM_KEYS},
    )  # fmt: skip
    data = gen.generate(100)
    assert data.rows == 20
    assert any("admits 20" in note for note in data.notes)


def test_a_one_to_one_child_uses_each_parent_once(make_schema: Callable[..., Schema], pools: Pools) -> None:
    gen = TableGenerator(make_schema(USERS, PROFILES).tables["profiles"], seed=5, pools=pools, keys=USER_KEYS)
    data = gen.generate(500)
    assert data.rows == 200  # 200 users, one profile each at most
    assert len(set(data.values["user_id"])) == 200
    assert all(w is None or len(w) <= 200 for w in data.values["website"])


def test_a_required_reference_without_parent_rows_is_a_plan_error(
    make_schema: Callable[..., Schema], pools: Pools
) -> None:
    gen = TableGenerator(make_schema(USERS, PROFILES).tables["profiles"], seed=5, pools=pools, keys={})
    with pytest.raises(PlanError, match="references users, which has no rows"):
        gen.generate(10)


SHAPES = {
    "name": "shapes",
    "columns": [
        col("id", "integer", not_null=True),
        col("code", "character varying(3)", not_null=True),
        col("label", "character varying(12)", not_null=True),
        col("size", "smallint", not_null=True),
        col("price", "numeric(6,2)", not_null=True),
        col("ratio", "double precision"),
        col("on_sale", "boolean", not_null=True),
        col("sku", not_null=True),
        col("uid", "uuid", not_null=True),
        col("attrs", "jsonb"),
        col("tags", "text[]"),
        col("starts_on", "date", not_null=True),
        col("ends_on", "date", not_null=True),
        col("vector", "tsvector", default="''::tsvector"),
        col("total", "integer", generated=True),
    ],
    "constraints": [
        pk("shapes_pkey", "id"),
        unique("shapes_code_key", "code"),
        unique("shapes_sku_key", "sku"),
        unique("shapes_label_size_key", "label", "size"),
        check("shapes_size_check", "CHECK (((size >= 1) AND (size <= 3)))"),
        check("shapes_price_check", "CHECK ((price > (0)::numeric))"),
        check("shapes_label_check", "CHECK ((char_length((label)::text) >= 4))"),
        check("shapes_dates", "CHECK ((ends_on >= starts_on))"),
        check("shapes_starts_check", "CHECK ((starts_on >= '2024-06-01'::date))"),
    ],
}


def test_types_lengths_bounds_and_uniques_are_respected(make_schema: Callable[..., Schema], pools: Pools) -> None:
    data = TableGenerator(make_schema(SHAPES).tables["shapes"], seed=9, pools=pools).generate(2_000)
    v = data.values
    assert "vector" not in data.columns and "total" not in data.columns  # default / generated
    assert v["id"] == list(range(1, 2_001))  # an integer key counts up
    assert len(set(v["code"])) == 2_000 and all(len(c) <= 3 for c in v["code"])
    assert len(set(v["sku"])) == 2_000
    assert all(4 <= len(x) <= 12 for x in v["label"])
    assert len(set(zip(v["label"], v["size"], strict=True))) == 2_000
    assert set(v["size"]) <= {1, 2, 3}
    assert all(Decimal("0") < Decimal(p) <= Decimal("9999.99") for p in v["price"])
    assert set(v["on_sale"]) == {True, False}
    assert len(set(v["uid"])) == 2_000 and all(re.match(r"^[0-9a-f-]{36}$", u) for u in v["uid"])
    assert all(a is None or isinstance(a, dict) for a in v["attrs"])
    assert all(t is None or (isinstance(t, list) and 1 <= len(t) <= 3) for t in v["tags"])
    assert all(s >= "2024-06-01" for s in v["starts_on"])
    assert all(e >= s for s, e in zip(v["starts_on"], v["ends_on"], strict=True))


def test_a_not_null_column_of_an_unknown_type_without_default_is_explained(
    make_schema: Callable[..., Schema], pools: Pools
) -> None:
    table = {"name": "geo", "columns": [col("at", "point", not_null=True)], "constraints": []}
    with pytest.raises(PlanError, match=r"geo.at is NOT NULL without a default and of type point"):
        TableGenerator(make_schema(table).tables["geo"], seed=1, pools=pools)


def test_regenerate_redraws_only_the_given_rows_and_keeps_uniques(
    make_schema: Callable[..., Schema], pools: Pools
) -> None:
    table = make_schema().tables["users"]
    gen = TableGenerator(table, seed=1, pools=pools)
    data = gen.generate(100)
    before = {c: list(v) for c, v in data.values.items()}
    gen.regenerate(data, [3, 7], ["email", "name"], attempt=1)
    changed = [i for i in range(100) if data.values["email"][i] != before["email"][i]]
    assert changed == [3, 7]
    assert data.values["role"] == before["role"]
    assert len(set(data.values["email"])) == 100


def _dataset(schema: Schema, seed: int) -> DatasetResult:
    pools = Pools(seed)
    users = TableGenerator(schema.tables["users"], seed=seed, pools=pools).generate(300)
    result = TableResult("users", 300, users, loaded=300, keys={("id",): [(i,) for i in range(1, 301)]})
    members = TableGenerator(
        schema.tables["members"], seed=seed, pools=pools, keys={"users": {("id",): [(i,) for i in range(1, 301)]},
                                                                  **TEAM_KEYS},
    ).generate(200)  # fmt: skip
    return DatasetResult({"users": result, "members": TableResult("members", 200, members, loaded=200)}, [])


def test_same_seed_gives_byte_identical_fixtures(make_schema: Callable[..., Schema], tmp_path: Path) -> None:
    schema = make_schema(USERS, TEAMS, MEMBERS)
    one = write_table_fixtures(tmp_path / "one", schema, _dataset(schema, 11), seed=11, fixture_rows=50)
    two = write_table_fixtures(tmp_path / "two", schema, _dataset(schema, 11), seed=11, fixture_rows=50)
    assert [p.name for p in one] == ["index.json", "users.json", "users.tsv", "members.json", "members.tsv"]
    for a, b in zip(one, two, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name
    other = write_table_fixtures(tmp_path / "other", schema, _dataset(schema, 12), seed=12, fixture_rows=50)
    assert other[2].read_bytes() != one[2].read_bytes()
    import json

    users = json.loads((tmp_path / "one" / "users.json").read_text())
    assert len(users) == 50 and list(users[0]) == ["id", "email", "name", "role", "created_at", "updated_at"]
    assert [u["id"] for u in users[:3]] == [1, 2, 3]  # keys the database gave, read back
    assert len((tmp_path / "one" / "users.tsv").read_text().splitlines()) == 300


_PROCESS_SCRIPT = """
import hashlib, json
from tasks.test_data.generate import TableGenerator
from tasks.test_data.pools import Pools
from tasks.test_data.schema import schema_from_catalog
from tests.tasks.test_data.conftest import MEMBERS, TEAMS, USERS
schema = schema_from_catalog([USERS, TEAMS, MEMBERS])
pools = Pools(99)
users = TableGenerator(schema.tables["users"], seed=99, pools=pools).generate(500)
keys = {"users": {("id",): [(i,) for i in range(1, 501)]}, "teams": {("id",): [(i,) for i in range(1, 9)]}}
members = TableGenerator(schema.tables["members"], seed=99, pools=pools, keys=keys).generate(800)
print(hashlib.sha256(json.dumps([users.values, members.values]).encode()).hexdigest())
"""


@pytest.mark.slow
def test_same_seed_same_rows_in_another_process() -> None:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[3]
    digests = {
        subprocess.run(
            [sys.executable, "-c", _PROCESS_SCRIPT], cwd=root, env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True, text=True, check=True, timeout=120,
        ).stdout.strip()
        for seed in ("1", "2")
    }  # fmt: skip
    assert len(digests) == 1
