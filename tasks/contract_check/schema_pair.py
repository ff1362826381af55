"""`SchemaPair`: a schema node at base and head, with the helpers schema checks share.

Types ("null" apart), nullability (3.0 `nullable`, 3.1 type arrays and null variants), enums,
numeric and length bounds (3.0 boolean and 3.1 numeric exclusive bounds), properties with
`required` read per direction, and the rename hint's type signature.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from tasks.contract_check.model import Direction

__all__ = [
    "Bound",
    "Resolve",
    "SchemaPair",
    "Variants",
    "is_nullable",
    "prop_token",
    "schema_types",
    "type_signature",
    "value_key",
]

Resolve = Callable[[Any], tuple[Any, str | None]]
Bound = tuple[float, bool]  # (value, exclusive)
_WIDER_FORMAT = {("int32", "int64"), ("float", "double")}  # (narrow, wide)
_OBJECT_HINTS = ("properties", "additionalProperties", "required")


def value_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def prop_token(name: str) -> str:
    return f".{name}" if name.isidentifier() else f"[{json.dumps(name)}]"


def schema_types(node: Any) -> frozenset[str] | None:
    """Declared (or evident) JSON types without "null"; None when unconstrained or unknown."""
    if not isinstance(node, dict):
        return None
    declared = node.get("type")
    if isinstance(declared, str):
        types = {declared}
    elif isinstance(declared, list):
        types = {str(t) for t in declared}
    elif any(k in node for k in _OBJECT_HINTS):
        types = {"object"}
    elif "items" in node:
        types = {"array"}
    else:
        return None
    rest = frozenset(types - {"null"})
    return rest or frozenset({"null"})


def type_signature(node: Any, resolve: Resolve) -> object:
    """What a rename hint compares: the `$ref` name, else types, format and the items' signature."""
    target, label = resolve(node)
    if label:
        return label.rsplit("/", 1)[-1]
    if not isinstance(target, dict):
        return None
    items = type_signature(target["items"], resolve) if isinstance(target.get("items"), dict) else None
    return schema_types(target), target.get("format"), items


