"""psql's verbose error output read into structured fields."""

from __future__ import annotations

from tasks.test_data.psql import parse_error, quote_ident

UNIQUE = """\
ERROR:  23505: duplicate key value violates unique constraint "u_email_key"
DETAIL:  Key (email)=(a@x) already exists.
CONTEXT:  COPY u, line 2
SCHEMA NAME:  public
TABLE NAME:  u
CONSTRAINT NAME:  u_email_key
LOCATION:  _bt_check_unique, nbtinsert.c:664
"""
CHECK = """\
psql:<stdin>:3: ERROR:  23514: new row for relation "u" violates check constraint "u_n_check"
DETAIL:  Failing row contains (5, d@x, 0).
CONTEXT:  COPY u, line 1: "d@x	0"
TABLE NAME:  u
CONSTRAINT NAME:  u_n_check
"""
SYNTAX = """\
ERROR:  42601: syntax error at or near "SELEC"
LINE 1: SELEC 1
        ^
LOCATION:  scanner_yyerror, scan.l:1188
"""


def test_a_unique_violation_names_table_constraint_and_line() -> None:
    error = parse_error(UNIQUE)
    assert error is not None
    assert (error.sqlstate, error.table, error.constraint, error.line) == ("23505", "u", "u_email_key", 2)
    assert error.is_violation
    assert "already exists" in error.describe() and "COPY line 2" in error.describe()


def test_a_check_violation_from_a_script_is_read_too() -> None:
    error = parse_error(CHECK)
    assert error is not None
    assert (error.sqlstate, error.constraint, error.line) == ("23514", "u_n_check", 1)


def test_other_errors_are_not_violations() -> None:
    error = parse_error(SYNTAX)
    assert error is not None and not error.is_violation
    assert parse_error("psql: warning: nothing") is None


def test_identifiers_are_always_quoted() -> None:
    assert quote_ident("Order") == '"Order"'
    assert quote_ident('a"b') == '"a""b"'


def test_data_exceptions_refuse_rows_too() -> None:
    error = parse_error(
        'ERROR:  22001: value too long for type character varying(3)\nCONTEXT:  COPY t, line 4, column c: "abcd"\n'
    )
    assert error is not None and error.is_violation
    assert error.culprit == "SQLSTATE 22001" and error.line == 4
