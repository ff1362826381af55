"""The migrated schema, read from pg_catalog in one query, as plain frozen dataclasses.

`CATALOG_SQL` returns one JSON document (tables with columns, constraints and unique indexes);
`schema_from_catalog()` turns it into a `Schema`. The split keeps the mapping testable without
a database: tests feed it catalog JSON. Domains are resolved to their base type (and their
CHECKs apply to the column, VALUE standing for it); enums carry their labels.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tasks.test_data.checks import ParsedCheck, parse_check
from tasks.test_data.types import TypeSpec, map_type

__all__ = ["CATALOG_SQL", "Column", "ForeignKey", "Schema", "Table", "Unique", "schema_from_catalog"]

# psql substitutes :'schema' (quoted as a literal) when the SQL is read with -f.
CATALOG_SQL = r"""
SELECT coalesce(json_agg(json_build_object(
  'name', c.relname,
  'columns', (
    SELECT json_agg(json_build_object(
      'name', a.attname,
      'type', format_type(bt.oid, CASE WHEN at.typtype = 'd' THEN at.typtypmod ELSE a.atttypmod END),
      'not_null', a.attnotnull OR at.typnotnull,
      'default', pg_get_expr(d.adbin, d.adrelid),
      'identity', a.attidentity <> '',
      'generated', a.attgenerated <> '',
      'enum', (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e
               WHERE e.enumtypid = CASE WHEN bt.typcategory = 'A' THEN bt.typelem ELSE bt.oid END),
      'domain_checks', (SELECT json_agg(json_build_array(dc.conname, pg_get_constraintdef(dc.oid)) ORDER BY dc.conname)
                        FROM pg_constraint dc WHERE dc.contypid = at.oid AND dc.contype = 'c')
    ) ORDER BY a.attnum)
    FROM pg_attribute a
    JOIN pg_type at ON at.oid = a.atttypid
    JOIN pg_type bt ON bt.oid = CASE WHEN at.typtype = 'd' THEN at.typbasetype ELSE at.oid END
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
  'constraints', (
    SELECT coalesce(json_agg(json_build_object(
      'name', k.conname,
      'type', k.contype,
      'columns', (SELECT json_agg(att.attname ORDER BY u.ord) FROM unnest(k.conkey) WITH ORDINALITY u(num, ord)
                  JOIN pg_attribute att ON att.attrelid = k.conrelid AND att.attnum = u.num),
      'definition', pg_get_constraintdef(k.oid),
      'ref_schema', fn.nspname,
      'ref_table', fc.relname,
      'ref_columns', (SELECT json_agg(att.attname ORDER BY u.ord) FROM unnest(k.confkey) WITH ORDINALITY u(num, ord)
                      JOIN pg_attribute att ON att.attrelid = k.confrelid AND att.attnum = u.num)
    ) ORDER BY k.conname), '[]'::json)
    FROM pg_constraint k
    LEFT JOIN pg_class fc ON fc.oid = k.confrelid
    LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
    WHERE k.conrelid = c.oid AND k.contype IN ('p', 'u', 'f', 'c')),
  'unique_indexes', (
    SELECT coalesce(json_agg(json_build_object(
      'name', ic.relname,
      'columns', (SELECT json_agg(att.attname ORDER BY u.ord) FROM unnest(i.indkey::int2[]) WITH ORDINALITY u(num, ord)
                  JOIN pg_attribute att ON att.attrelid = i.indrelid AND att.attnum = u.num WHERE u.num > 0),
      'expression', i.indexprs IS NOT NULL,
      'definition', pg_get_indexdef(i.indexrelid)
    ) ORDER BY ic.relname), '[]'::json)
    FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
    WHERE i.indrelid = c.oid AND i.indisunique
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k2 WHERE k2.conindid = i.indexrelid AND k2.conrelid = c.oid))
) ORDER BY c.relname), '[]'::json)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = :'schema' AND c.relkind IN ('r', 'p') AND NOT c.relispartition;
"""


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    type: TypeSpec
    not_null: bool = False
    default: str | None = None
    identity: bool = False
    generated: bool = False

    @property
    def db_assigned(self) -> bool:
        """Identity, serial (nextval default) and generated columns: the database fills them."""
        return self.identity or self.generated or (self.default or "").startswith("nextval(")


@dataclass(frozen=True)
class Unique:
    name: str
    columns: tuple[str, ...]
    primary: bool = False


@dataclass(frozen=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    uniques: tuple[Unique, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[ParsedCheck, ...] = ()

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"table {self.name} has no column {name!r}; columns: {', '.join(self.column_names)}")

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@dataclass(frozen=True)
class Schema:
    name: str
    tables: dict[str, Table] = field(default_factory=dict)


def _index_columns(index: Mapping[str, Any], names: Sequence[str]) -> tuple[str, ...]:
    plain = list(index.get("columns") or [])
    if index.get("expression"):
        definition = str(index.get("definition") or "")
        body = definition.split(" USING ", 1)[-1]
        body = re.split(r"\)\s+WHERE\s", body, maxsplit=1)[0]
        for name in names:
            if name not in plain and re.search(rf'(?<![\w"]){re.escape(name)}(?![\w"])|"{re.escape(name)}"', body):
                plain.append(name)
    return tuple(plain)


def _table(raw: Mapping[str, Any]) -> Table:
    columns: list[Column] = []
    checks: list[ParsedCheck] = []
    for col in raw.get("columns") or []:
        spec = map_type(col["type"], enum=col.get("enum"))
        columns.append(
            Column(
                name=col["name"],
                sql_type=col["type"],
                type=spec,
                not_null=bool(col.get("not_null")),
                default=col.get("default"),
                identity=bool(col.get("identity")),
                generated=bool(col.get("generated")),
            )
        )
        for con_name, definition in col.get("domain_checks") or []:
            checks.append(parse_check(con_name, definition, value_column=col["name"]))
    names = [c.name for c in columns]
    uniques: list[Unique] = []
    fks: list[ForeignKey] = []
    for con in raw.get("constraints") or []:
        kind = con["type"]
        cols = tuple(con.get("columns") or ())
        if kind in ("p", "u"):
            uniques.append(Unique(con["name"], cols, primary=kind == "p"))
        elif kind == "f":
            fks.append(ForeignKey(con["name"], cols, con["ref_table"], tuple(con.get("ref_columns") or ())))
        elif kind == "c":
            checks.append(parse_check(con["name"], con["definition"]))
    for index in raw.get("unique_indexes") or []:
        cols = _index_columns(index, names)
        if cols:
            uniques.append(Unique(index["name"], cols))
    if any(u.primary for u in uniques):  # a primary key makes its columns NOT NULL
        pk = next(u for u in uniques if u.primary)
        columns = [
            Column(c.name, c.sql_type, c.type, True, c.default, c.identity, c.generated) if c.name in pk.columns else c
            for c in columns
        ]
    return Table(raw["name"], tuple(columns), tuple(uniques), tuple(fks), tuple(checks))


def schema_from_catalog(catalog: Sequence[Mapping[str, Any]], *, name: str = "public") -> Schema:
    """Build a Schema from the JSON `CATALOG_SQL` returns."""
    tables = {raw["name"]: _table(raw) for raw in catalog}
    return Schema(name, dict(sorted(tables.items())))
