"""PostgreSQL column types, as `format_type()` prints them, mapped to what the generator makes.

    map_type("character varying(50)")       -> TypeSpec(kind="text", max_length=50)
    map_type("numeric(10,2)")               -> TypeSpec(kind="numeric", precision=10, scale=2)
    map_type("timestamp(3) with time zone") -> TypeSpec(kind="timestamptz")
    map_type("mood", enum=("sad", "ok"))    -> TypeSpec(kind="enum", labels=("sad", "ok"))
    map_type("text[]")                      -> TypeSpec(kind="array", element=TypeSpec(kind="text"))

Domains are resolved to their base type by the catalog query (`schema.py`), so they never get
here. A type the generator cannot make is `kind="unsupported"`: such a column is left to its
default (or NULL); a NOT NULL one without a default makes its table ungeneratable, said plainly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["INT_RANGES", "TypeSpec", "map_type"]

INT_RANGES: dict[str, tuple[int, int]] = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}

_SIMPLE: dict[str, str] = {
    "text": "text",
    "citext": "text",
    "name": "text",
    "boolean": "bool",
    "date": "date",
    "uuid": "uuid",
    "json": "json",
    "jsonb": "json",
    "real": "float",
    "double precision": "float",
    "bytea": "bytea",
    "inet": "inet",
    "cidr": "cidr",
    "macaddr": "macaddr",
    "interval": "interval",
    "money": "numeric",
}
_PARAMS = re.compile(r"^(?P<base>[a-z ]+?)\s*(?:\((?P<args>[0-9, ]+)\))?(?P<rest>(?: with(?:out)? time zone)?)$")


@dataclass(frozen=True)
class TypeSpec:
    """What to generate for a column: a kind and the bounds its SQL type sets."""

    kind: str  # int numeric float bool text date timestamp timestamptz time uuid json bytea inet cidr
    #            macaddr interval enum array unsupported
    sql: str = ""
    max_length: int | None = None  # varchar(n) / char(n)
    fixed_length: bool = False  # char(n): padded by the server, so shorter values are fine
    precision: int | None = None  # numeric(p, s)
    scale: int | None = None
    int_range: tuple[int, int] | None = None
    labels: tuple[str, ...] = ()  # enum labels, in their sort order
    element: TypeSpec | None = None  # arrays

    @property
    def numeric_bounds(self) -> tuple[float, float] | None:
        """The largest magnitude numeric(p, s) holds: 10^(p-s) - 10^-s."""
        if self.kind != "numeric" or self.precision is None:
            return None
        scale = self.scale or 0
        top = 10 ** (self.precision - scale) - 10**-scale
        return (-top, top)


def map_type(sql_type: str, *, enum: tuple[str, ...] | list[str] | None = None) -> TypeSpec:
    """Map a `format_type()` string (and the enum labels, when it is an enum) to a TypeSpec."""
    text = sql_type.strip()
    if text.endswith("[]"):
        element = map_type(text[:-2], enum=enum)
        return TypeSpec(kind="array" if element.kind != "unsupported" else "unsupported", sql=text, element=element)
    if enum:
        return TypeSpec(kind="enum", sql=text, labels=tuple(enum))
    lowered = text.lower()
    if lowered in _SIMPLE:
        return TypeSpec(kind=_SIMPLE[lowered], sql=text)
    if lowered in INT_RANGES:
        return TypeSpec(kind="int", sql=text, int_range=INT_RANGES[lowered])
    match = _PARAMS.match(lowered)
    if not match:
        return TypeSpec(kind="unsupported", sql=text)
    base, rest = match["base"].strip(), match["rest"].strip()
    args = [int(a) for a in (match["args"] or "").replace(" ", "").split(",") if a]
    if base in ("character varying", "varchar"):
        return TypeSpec(kind="text", sql=text, max_length=args[0] if args else None)
    if base in ("character", "char", "bpchar"):
        return TypeSpec(kind="text", sql=text, max_length=args[0] if args else 1, fixed_length=True)
    if base in ("numeric", "decimal"):
        precision = args[0] if args else None
        scale = args[1] if len(args) > 1 else (0 if args else None)
        return TypeSpec(kind="numeric", sql=text, precision=precision, scale=scale)
    if base == "timestamp":
        return TypeSpec(kind="timestamptz" if rest == "with time zone" else "timestamp", sql=text)
    if base == "time":
        return TypeSpec(kind="time", sql=text)
    if base in ("bit", "bit varying"):
        return TypeSpec(kind="unsupported", sql=text)
    return TypeSpec(kind="unsupported", sql=text)
