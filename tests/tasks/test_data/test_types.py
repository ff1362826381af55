"""PostgreSQL types as format_type() prints them, mapped to what the generator makes."""

from __future__ import annotations

import pytest

from tasks.test_data.types import INT_RANGES, map_type


@pytest.mark.parametrize(
    ("sql", "kind", "extra"),
    [
        ("text", "text", {}),
        ("character varying(50)", "text", {"max_length": 50}),
        ("character varying", "text", {"max_length": None}),
        ("character(2)", "text", {"max_length": 2, "fixed_length": True}),
        ("citext", "text", {}),
        ("integer", "int", {"int_range": INT_RANGES["integer"]}),
        ("bigint", "int", {"int_range": INT_RANGES["bigint"]}),
        ("smallint", "int", {"int_range": (-32768, 32767)}),
        ("numeric(10,2)", "numeric", {"precision": 10, "scale": 2}),
        ("numeric(5)", "numeric", {"precision": 5, "scale": 0}),
        ("numeric", "numeric", {"precision": None, "scale": None}),
        ("boolean", "bool", {}),
        ("date", "date", {}),
        ("timestamp without time zone", "timestamp", {}),
        ("timestamp(3) with time zone", "timestamptz", {}),
        ("timestamp with time zone", "timestamptz", {}),
        ("time without time zone", "time", {}),
        ("uuid", "uuid", {}),
        ("jsonb", "json", {}),
        ("json", "json", {}),
        ("double precision", "float", {}),
        ("bytea", "bytea", {}),
        ("inet", "inet", {}),
        ("tsvector", "unsupported", {}),
        ("point", "unsupported", {}),
    ],
)
def test_format_type_strings_map_to_kinds(sql: str, kind: str, extra: dict[str, object]) -> None:
    spec = map_type(sql)
    assert spec.kind == kind
    for key, value in extra.items():
        assert getattr(spec, key) == value


def test_enum_carries_its_labels_in_order() -> None:
    spec = map_type("mood", enum=["sad", "ok", "happy"])
    assert spec.kind == "enum"
    assert spec.labels == ("sad", "ok", "happy")


def test_arrays_map_their_element_type() -> None:
    spec = map_type("character varying(10)[]")
    assert spec.kind == "array"
    assert spec.element is not None and spec.element.kind == "text" and spec.element.max_length == 10
    assert map_type("mood[]", enum=["a"]).element.kind == "enum"  # type: ignore[union-attr]
    assert map_type("tsvector[]").kind == "unsupported"


def test_numeric_bounds_follow_precision_and_scale() -> None:
    assert map_type("numeric(3,1)").numeric_bounds == (-99.9, 99.9)
    assert map_type("numeric").numeric_bounds is None
