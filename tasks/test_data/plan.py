"""Which tables get rows, how many, and in which order: parents before children.

The order is a topological sort of the foreign keys (ties broken by name, so it is stable). A
self-reference does not constrain the order (rows point at rows of the same COPY). A cycle
between tables is broken at a foreign key whose columns are all nullable: those columns stay
NULL ("deferred"), said in the plan. A cycle without a nullable edge cannot be loaded in one
pass per table, and `PlanError` names its tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tasks.errors import QeflowError
from tasks.test_data.schema import ForeignKey, Schema, Table

__all__ = ["Plan", "PlanError", "detect_main_table", "make_plan", "topological_order"]


class PlanError(QeflowError):
    """The schema or the settings ask for data that cannot be generated; the message says why."""


@dataclass(frozen=True)
class Plan:
    order: tuple[str, ...]
    rows: dict[str, int]
    main_table: str | None = None
    deferred: dict[str, tuple[str, ...]] = field(default_factory=dict)  # table -> FK names left NULL
    skipped: dict[str, str] = field(default_factory=dict)  # table -> why it gets no rows


def topological_order(tables: Mapping[str, Table], names: Iterable[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Order `names` parents first; return (order, {table: [FK names broken to undo a cycle]})."""
    wanted = sorted(set(names))
    edges: dict[str, dict[str, list[ForeignKey]]] = {n: {} for n in wanted}  # child -> parent -> fks
    for child in wanted:
        for fk in tables[child].foreign_keys:
            if fk.ref_table in edges and fk.ref_table != child:
                edges[child].setdefault(fk.ref_table, []).append(fk)
    deferred: dict[str, list[str]] = {}
    order: list[str] = []
    remaining = set(wanted)
    while remaining:  # level by level, each level by name: a stable order
        ready = sorted(n for n in remaining if all(p not in remaining for p in edges[n]))
        if not ready:
            if not _break_cycle(tables, edges, remaining, deferred):
                raise PlanError(
                    "foreign keys form a cycle without a nullable column to break it: "
                    + ", ".join(sorted(remaining))
                    + "; make one of those foreign key columns nullable, or exclude a table "
                    "([agents.test-data] exclude = [...])"
                )
            continue
        order.extend(ready)
        remaining.difference_update(ready)
    return order, deferred


def _break_cycle(
    tables: Mapping[str, Table],
    edges: dict[str, dict[str, list[ForeignKey]]],
    remaining: set[str],
    deferred: dict[str, list[str]],
) -> bool:
    for child in sorted(remaining):
        for parent in sorted(edges[child]):
            if parent not in remaining:
                continue
            fks = edges[child][parent]
            table = tables[child]
            if all(not table.column(col).not_null for fk in fks for col in fk.columns):
                del edges[child][parent]
                deferred.setdefault(child, []).extend(fk.name for fk in fks)
                return True
    return False


def _service_stem(service: str) -> str:
    return re.sub(r"[-_](service|svc|api|server|app)$", "", service.lower()).replace("-", "_")


def detect_main_table(schema: Schema, candidates: Iterable[str], service: str | None = None) -> str | None:
    """The service's main table: named after the service, else the most referenced one."""
    names = sorted(candidates)
    if not names:
        return None
    if service:
        stem = _service_stem(service)
        for guess in (stem, stem + "s", stem.rstrip("s"), stem + "es"):
            if guess in names:
                return guess
    referenced: dict[str, int] = {}
    for table in schema.tables.values():
        for fk in table.foreign_keys:
            if fk.ref_table != table.name and fk.ref_table in names:
                referenced[fk.ref_table] = referenced.get(fk.ref_table, 0) + 1
    if referenced:
        return max(sorted(referenced), key=lambda n: referenced[n])
    return names[0] if len(names) == 1 else None


def make_plan(
    schema: Schema,
    *,
    rows: Mapping[str, int],
    main_rows: int,
    default_rows: int,
    exclude: Iterable[str] = (),
    keep: Iterable[str] = (),
    main_table: str | None = None,
    service: str | None = None,
) -> Plan:
    """Decide the row count of every table and the load order."""
    known = set(schema.tables)
    unknown = sorted((set(rows) | set(keep) | ({main_table} if main_table else set())) - known)
    if unknown:
        raise PlanError(
            f"[agents.test-data] names table(s) the migrated schema {schema.name!r} does not have: "
            f"{', '.join(unknown)}; tables: {', '.join(sorted(known)) or '(none)'}"
        )
    excluded, kept = set(exclude), set(keep)
    skipped = {n: "excluded" for n in sorted(known & excluded)}
    skipped.update({n: "kept as it is (keep)" for n in sorted(known & kept)})
    candidates = [n for n in sorted(known) if n not in skipped]
    main = main_table or detect_main_table(schema, candidates, service)
    counts: dict[str, int] = {}
    for name in candidates:
        count = rows.get(name, main_rows if name == main else default_rows)
        if count <= 0:
            skipped[name] = "rows = 0"
            continue
        counts[name] = count
    order, deferred = topological_order(schema.tables, counts)
    return Plan(tuple(order), counts, main, {k: tuple(v) for k, v in deferred.items()}, skipped)
