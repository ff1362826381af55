r"""Generated values as PostgreSQL COPY text (the load) and as JSON (the fixtures).

COPY text format: one line per row, tab between columns, `\N` for NULL, and backslash, tab,
newline and carriage return escaped with a backslash. A column whose values hold none of those
characters (most of them: pools keep such values out) is joined as it is, which is what keeps
encoding at several hundred thousand rows a second.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from tasks.test_data.types import TypeSpec

__all__ = ["array_literal", "copy_text", "encode_column"]

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _quote_element(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (int, float)):
        return str(value)
    text = json.dumps(value, sort_keys=True) if isinstance(value, (dict, list)) else str(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def array_literal(values: Sequence[Any]) -> str:
    """A PostgreSQL array literal: ['a', 'b c'] -> {"a","b c"}."""
    return "{" + ",".join(_quote_element(v) for v in values) + "}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, list):
        return array_literal(value)
    return str(value)


def encode_column(values: Sequence[Any], spec: TypeSpec | None = None) -> list[str]:
    """One column's values as COPY text fields."""
    kind = spec.kind if spec else None
    if kind == "int" and None not in values:
        return list(map(str, values))
    fields = [_NULL if v is None else _text(v) for v in values]
    if kind in ("int", "uuid", "date", "timestamp", "timestamptz", "time", "bool", "numeric", "float"):
        return fields  # never holds a character COPY escapes
    joined = "".join(fields)
    if "\\" in joined.replace(_NULL, "") or "\t" in joined or "\n" in joined or "\r" in joined:
        return [f if f is _NULL else f.translate(_ESCAPES) for f in fields]
    return fields


def copy_text(columns: Sequence[Sequence[str]]) -> bytes:
    """Encoded columns (each a list of fields) as the body of COPY ... FROM STDIN."""
    if not columns or not columns[0]:
        return b""
    return ("\n".join(map("\t".join, zip(*columns, strict=True))) + "\n").encode("utf-8")
