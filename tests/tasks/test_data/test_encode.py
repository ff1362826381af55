"""COPY text encoding: NULLs, escapes, arrays, JSON."""

from __future__ import annotations

from tasks.test_data.encode import array_literal, copy_text, encode_column
from tasks.test_data.types import map_type


def test_text_with_special_characters_is_escaped() -> None:
    fields = encode_column(["plain", "tab\there", "line\nbreak", "back\\slash", None], map_type("text"))
    assert fields == ["plain", "tab\\there", "line\\nbreak", "back\\\\slash", "\\N"]


def test_plain_columns_are_joined_as_they_are() -> None:
    assert encode_column([1, None, 3], map_type("integer")) == ["1", "\\N", "3"]
    assert encode_column([True, False], map_type("boolean")) == ["t", "f"]


def test_arrays_and_json_become_postgres_literals() -> None:
    assert array_literal(["a", 'b "c"', None, 3]) == '{"a","b \\"c\\"",NULL,3}'
    assert encode_column([["x", "y z"]], map_type("text[]")) == ['{"x","y z"}']
    assert encode_column([{"b": 1, "a": "x\\y"}], map_type("jsonb")) == ['{"a": "x\\\\\\\\y", "b": 1}']


def test_copy_text_is_tab_separated_lines() -> None:
    assert copy_text([["1", "2"], ["a", "\\N"]]) == b"1\ta\n2\t\\N\n"
    assert copy_text([]) == b""
