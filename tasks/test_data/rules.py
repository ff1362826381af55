"""What a table's CHECKs say about each column (`column_rules`), and which kinds suit which types.

`ColumnRules` folds the understood rules of every CHECK of a table (`checks.py`) into one record
per column: the values allowed or excluded, the value bounds, the length bounds, NOT NULL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from tasks.test_data.checks import Allowed, Bound, Excluded, NotNull, ParsedCheck
from tasks.test_data.names import NUMBER_KINDS, TEXT_KINDS, TIME_KINDS
from tasks.test_data.types import TypeSpec

__all__ = ["ColumnRules", "column_rules", "fit_kind"]

_INT_KIND_TYPES = frozenset({"int", "numeric", "float"})


@dataclass
class ColumnRules:
    """What the CHECKs of a table say about one column."""

    allowed: tuple[Any, ...] | None = None
    excluded: set[Any] = field(default_factory=set)
    low: tuple[Any, bool] | None = None  # (value, inclusive)
    high: tuple[Any, bool] | None = None
    min_length: int | None = None
    max_length: int | None = None
    not_null: bool = False

    def tighten_low(self, value: Any, inclusive: bool) -> None:
        if self.low is None or _gt(value, self.low[0]) or (value == self.low[0] and not inclusive):
            self.low = (value, inclusive)

    def tighten_high(self, value: Any, inclusive: bool) -> None:
        if self.high is None or _gt(self.high[0], value) or (value == self.high[0] and not inclusive):
            self.high = (value, inclusive)


def _gt(a: Any, b: Any) -> bool:
    try:
        return bool(a > b)
    except TypeError:
        return str(a) > str(b)


def column_rules(checks: Sequence[ParsedCheck]) -> dict[str, ColumnRules]:
    """Fold the understood CHECK rules of a table into per-column rules."""
    rules: dict[str, ColumnRules] = {}
    for check in checks:
        for rule in check.rules:
            if isinstance(rule, Allowed):
                r = rules.setdefault(rule.column, ColumnRules())
                values = rule.values if r.allowed is None else tuple(v for v in r.allowed if v in rule.values)
                r.allowed = values
            elif isinstance(rule, Excluded):
                rules.setdefault(rule.column, ColumnRules()).excluded.update(rule.values)
            elif isinstance(rule, NotNull):
                rules.setdefault(rule.column, ColumnRules()).not_null = True
            elif isinstance(rule, Bound):
                r = rules.setdefault(rule.column, ColumnRules())
                if rule.on == "length":
                    n = int(rule.value)
                    if rule.op in (">", ">="):
                        r.min_length = max(r.min_length or 0, n + (1 if rule.op == ">" else 0))
                    elif rule.op in ("<", "<="):
                        top = n - (1 if rule.op == "<" else 0)
                        r.max_length = top if r.max_length is None else min(r.max_length, top)
                    elif rule.op == "=":
                        r.min_length = r.max_length = n
                elif rule.op in (">", ">="):
                    r.tighten_low(rule.value, rule.op == ">=")
                elif rule.op in ("<", "<="):
                    r.tighten_high(rule.value, rule.op == "<=")
                elif rule.op == "=":
                    r.allowed = (rule.value,)
    return rules


def fit_kind(kind: str | None, spec: TypeSpec) -> str | None:
    """The kind if it suits the column's type, else None (the type's plain values)."""
    if kind is None:
        return None
    if spec.kind == "text" and kind in TEXT_KINDS:
        return kind
    if spec.kind in _INT_KIND_TYPES and kind in NUMBER_KINDS:
        return kind
    if spec.kind in ("date", "timestamp", "timestamptz") and kind in TIME_KINDS:
        return kind
    if spec.kind == "inet" and kind in ("ipv4", "ipv6"):
        return kind
    return None
