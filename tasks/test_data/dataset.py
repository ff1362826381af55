"""Generate and load every planned table, parents first: `load_dataset(...)`.

Per table: generate -> verify the CHECKs the parser did not fully understand (the database
evaluates them; failing rows are redrawn up to `max_retries` times, and rows that still fail
are dropped and counted as violations) -> COPY in one transaction -> keep the keys children
need (generated ones from the data, database-assigned ones read back).

A table that cannot be generated at all (a NOT NULL reference to a table without rows, a type
the generator cannot make) is recorded as failed with the reason, and its children see no keys.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tasks.errors import QeflowError
from tasks.test_data.checks import Compare
from tasks.test_data.generate import TableData, TableGenerator
from tasks.test_data.load import Loader, Violation
from tasks.test_data.plan import Plan, PlanError
from tasks.test_data.pools import Pools
from tasks.test_data.schema import Schema

__all__ = ["DatasetResult", "TableResult", "load_dataset"]


@dataclass
class TableResult:
    name: str
    requested: int
    data: TableData | None = None
    loaded: int = 0
    generate_s: float = 0.0
    verify_s: float = 0.0
    copy_s: float = 0.0
    bytes: int = 0
    regenerated: int = 0
    violations: list[Violation] = field(default_factory=list)
    error: str | None = None
    keys: dict[tuple[str, ...], list[tuple[Any, ...]]] = field(default_factory=dict)  # read back

    @property
    def seconds(self) -> float:
        return self.generate_s + self.verify_s + self.copy_s

    def summary(self) -> dict[str, Any]:
        return {
            "requested": self.requested,
            "loaded": self.loaded,
            "generate_s": round(self.generate_s, 4),
            "verify_s": round(self.verify_s, 4),
            "copy_s": round(self.copy_s, 4),
            "rows_per_s": round(self.loaded / self.seconds, 1) if self.seconds > 0 and self.loaded else 0.0,
            "copy_bytes": self.bytes,
            "regenerated": self.regenerated,
            "violations": [v.__dict__ for v in self.violations],
            "notes": list(self.data.notes) if self.data else [],
            "error": self.error,
        }


@dataclass
class DatasetResult:
    tables: dict[str, TableResult]
    truncated: list[str]

    @property
    def rows_total(self) -> int:
        return sum(t.loaded for t in self.tables.values())

    @property
    def load_s(self) -> float:
        return sum(t.seconds for t in self.tables.values())

    @property
    def violations(self) -> list[Violation]:
        return [v for t in self.tables.values() for v in t.violations]


def _needed_keys(schema: Schema, plan: Plan) -> dict[str, set[tuple[str, ...]]]:
    needed: dict[str, set[tuple[str, ...]]] = {}
    for name in plan.order:
        for fk in schema.tables[name].foreign_keys:
            needed.setdefault(fk.ref_table, set()).add(tuple(fk.ref_columns))
    return needed


def load_dataset(
    schema: Schema,
    plan: Plan,
    loader: Loader,
    *,
    seed: int,
    pools: Pools,
    null_ratio: float = 0.1,
    max_retries: int = 5,
    truncate: bool = True,
    cancel: threading.Event | None = None,
    on_table: Callable[[TableResult], None] | None = None,
) -> DatasetResult:
    needed = _needed_keys(schema, plan)
    store: dict[str, dict[tuple[str, ...], list[tuple[Any, ...]]]] = {}
    for parent, key_sets in sorted(needed.items()):
        if parent not in plan.rows and parent in schema.tables:
            store[parent] = {k: loader.existing_keys(parent, k) for k in sorted(key_sets)}
    if truncate:
        loader.truncate(list(plan.order))
    results: dict[str, TableResult] = {}
    for name in plan.order:
        if cancel is not None and cancel.is_set():
            raise QeflowError("test-data was cancelled")
        table = schema.tables[name]
        result = results[name] = TableResult(name, plan.rows[name])
        try:
            _one_table(result, table, plan, loader, store, needed, seed, pools, null_ratio, max_retries)
        except PlanError as exc:
            result.error = str(exc)
            store[name] = {k: [] for k in needed.get(name, ())}
        if on_table is not None:
            on_table(result)
    return DatasetResult(results, list(plan.order) if truncate else [])


def _one_table(
    result: TableResult,
    table: Any,
    plan: Plan,
    loader: Loader,
    store: dict[str, dict[tuple[str, ...], list[tuple[Any, ...]]]],
    needed: dict[str, set[tuple[str, ...]]],
    seed: int,
    pools: Pools,
    null_ratio: float,
    max_retries: int,
) -> None:
    name = table.name
    t0 = time.monotonic()
    generator = TableGenerator(
        table, seed=seed, pools=pools, keys=store, deferred=plan.deferred.get(name, ()), null_ratio=null_ratio
    )
    data = generator.generate(plan.rows[name])
    result.data = data
    result.generate_s = time.monotonic() - t0

    # Unknown CHECKs, and comparisons (a swap cannot fix two equal values for a strict `>`).
    to_verify = [c for c in table.checks if c.unknown or any(isinstance(r, Compare) for r in c.rules)]
    if to_verify and data.rows:
        t1 = time.monotonic()
        failing = loader.verify(table, data, to_verify)
        attempt = 0
        while failing and attempt < max_retries:
            attempt += 1
            result.regenerated += len(failing)
            by_columns: dict[tuple[str, ...], list[int]] = {}
            checks = {c.name: c for c in to_verify}
            for row, names in failing.items():
                cols = sorted({col for n in names for col in generator.check_columns(checks[n])})
                by_columns.setdefault(tuple(cols), []).append(row)
            for cols, rows in sorted(by_columns.items()):
                generator.regenerate(data, sorted(rows), list(cols), attempt)
            failing = loader.verify(table, data, to_verify)
        if failing:
            per_check: dict[str, int] = {}
            for names in failing.values():
                for n in names:
                    per_check[n] = per_check.get(n, 0) + 1
            for check_name, count in sorted(per_check.items()):
                result.violations.append(
                    Violation(name, check_name, count, f"{count} row(s) still fail CHECK {check_name} after "
                              f"{max_retries} redraws; they were not loaded")
                )  # fmt: skip
            data.drop(sorted(failing))
        result.verify_s = time.monotonic() - t1

    supplied = set(data.columns)
    key_sets = sorted(needed.get(name, set()))
    pk = next((u.columns for u in table.uniques if u.primary), None)
    read_back = [k for k in key_sets if not set(k) <= supplied]
    if pk and not set(pk) <= supplied and tuple(pk) not in read_back:
        read_back.append(tuple(pk))  # the fixtures show the keys the database gave
    copied = loader.copy(table, data, read_back)
    result.copy_s = copied.seconds
    result.bytes = copied.bytes
    result.keys = copied.keys
    if copied.violation is not None:
        result.violations.append(copied.violation)
        store[name] = {k: [] for k in key_sets}
        return
    result.loaded = copied.rows
    store[name] = {
        k: [key for key in (copied.keys.get(k, []) if not set(k) <= supplied else data.keys(k)) if None not in key]
        for k in key_sets
    }  # a NULL in a referenced UNIQUE column is no key to point at
