"""CHECK definitions (as pg_get_constraintdef prints them, and as written) parsed into rules."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tasks.test_data.checks import Allowed, Bound, Compare, Excluded, NotNull, parse_check

UNDERSTOOD = [
    ("CHECK ((role = ANY (ARRAY['admin'::text, 'member'::text])))", [Allowed("role", ("admin", "member"))]),
    ("CHECK (role IN ('admin', 'member'))", [Allowed("role", ("admin", "member"))]),
    (
        "CHECK (((status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])))",
        [Allowed("status", ("a", "b"))],
    ),
    ("CHECK ((qty > 0))", [Bound("qty", ">", 0)]),
    ("CHECK ((-5 < x))", [Bound("x", ">", -5)]),
    ("CHECK ((price > (0)::numeric))", [Bound("price", ">", 0)]),
    ("CHECK ((d >= 0.5))", [Bound("d", ">=", Decimal("0.5"))]),
    ("CHECK (((n >= 1) AND (n <= 5)))", [Bound("n", ">=", 1), Bound("n", "<=", 5)]),
    ("CHECK (n BETWEEN 1 AND 5)", [Bound("n", ">=", 1), Bound("n", "<=", 5)]),
    (
        "CHECK (((char_length(email) >= 3) AND (char_length(email) <= 254)))",
        [Bound("email", ">=", 3, on="length"), Bound("email", "<=", 254, on="length")],
    ),
    (
        "CHECK (char_length(email) BETWEEN 3 AND 254)",
        [Bound("email", ">=", 3, on="length"), Bound("email", "<=", 254, on="length")],
    ),
    ("CHECK ((length(code) <= 8))", [Bound("code", "<=", 8, on="length")]),
    ("CHECK ((e > '2020-01-01'::date))", [Bound("e", ">", "2020-01-01")]),
    ("CHECK ((name <> ''::text))", [Excluded("name", ("",))]),
    ("CHECK ((kind NOT IN ('x', 'y')))", [Excluded("kind", ("x", "y"))]),
    ("CHECK ((ends_at > starts_at))", [Compare("ends_at", ">", "starts_at")]),
    ("CHECK ((note IS NOT NULL))", [NotNull("note")]),
    ('CHECK (("Weird Col" >= 2))', [Bound("Weird Col", ">=", 2)]),
    ("CHECK ((qty > 0)) NOT VALID", [Bound("qty", ">", 0)]),
]

UNKNOWN = [
    "CHECK ((email ~* '^.+@.+$'::text))",  # regular expression
    "CHECK (((a < b) OR (a IS NULL)))",  # OR
    "CHECK ((lower(email) = email))",  # a function other than length
    "CHECK (((a + b) > 0))",  # arithmetic
    "CHECK ((x IS NULL))",
]


@pytest.mark.parametrize(("definition", "rules"), UNDERSTOOD)
def test_simple_forms_are_understood(definition: str, rules: list[object]) -> None:
    parsed = parse_check("c", definition)
    assert not parsed.unknown
    assert list(parsed.rules) == rules


@pytest.mark.parametrize("definition", UNKNOWN)
def test_other_forms_are_marked_for_verification_by_the_database(definition: str) -> None:
    parsed = parse_check("c", definition)
    assert parsed.unknown
    assert parsed.rules == ()


def test_understood_conjuncts_are_kept_beside_an_unknown_one() -> None:
    parsed = parse_check("c", "CHECK (((qty > 0) AND ((qty % 2) = 0)))")
    assert parsed.unknown
    assert parsed.rules == (Bound("qty", ">", 0),)


def test_domain_checks_say_value_for_the_column() -> None:
    parsed = parse_check("posint_check", "CHECK ((VALUE > 0))", value_column="weight")
    assert parsed.rules == (Bound("weight", ">", 0),)
    assert parsed.value_column == "weight"


def test_garbage_is_unknown_not_an_exception() -> None:
    assert parse_check("c", "CHECK (((((").unknown
    assert parse_check("c", "CHECK (E'\\n' = x)").unknown
