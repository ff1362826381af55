"""Rows for one table, made column by column: `TableGenerator(table, ...).generate(n)`.

Order of work inside a table (each step with its own seeded `random.Random`, keyed by
(seed, table, column), so one column's values never shift because another column was added):

1. foreign keys: each row draws a parent row from the parent's keys (without replacement when
   the foreign key columns are UNIQUE, e.g. a one-to-one profile);
2. multi-column UNIQUE over finite domains (foreign keys, enums, booleans, IN lists): distinct
   combinations sampled from their product, so a junction table never repeats a pair;
3. the other columns from their `ValueFactory` (persona columns share one person per row);
4. NULLs in nullable, unconstrained columns (`null_ratio`);
5. column comparisons (`ends_at > starts_at`, and `updated_at >= created_at` when both exist):
   the two values are swapped where they disagree;
6. other multi-column UNIQUE: colliding rows get a fresh unique value in one column.

Rows the database later rejects (CHECKs that were not understood) are redrawn in place by
`regenerate()`, which only touches the columns those CHECKs mention.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tasks.test_data.checks import Compare, ParsedCheck
from tasks.test_data.names import kind_for
from tasks.test_data.plan import PlanError
from tasks.test_data.pools import Pools, stable_seed
from tasks.test_data.rules import ColumnRules, column_rules
from tasks.test_data.schema import Column, ForeignKey, Table, Unique
from tasks.test_data.values import Persona, ValueFactory

__all__ = ["KeyStore", "TableData", "TableGenerator"]

# table -> referenced column tuple -> the keys its rows hold, in row order
KeyStore = Mapping[str, Mapping[tuple[str, ...], Sequence[tuple[Any, ...]]]]

_MAX_PRODUCT = 10**12
_DEDUPE_ROUNDS = 20


@dataclass
class TableData:
    """The generated rows of one table, column-wise: `values[column][row]`."""

    name: str
    columns: list[str]
    values: dict[str, list[Any]]
    rows: int
    notes: list[str] = field(default_factory=list)

    def keys(self, columns: Sequence[str]) -> list[tuple[Any, ...]]:
        return list(zip(*(self.values[c] for c in columns), strict=True))

    def records(self, limit: int | None = None) -> list[dict[str, Any]]:
        count = self.rows if limit is None else min(limit, self.rows)
        cols = [(c, self.values[c]) for c in self.columns]
        return [{c: v[i] for c, v in cols} for i in range(count)]

    def drop(self, indices: Sequence[int]) -> None:
        gone = set(indices)
        for column in self.columns:
            self.values[column] = [v for i, v in enumerate(self.values[column]) if i not in gone]
        self.rows -= len(gone)


def _key_fn(column: Column) -> Any:
    if column.type.kind in ("numeric",):
        return lambda v: Decimal(v)
    return lambda v: v


class TableGenerator:
    """Generates rows of `table` that satisfy its types and constraints; see the module docstring."""

    def __init__(
        self,
        table: Table,
        *,
        seed: int,
        pools: Pools,
        keys: KeyStore | None = None,
        deferred: Sequence[str] = (),
        null_ratio: float = 0.1,
    ):
        self.table = table
        self.seed = seed
        self.pools = pools
        self.key_store = keys or {}
        self.deferred = set(deferred)
        self.null_ratio = null_ratio
        self.rules: dict[str, ColumnRules] = column_rules(table.checks)
        self.columns = self._supplied()
        names = {c.name for c in self.columns}
        self.factories = {
            c.name: ValueFactory(
                table.name, c, kind_for(c.name, table=table.name), self.rules.get(c.name, ColumnRules()), pools, seed
            )
            for c in self.columns
        }
        self.fks = [fk for fk in table.foreign_keys if set(fk.columns) <= names]
        self.fk_columns = {col for fk in self.fks for col in fk.columns}
        self.uniques = [u for u in table.uniques if set(u.columns) <= names]
        self.compares = self._compares()

    # -- planning ----------------------------------------------------------------------------

    def _supplied(self) -> list[Column]:
        supplied = []
        for column in self.table.columns:
            if column.db_assigned:
                continue
            if column.type.kind == "unsupported":
                if column.not_null and column.default is None:
                    raise PlanError(
                        f"{self.table.name}.{column.name} is NOT NULL without a default and of type "
                        f"{column.sql_type}, which the generator cannot make; exclude the table "
                        "([agents.test-data] exclude) or give the column a default"
                    )
                continue  # left to its default, or NULL
            supplied.append(column)
        return supplied

    def _compares(self) -> list[Compare]:
        found = [r for check in self.table.checks for r in check.rules if isinstance(r, Compare)]
        temporal = {c.name for c in self.columns if c.type.kind in ("date", "timestamp", "timestamptz")}
        for created, updated in (("created_at", "updated_at"), ("createdAt", "updatedAt"), ("created", "updated")):
            if {created, updated} <= temporal and not any({r.left, r.right} == {created, updated} for r in found):
                found.append(Compare(updated, ">=", created))
        names = {c.name for c in self.columns}
        return [r for r in found if r.left in names and r.right in names]

    def _fk_keys(self, fk: ForeignKey) -> Sequence[tuple[Any, ...]] | None:
        return self.key_store.get(fk.ref_table, {}).get(tuple(fk.ref_columns))

    def _fk_unique(self, fk: ForeignKey) -> bool:
        return any(set(u.columns) <= set(fk.columns) for u in self.uniques)

    def _joint_groups(self) -> list[Unique]:
        """Multi-column UNIQUEs whose every column has a finite domain."""
        groups = []
        for unique in self.uniques:
            if len(unique.columns) < 2 or any(self._fk_unique(fk) for fk in self._fks_within(unique)):
                continue
            if self._product(unique) is not None:
                groups.append(unique)
        return groups

    def _fks_within(self, unique: Unique) -> list[ForeignKey]:
        return [fk for fk in self.fks if set(fk.columns) <= set(unique.columns) and fk.name not in self.deferred]

    def _dimensions(self, unique: Unique) -> list[tuple[tuple[str, ...], Sequence[Any]]] | None:
        dims: list[tuple[tuple[str, ...], Sequence[Any]]] = []
        covered: set[str] = set()
        for fk in self._fks_within(unique):
            keys = self._fk_keys(fk)
            if keys is None or fk.ref_table == self.table.name:
                return None
            dims.append((tuple(fk.columns), keys))
            covered.update(fk.columns)
        for name in unique.columns:
            if name in covered:
                continue
            if name in self.fk_columns:
                return None
            factory = self.factories[name]
            if factory.choices is not None:
                dims.append(((name,), [(c,) for c in factory.choices]))
            elif factory.capacity() is not None and (factory.capacity() or 0) <= 10**6 and factory.spec.kind == "int":
                low, high, _ = factory._range or (0, -1, 0)
                dims.append(((name,), range(low, high + 1)))
            else:
                return None
        return dims

    def _product(self, unique: Unique) -> int | None:
        dims = self._dimensions(unique)
        if dims is None:
            return None
        return math.prod(len(d) for _, d in dims)

    def capacity(self, wanted: int) -> tuple[int, list[str]]:
        """How many of `wanted` rows the unique constraints admit, with a note per cap."""
        rows, notes = wanted, []
        for unique in self.uniques:
            cap: int | None = None
            if len(unique.columns) == 1:
                (name,) = unique.columns
                fk = next((f for f in self.fks if f.columns == (name,) and f.name not in self.deferred), None)
                if fk is not None:
                    keys = self._fk_keys(fk)
                    cap = len(keys) if keys is not None else None
                else:
                    cap = self.factories[name].capacity()
            else:
                fk_unique = [fk for fk in self._fks_within(unique) if self._fk_unique(fk)]
                cap = None if fk_unique else self._product(unique)
            if cap is not None and cap < rows:
                notes.append(
                    f"{self.table.name}: {rows} rows asked, UNIQUE {unique.name} ({', '.join(unique.columns)}) "
                    f"admits {cap} distinct values: {cap} rows generated"
                )
                rows = cap
        return rows, notes

    # -- generating --------------------------------------------------------------------------

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(stable_seed(self.seed, self.table.name, *parts))

    def generate(self, wanted: int) -> TableData:
        n, notes = self.capacity(wanted)
        values: dict[str, list[Any]] = {}
        done: set[str] = set()

        for unique in self._joint_groups():
            if set(unique.columns) & done:
                continue
            dims = self._dimensions(unique) or []
            total = math.prod(len(d) for _, d in dims)
            picks = self._rng("joint", unique.name).sample(range(total), n) if total <= _MAX_PRODUCT else []
            decoded: dict[str, list[Any]] = {name: [] for cols, _ in dims for name in cols}
            for index in picks:
                for cols, domain in reversed(dims):
                    index, at = divmod(index, len(domain))
                    item = domain[at]
                    item = item if isinstance(item, tuple) else (item,)
                    for name, value in zip(cols, item, strict=True):
                        decoded[name].append(value)
            values.update(decoded)
            done.update(decoded)

        for fk in self.fks:
            if set(fk.columns) & done:
                continue
            self._fill_fk(fk, n, values)
            done.update(fk.columns)

        persona = None
        if any(f.needs_persona for name, f in self.factories.items() if name not in done):
            persona = Persona.draw(self.pools, n, self._rng("persona"))
        single = {u.columns[0] for u in self.uniques if len(u.columns) == 1}
        for column in self.columns:
            if column.name in done:
                continue
            factory = self.factories[column.name]
            values[column.name] = factory.values(
                n, self._rng(column.name), unique=column.name in single, persona=persona
            )

        self._add_nulls(values, n, single)
        data = TableData(self.table.name, [c.name for c in self.columns], values, n, notes)
        self._apply_compares(data, range(n))
        self._dedupe(data)
        return data

    def _fill_fk(self, fk: ForeignKey, n: int, values: dict[str, list[Any]]) -> None:
        nullable = all(not self.table.column(c).not_null for c in fk.columns)
        keys = None if fk.name in self.deferred else self._fk_keys(fk)
        if fk.ref_table == self.table.name and keys is None:
            if nullable:
                for col in fk.columns:
                    values[col] = [None] * n
                return
            raise PlanError(
                f"{self.table.name}.{', '.join(fk.columns)} references its own table's "
                f"{', '.join(fk.ref_columns)}, which the database assigns, and is NOT NULL: rows cannot "
                "point at keys that do not exist yet; make the column nullable or exclude the table"
            )
        if not keys:
            if nullable:
                for col in fk.columns:
                    values[col] = [None] * n
                return
            reason = "is deferred to break a cycle" if fk.name in self.deferred else "has no rows to point at"
            raise PlanError(
                f"{self.table.name} ({', '.join(fk.columns)}) references {fk.ref_table}, which {reason}; "
                f"give {fk.ref_table} rows ([agents.test-data] rows) or exclude {self.table.name}"
            )
        rng = self._rng("fk", fk.name)
        if self._fk_unique(fk):
            picks = rng.sample(range(len(keys)), min(n, len(keys)))
        else:
            picks = [rng.randrange(len(keys)) for _ in range(n)]
        for j, col in enumerate(fk.columns):
            values[col] = [keys[p][j] for p in picks]

    def _add_nulls(self, values: dict[str, list[Any]], n: int, single: set[str]) -> None:
        if self.null_ratio <= 0:
            return
        involved = set(single) | self.fk_columns
        for unique in self.uniques:
            involved.update(unique.columns)
        for compare in self.compares:
            involved.update((compare.left, compare.right))
        for column in self.columns:
            rules = self.rules.get(column.name)
            if column.not_null or column.name in involved or (rules and (rules.not_null or rules.allowed)):
                continue
            rng = self._rng("nulls", column.name)
            col = values[column.name]
            for i in range(n):
                if rng.random() < self.null_ratio:
                    col[i] = None

    def _apply_compares(self, data: TableData, rows: Sequence[int] | range) -> None:
        for compare in self.compares:
            left, right = data.values[compare.left], data.values[compare.right]
            key = _key_fn(self.table.column(compare.left))
            for i in rows:
                a, b = left[i], right[i]
                if a is None or b is None:
                    continue
                ka, kb = key(a), key(b)
                wrong = {">": ka <= kb and ka != kb, ">=": ka < kb, "<": ka >= kb and ka != kb, "<=": ka > kb}[
                    compare.op
                ]
                if wrong:
                    left[i], right[i] = b, a

    def _dedupe(self, data: TableData) -> None:
        for unique in self.uniques:
            if len(unique.columns) < 2 or unique in self._joint_groups():
                continue
            open_cols = [c for c in unique.columns if c not in self.fk_columns]
            for round_ in range(1, _DEDUPE_ROUNDS + 1):
                seen: set[tuple[Any, ...]] = set()
                dups = []
                for i, key in enumerate(data.keys(unique.columns)):
                    if any(v is None for v in key):
                        continue
                    if key in seen:
                        dups.append(i)
                    seen.add(key)
                if not dups:
                    break
                if not open_cols:
                    data.drop(dups)
                    data.notes.append(
                        f"{self.table.name}: {len(dups)} rows dropped: UNIQUE {unique.name} "
                        f"({', '.join(unique.columns)}) repeated a combination of parent keys"
                    )
                    break
                column = open_cols[(round_ - 1) % len(open_cols)]
                fresh = self.factories[column].values(
                    len(dups), self._rng("dedupe", unique.name, round_), unique=True, start=data.rows * round_
                )
                for i, value in zip(dups, fresh, strict=True):
                    data.values[column][i] = value

    # -- redrawing rows the database rejected ------------------------------------------------

    def check_columns(self, check: ParsedCheck) -> list[str]:
        """The generated, non-key columns an (unknown) CHECK mentions: the ones worth redrawing."""
        if check.value_column is not None:
            return [check.value_column] if check.value_column in self.factories else []
        names = []
        for column in self.columns:
            if column.name in self.fk_columns:
                continue
            if re.search(rf'(?<![\w"]){re.escape(column.name)}(?![\w"])|"{re.escape(column.name)}"', check.definition):
                names.append(column.name)
        return names

    def regenerate(self, data: TableData, rows: Sequence[int], columns: Sequence[str], attempt: int) -> None:
        """Redraw `columns` of `rows` in place (attempt >= 1 keeps unique values distinct)."""
        if not rows:
            return
        single = {u.columns[0] for u in self.uniques if len(u.columns) == 1}
        persona = None
        if any(self.factories[c].needs_persona for c in columns):
            persona = Persona.draw(self.pools, len(rows), self._rng("persona", attempt))
        for name in columns:
            fresh = self.factories[name].values(
                len(rows), self._rng(name, "retry", attempt), unique=name in single,
                start=data.rows * attempt, persona=persona,
            )  # fmt: skip
            column = data.values[name]
            for i, value in zip(rows, fresh, strict=True):
                column[i] = value
        self._apply_compares(data, rows)
