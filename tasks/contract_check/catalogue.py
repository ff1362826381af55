"""The check catalogue: every check of the diff engine, by id, in one explicit registry.

Where to put a new check: a function in the `checks_*.py` module of its scope, registered with
that module's `check(...)` decorator (its name becomes its id), plus a firing and a non-firing
case in tests/tasks/contract_check/cases.py. Nothing else: the engine calls checks by scope.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from tasks.contract_check import checks_constraints, checks_io, checks_objects, checks_operations, checks_schema
from tasks.contract_check.model import Check, Direction, Level, Scope

__all__ = ["CATALOGUE", "Catalogue"]


class Catalogue(Mapping[str, Check]):
    """Checks by id, with an index by scope and direction, and per-run level overrides."""

    def __init__(self, checks: list[Check], levels: Mapping[str, Level] | None = None):
        self._checks: dict[str, Check] = {}
        for item in checks:
            if item.id in self._checks:
                raise ValueError(f"contract check {item.id!r} is defined twice; check ids must be unique")
            self._checks[item.id] = item
        self._levels = dict(levels or {})
        unknown = sorted(set(self._levels) - set(self._checks))
        if unknown:
            raise ValueError(f"unknown contract check id(s): {', '.join(unknown)}")
        self._index: dict[tuple[Scope, Direction | None, bool], list[Check]] = {}

    def __getitem__(self, check_id: str) -> Check:
        return self._checks[check_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._checks)

    def __len__(self) -> int:
        return len(self._checks)

    def level(self, check_id: str) -> Level:
        """The level in force: the override from qeflow.toml, else the check's default."""
        return self._levels.get(check_id) or self._checks[check_id].level

    def with_levels(self, levels: Mapping[str, Level]) -> Catalogue:
        return Catalogue(list(self._checks.values()), levels)

    def for_scope(self, scope: Scope, direction: Direction | None = None, *, wrapped: bool = False) -> list[Check]:
        """Checks to call for a pair of `scope` (schema checks: of `direction`, wrap-aware)."""
        key = (scope, direction, wrapped)
        found = self._index.get(key)
        if found is None:
            found = [
                c
                for c in self._checks.values()
                if c.scope is scope
                and (c.direction is None or direction is None or c.direction is direction)
                and (c.on_wrap or not wrapped)
            ]
            self._index[key] = found
        return found


CATALOGUE = Catalogue(
    [
        *checks_operations.CHECKS,
        *checks_io.CHECKS,
        *checks_schema.CHECKS,
        *checks_constraints.CHECKS,
        *checks_objects.CHECKS,
    ]
)
