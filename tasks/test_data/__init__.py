"""The `test-data` agent and its engine: schema -> plan -> rows -> COPY, and API payloads.

agent.py      the agent (settings, orchestration, metrics) and its SPEC
schema.py     pg_catalog -> Schema (tables, columns, UNIQUE, FOREIGN KEY, CHECK, enums, domains)
types.py      format_type() strings -> TypeSpec
checks.py     CHECK definitions -> rules the generator satisfies (or `unknown`: verified by the DB)
names.py      column/property name -> kind of value (email, first_name, created_at -> past...)
rules.py      a table's CHECK rules folded per column
pools.py      seeded Faker pools per kind
values.py     one column's values (types, kinds, CHECK rules, unique by index)
generate.py   one table's rows (foreign keys, multi-column UNIQUE, comparisons, NULLs)
plan.py       row counts and load order (topological, cycles broken at nullable FKs)
load.py       introspection, TRUNCATE, CHECK verification, COPY through psql
psql.py       psql runner (argv, stdin) and its verbose error parser
dataset.py    every table in order: generate -> verify -> COPY -> keys for the children
encode.py     COPY text encoding
openapi.py    OpenAPI 3.0/3.1: operations, $refs, validators (nullable, readOnly)
payloads.py   request payloads by schema and name, validated
regex_gen.py  strings matching a `pattern`
fixtures.py   the evidence files
"""

from tasks.test_data.agent import SPEC, TestDataSettings, test_data
from tasks.test_data.checks import ParsedCheck, parse_check
from tasks.test_data.generate import TableData, TableGenerator
from tasks.test_data.openapi import ApiDocument, Operation
from tasks.test_data.payloads import PayloadGenerator
from tasks.test_data.plan import Plan, PlanError, make_plan, topological_order
from tasks.test_data.pools import Pools
from tasks.test_data.schema import Schema, schema_from_catalog
from tasks.test_data.types import TypeSpec, map_type

__all__ = [
    "SPEC",
    "ApiDocument",
    "Operation",
    "ParsedCheck",
    "PayloadGenerator",
    "Plan",
    "PlanError",
    "Pools",
    "Schema",
    "TableData",
    "TableGenerator",
    "TestDataSettings",
    "TypeSpec",
    "make_plan",
    "map_type",
    "parse_check",
    "schema_from_catalog",
    "test_data",
    "topological_order",
]
