"""The ignore file: entries hide findings until they expire; a malformed file is an error."""

from __future__ import annotations

from datetime import date

import pytest

from tasks.contract_check import CATALOGUE, EXPIRED_RULE, Change, ContractError, Level, apply_ignores, parse_ignore_file

FILE = ".qeflow-contract-ignore.yaml"
TODAY = date(2026, 3, 1)
REMOVED = Change(
    "response-property-removed",
    Level.ERR,
    "GET /users/{id}",
    "GET /users/{id} response 200 application/json $.name",
    "property 'name' removed (schema User)",
    "$.name",
)
LISTED = Change(
    "response-property-removed",
    Level.ERR,
    "GET /users",
    "GET /users response 200 application/json $.items[*].name",
    "property 'name' removed (schema User)",
    "$.items[*].name",
)


def entries(text: str) -> list:
    return parse_ignore_file(text, FILE, CATALOGUE)


def entry(location: str, expires: str = "2026-06-30", check: str = "response-property-removed") -> str:
    return f"- check: {check}\n  location: '{location}'\n  reason: clients migrated (PLAT-142)\n  expires: {expires}\n"


@pytest.mark.parametrize(
    ("location", "hidden"),
    [
        ("GET /users/{id} response 200 application/json $.name", [REMOVED]),  # exact location
        ("GET /users/{id}", [REMOVED]),  # the operation
        ("$.items[*].name", [LISTED]),  # the JSON path, brackets taken literally
        ("GET /users*", [REMOVED, LISTED]),  # a glob
        ("*.name", [REMOVED, LISTED]),
        ("GET /users/?id?", [REMOVED]),
        ("POST /users", []),
    ],
)
def test_an_entry_hides_the_findings_of_its_check_at_its_location(location: str, hidden: list[Change]) -> None:
    outcome = apply_ignores([REMOVED, LISTED], entries(entry(location)), TODAY, FILE)
    assert [c for c, _ in outcome.ignored] == hidden
    assert outcome.kept == [c for c in (REMOVED, LISTED) if c not in hidden]
    assert outcome.expired == []
    assert outcome.unused == ([] if hidden else entries(entry(location)))


def test_an_entry_only_hides_its_own_check() -> None:
    outcome = apply_ignores(
        [REMOVED], entries(entry("GET /users/{id}", check="response-property-renamed")), TODAY, FILE
    )
    assert outcome.kept == [REMOVED]


def test_an_entry_is_valid_through_its_expiry_day() -> None:
    outcome = apply_ignores([REMOVED], entries(entry("GET /users/{id}", expires="2026-03-01")), TODAY, FILE)
    assert outcome.kept == [] and outcome.expired == []


def test_an_expired_entry_stops_hiding_and_becomes_a_warning() -> None:
    outcome = apply_ignores([REMOVED, LISTED], entries(entry("GET /users*", expires="2026-02-28")), TODAY, FILE)
    assert outcome.kept == [REMOVED, LISTED]
    assert outcome.ignored == []
    (warning,) = outcome.expired
    assert (warning.check, warning.level, warning.location) == (EXPIRED_RULE, Level.WARN, f"{FILE} entry 1")
    assert "expired on 2026-02-28" in warning.text
    assert "2 reported again" in warning.text
    assert "clients migrated (PLAT-142)" in warning.text


def test_the_file_may_wrap_its_entries_in_an_ignore_key_or_be_empty() -> None:
    assert len(entries("ignore:\n" + entry("GET /a").replace("- ", "  - ", 1).replace("\n  ", "\n    "))) == 1
    assert entries("") == []
    assert entries("ignore: []\n") == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "- check: response-property-removed\n  location: x\n  expires: 2026-01-01\n",
            f"{FILE}: entry 1: reason: Field required",
        ),
        (
            entry("x") + "- check: response-property-removed\n  location: x\n  reason: r\n",
            f"{FILE}: entry 2: expires: Field required",
        ),
        (entry("x", expires="next week"), f"{FILE}: entry 1: expires: Input should be a valid date"),
        (entry("x").replace("reason: clients migrated (PLAT-142)", "reason: '  '"), "a reason is required"),
        (entry("x", check="response-prop-removed"), f"{FILE}: entry 1: unknown check 'response-prop-removed'; valid: "),
        (entry("x") + "  owner: me\n", f"{FILE}: entry 1: owner: Extra inputs are not permitted"),
        ("check: response-property-removed\n", f"{FILE}: expected a list of entries"),
        ("- just a string\n", f"{FILE}: entry 1: expected a mapping"),
        ("- check: [\n", f"{FILE}: not valid YAML"),
    ],
    ids=[
        "no-reason",
        "no-expiry",
        "bad-date",
        "blank-reason",
        "unknown-check",
        "unknown-key",
        "not-a-list",
        "not-a-mapping",
        "yaml",
    ],
)
def test_a_malformed_ignore_file_names_the_file_and_the_entry(text: str, message: str) -> None:
    with pytest.raises(ContractError) as raised:
        entries(text)
    assert message in str(raised.value)
