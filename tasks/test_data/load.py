"""Reading the schema from, and loading rows into, the database: one psql call per step.

introspect()     CATALOG_SQL -> Schema
truncate()       TRUNCATE the tables about to be filled, RESTART IDENTITY (same seed, same keys)
existing_keys()  keys of a table that is not generated (kept, excluded) for its children
verify()         rows checked against CHECKs the parser did not fully understand: COPY into a
                 temporary table of the same column types (no constraints), then each CHECK
                 evaluated per row; returns the failing rows (`IS FALSE`: NULL passes, as in
                 a CHECK)
copy()           COPY FROM STDIN into the table, in one transaction with the read-back of the
                 keys the database assigned (identity, serial: rows this transaction inserted,
                 `xmin = pg_current_xact_id()`) and ANALYZE. A constraint violation rolls the
                 table back and comes back as a `Violation` naming table and constraint.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tasks.errors import QeflowError
from tasks.test_data.checks import ParsedCheck
from tasks.test_data.encode import copy_text, encode_column
from tasks.test_data.generate import TableData
from tasks.test_data.psql import Psql, PsqlFailed, quote_ident
from tasks.test_data.schema import CATALOG_SQL, Schema, Table, schema_from_catalog

__all__ = ["CopyResult", "Loader", "Violation", "check_expression"]

_KEYS_CAP = 100_000


@dataclass(frozen=True)
class Violation:
    """Rows the database refused: which table, which constraint, why."""

    table: str
    constraint: str
    rows: int
    message: str


@dataclass(frozen=True)
class CopyResult:
    rows: int
    seconds: float
    bytes: int
    keys: dict[tuple[str, ...], list[tuple[Any, ...]]]
    violation: Violation | None = None


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def check_expression(check: ParsedCheck) -> str:
    """The boolean expression of a CHECK definition (domain checks: VALUE -> the column)."""
    value_column = check.value_column
    text = re.sub(r"\s+NOT VALID\s*$", "", check.definition.strip(), flags=re.IGNORECASE)
    text = re.sub(r"\s+NO INHERIT\s*$", "", text, flags=re.IGNORECASE)
    if text[:5].upper() == "CHECK":
        text = text[5:].strip()
    if value_column is not None:
        text = re.sub(r"\bVALUE\b", quote_ident(value_column), text)
    return text


class Loader:
    def __init__(self, psql: Psql, schema_name: str = "public"):
        self.psql = psql
        self.schema_name = schema_name

    def qualified(self, table: str) -> str:
        return f"{quote_ident(self.schema_name)}.{quote_ident(table)}"

    def introspect(self) -> Schema:
        catalog = self.psql.query_json(CATALOG_SQL, variables={"schema": self.schema_name}, what="introspect schema")
        return schema_from_catalog(catalog or [], name=self.schema_name)

    def truncate(self, tables: Sequence[str]) -> None:
        if not tables:
            return
        names = ", ".join(self.qualified(t) for t in tables)
        try:
            self.psql.run([f"TRUNCATE {names} RESTART IDENTITY"], what="truncate")
        except PsqlFailed as exc:
            raise QeflowError(
                f"emptying the tables before loading failed: {exc}. A table that is not generated "
                "references one of them: generate it too, or set [agents.test-data] truncate = false"
            ) from exc

    def existing_keys(self, table: str, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        cols = ", ".join(quote_ident(c) for c in columns)
        sql = (
            f"SELECT coalesce(json_agg(json_build_array({cols}) ORDER BY {cols}), '[]'::json) FROM "
            f"(SELECT {cols} FROM {self.qualified(table)} ORDER BY {cols} LIMIT {_KEYS_CAP}) k;"
        )
        rows = self.psql.query_json(sql, what=f"keys of {table}") or []
        return [tuple(r) for r in rows]

    def verify(self, table: Table, data: TableData, checks: Sequence[ParsedCheck]) -> dict[int, list[str]]:
        """{row index: names of the CHECKs it fails} for `checks` (evaluated by the database)."""
        if not checks or data.rows == 0:
            return {}
        probe = quote_ident("_qeflow_probe")
        columns = ", ".join(f"{quote_ident(c.name)} {c.sql_type}" for c in table.columns)
        cases = ", ".join(
            f"CASE WHEN ({check_expression(check)}) IS FALSE THEN {_literal(check.name)} END" for check in checks
        )
        copy_cols = ", ".join(quote_ident(c) for c in ["_qeflow_row", *data.columns])
        fields = [[str(i) for i in range(data.rows)]]
        fields += [encode_column(data.values[c], table.column(c).type) for c in data.columns]
        body = copy_text(fields)
        result = self.psql.run(
            [
                f'CREATE TEMP TABLE {probe} ("_qeflow_row" bigint, {columns}) ON COMMIT DROP',
                f"COPY {probe} ({copy_cols}) FROM STDIN",
                "SELECT coalesce(json_agg(json_build_array(_qeflow_row, failed) ORDER BY _qeflow_row), '[]'::json) "
                f'FROM (SELECT "_qeflow_row", array_remove(ARRAY[{cases}]::text[], NULL) AS failed FROM {probe}) s '
                "WHERE cardinality(failed) > 0",
            ],
            stdin=body,
            what=f"verify {table.name}",
        )
        failing = json.loads(result.stdout.strip() or "[]")
        return {int(i): list(names) for i, names in failing}

    def copy(self, table: Table, data: TableData, read_back: Sequence[tuple[str, ...]] = ()) -> CopyResult:
        """COPY the rows in one transaction; read back database-assigned keys; ANALYZE."""
        fields = [encode_column(data.values[c], table.column(c).type) for c in data.columns]
        body = copy_text(fields)
        target = self.qualified(table.name)
        cols = ", ".join(quote_ident(c) for c in data.columns)
        commands = [f"COPY {target} ({cols}) FROM STDIN"]
        if read_back:
            parts = []
            for i, key in enumerate(read_back):
                kc = ", ".join(quote_ident(c) for c in key)
                parts.append(
                    f"'{i}', (SELECT coalesce(json_agg(json_build_array({kc}) ORDER BY {kc}), '[]'::json) "
                    f"FROM {target} WHERE xmin = pg_current_xact_id()::xid)"
                )
            commands.append(f"SELECT json_build_object({', '.join(parts)})")
        commands.append(f"ANALYZE {target}")
        started = time.monotonic()
        try:
            result = self.psql.run(commands, stdin=body, what=f"copy {table.name}")
        except PsqlFailed as exc:
            if exc.error is None or not exc.error.is_violation:
                raise
            err = exc.error
            violation = Violation(table.name, err.culprit, data.rows, err.describe())
            return CopyResult(0, time.monotonic() - started, len(body), {}, violation)
        keys: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
        if read_back:
            raw = json.loads(result.stdout.strip() or "{}")
            for i, key in enumerate(read_back):
                keys[tuple(key)] = [tuple(r) for r in raw.get(str(i), [])]
        return CopyResult(data.rows, time.monotonic() - started, len(body), keys)