def is_nullable(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    if node.get("nullable") is True:
        return True
    declared = node.get("type")
    if declared == "null" or (isinstance(declared, list) and "null" in declared):
        return True
    return any(_is_null_schema(v) for k in ("anyOf", "oneOf") for v in node.get(k) or ())


def _is_null_schema(node: Any) -> bool:
    return isinstance(node, dict) and (node.get("type") == "null" or node.get("enum") == [None])


def _enum_bound(values: Any, key: str) -> Bound | None:
    if not isinstance(values, list) or not values:
        return None
    if key in ("maxLength", "minLength") and all(isinstance(v, str) for v in values):
        lengths = [len(v) for v in values]
        return (float(max(lengths) if key == "maxLength" else min(lengths)), False)
    if key in ("maximum", "minimum") and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return (float(max(values) if key == "maximum" else min(values)), False)
    return None


def _covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


@dataclass
class Variants:
    """anyOf/oneOf variants (or allOf members) matched between base and head."""

    keyword: str
    matched: list[tuple[Any, Any]] = field(default_factory=list)
    removed: list[tuple[str | None, Any]] = field(default_factory=list)  # (label, raw node)
    added: list[tuple[str | None, Any]] = field(default_factory=list)

    @staticmethod
    def describe(item: tuple[str | None, Any]) -> str:
        label, node = item
        if label:
            return label.rsplit("/", 1)[-1]
        types = schema_types(node)
        return "/".join(sorted(types)) if types else "inline schema"


class SchemaPair:
    """A schema node at base and head (both resolved), in a request or a response."""

    def __init__(
        self,
        b: dict[str, Any],
        h: dict[str, Any],
        direction: Direction,
        rb: Resolve,
        rh: Resolve,
        *,
        wrapped: bool = False,
        union: Variants | None = None,
        all_of: Variants | None = None,
    ):
        self.b, self.h, self.direction, self.rb, self.rh = b, h, direction, rb, rh
        self.wrapped = wrapped  # one side is a union/allOf and the other a plain schema
        self.union = union
        self.all_of = all_of

    # -- types ---------------------------------------------------------------------------------
    @cached_property
    def types_b(self) -> frozenset[str] | None:
        return schema_types(self.b)

    @cached_property
    def types_h(self) -> frozenset[str] | None:
        return schema_types(self.h)

    @cached_property
    def typed(self) -> bool:
        return self.types_b is not None and self.types_h is not None

    @cached_property
    def retyped(self) -> bool:
        """Both typed and no type in common: other keyword checks would only add noise."""
        if not self.typed:
            return False
        assert self.types_b is not None and self.types_h is not None
        return not (_covers(self.types_h, self.types_b) or _covers(self.types_b, self.types_h)) and not (
            self.types_b & self.types_h
        )

    def covers(self, wide: frozenset[str] | None, narrow: frozenset[str] | None) -> bool:
        return wide is not None and narrow is not None and _covers(wide, narrow)

    @cached_property
    def object_like(self) -> bool:
        return not self.retyped and all(
            "object" in (t or ()) or any(k in n for k in _OBJECT_HINTS)
            for t, n in ((self.types_b, self.b), (self.types_h, self.h))
        )

    # -- formats -------------------------------------------------------------------------------
    @cached_property
    def formats(self) -> tuple[str | None, str | None]:
        if self.retyped:
            return None, None
        return self.b.get("format"), self.h.get("format")

    @staticmethod
    def wider_format(wide: str | None, narrow: str | None) -> bool:
        """Every value valid for `narrow` is valid for `wide` (None is no format at all)."""
        return wide is None or wide == narrow or (narrow, wide) in _WIDER_FORMAT

    # -- nullability, enums, defaults -----------------------------------------------------------
    @cached_property
    def nullable(self) -> tuple[bool, bool]:
        return is_nullable(self.b), is_nullable(self.h)

    @cached_property
    def enums(self) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        def values(node: dict[str, Any]) -> dict[str, Any] | None:
            raw = node.get("enum")
            if not isinstance(raw, list) or self.retyped:
                return None
            return {value_key(v): v for v in raw if v is not None}

        return values(self.b), values(self.h)

    def enum_diff(self) -> tuple[list[Any], list[Any]]:
        """(removed, added) enum values when both sides have an enum."""
        eb, eh = self.enums
        if eb is None or eh is None:
            return [], []
        return [v for k, v in eb.items() if k not in eh], [v for k, v in eh.items() if k not in eb]

    # -- constraints ----------------------------------------------------------------------------
    def number(self, node: dict[str, Any], key: str) -> float | None:
        value = node.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or self.retyped:
            return None
        return float(value)

    def upper(self, node: dict[str, Any]) -> Bound | None:
        bounds: list[Bound] = []
        maximum = self.number(node, "maximum")
        if maximum is not None:
            bounds.append((maximum, node.get("exclusiveMaximum") is True))
        exclusive = self.number(node, "exclusiveMaximum")
        if exclusive is not None:
            bounds.append((exclusive, True))
        return min(bounds, key=lambda b: (b[0], not b[1])) if bounds else None

    def lower(self, node: dict[str, Any]) -> Bound | None:
        bounds: list[Bound] = []
        minimum = self.number(node, "minimum")
        if minimum is not None:
            bounds.append((minimum, node.get("exclusiveMinimum") is True))
        exclusive = self.number(node, "exclusiveMinimum")
        if exclusive is not None:
            bounds.append((exclusive, True))
        return max(bounds, key=lambda b: (b[0], b[1])) if bounds else None

    @staticmethod
    def tighter_upper(b: Bound | None, h: Bound | None) -> bool:
        return h is not None and (b is None or h[0] < b[0] or (h[0] == b[0] and h[1] and not b[1]))

    @staticmethod
    def tighter_lower(b: Bound | None, h: Bound | None) -> bool:
        return h is not None and (b is None or h[0] > b[0] or (h[0] == b[0] and h[1] and not b[1]))

    def limit(self, key: str, *, implied: bool = False) -> tuple[Bound | None, Bound | None]:
        """maxLength, minItems... as bounds; the numeric range for "maximum"/"minimum".

        With `implied`, when only one side has the keyword, the other side's enum stands in for
        it (an enum of short strings has a maxLength): replacing `maxLength` by an `enum` is not
        a loosening."""

        def one(node: dict[str, Any]) -> Bound | None:
            if key == "maximum":
                return self.upper(node)
            if key == "minimum":
                return self.lower(node)
            value = self.number(node, key)
            return None if value is None else (value, False)

        b, h = one(self.b), one(self.h)
        if implied and (b is None) != (h is None):
            b = b or _enum_bound(self.b.get("enum"), key)
            h = h or _enum_bound(self.h.get("enum"), key)
        return b, h

    def multiple_of_tighter(self) -> bool:
        """Head accepts fewer numbers: its multipleOf is not a divisor of base's."""
        mb, mh = self.number(self.b, "multipleOf"), self.number(self.h, "multipleOf")
        if mh is None:
            return False
        if mb is None:
            return True
        ratio = mb / mh
        return not math.isclose(ratio, round(ratio))

    def multiple_of_looser(self) -> bool:
        mb, mh = self.number(self.b, "multipleOf"), self.number(self.h, "multipleOf")
        if mb is None:
            return False
        if mh is None:
            return True
        ratio = mh / mb
        return mb != mh and not math.isclose(ratio, round(ratio))

    @staticmethod
    def closed(node: dict[str, Any]) -> bool:
        return node.get("additionalProperties") is False

    # -- properties -----------------------------------------------------------------------------
    @cached_property
    def props(self) -> tuple[dict[str, Any], dict[str, Any]]:
        if not self.object_like:
            return {}, {}
        return dict(self.b.get("properties") or {}), dict(self.h.get("properties") or {})

    def _required(self, node: dict[str, Any], props: dict[str, Any], resolve: Resolve) -> set[str]:
        hidden = "readOnly" if self.direction is Direction.REQUEST else "writeOnly"
        required = {str(r) for r in node.get("required") or () if isinstance(r, str)}
        return {r for r in required if not (isinstance(s := resolve(props.get(r, {}))[0], dict) and s.get(hidden))}

    @cached_property
    def required(self) -> tuple[set[str], set[str]]:
        pb, ph = self.props
        if not self.object_like:
            return set(), set()
        return self._required(self.b, pb, self.rb), self._required(self.h, ph, self.rh)

    @cached_property
    def renamed(self) -> list[tuple[str, str]]:
        """(old, new): a property removed and one of the same type added in this object."""
        pb, ph = self.props
        added = [n for n in ph if n not in pb]
        pairs, used = [], set()
        for old in (n for n in pb if n not in ph):
            sig = type_signature(pb[old], self.rb)
            for new in added:
                if new not in used and type_signature(ph[new], self.rh) == sig:
                    pairs.append((old, new))
                    used.add(new)
                    break
        return pairs

    @cached_property
    def removed_props(self) -> list[str]:
        pb, ph = self.props
        renamed = {old for old, _ in self.renamed}
        return [n for n in pb if n not in ph and n not in renamed]

    @cached_property
    def added_props(self) -> list[str]:
        pb, ph = self.props
        renamed = {new for _, new in self.renamed}
        return [n for n in ph if n not in pb and n not in renamed]

    @cached_property
    def common_props(self) -> list[str]:
        pb, ph = self.props
        return [n for n in ph if n in pb]
