"""Every check of the catalogue fires on its own case and stays quiet on a near miss."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tasks.contract_check import CATALOGUE, Change, Document, Level, diff_documents
from tests.tasks.contract_check.cases import CASES

KEBAB = re.compile(r"^[a-z]+(-[a-z0-9]+)+$")


def diff(base: dict[str, Any], head: dict[str, Any]) -> list[Change]:
    return diff_documents(
        Document("openapi.yaml", base, {"openapi.yaml": base}), Document("openapi.yaml", head, {"openapi.yaml": head})
    ).changes


def test_the_catalogue_has_at_least_60_checks_with_stable_kebab_ids() -> None:
    assert len(CATALOGUE) >= 60
    for check_id, check in CATALOGUE.items():
        assert KEBAB.match(check_id), check_id
        assert check.id == check_id == check.fn.__name__.replace("_", "-")
        assert check.description and "\n" not in check.description and check.description.endswith(".")
        assert check.level in (Level.ERR, Level.WARN, Level.INFO)


def test_every_check_has_a_firing_and_a_quiet_case() -> None:
    assert sorted(CASES) == sorted(CATALOGUE), "add a (fires, quiet) pair to cases.py for each check"


def test_every_level_is_used() -> None:
    assert {c.level for c in CATALOGUE.values()} == {Level.ERR, Level.WARN, Level.INFO}


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_check_fires(check_id: str) -> None:
    (base, head), _ = CASES[check_id]
    found = [c for c in diff(base, head) if c.check == check_id]
    assert found, f"{check_id} did not fire; got {[c.message for c in diff(base, head)]}"
    for change in found:
        assert change.level is CATALOGUE[check_id].level
        assert change.message.startswith(f"[{change.level}] ")
        assert change.location in change.message
        if change.operation is not None:
            assert change.location.startswith(change.operation)
            assert re.match(r"^(GET|POST|PUT|PATCH|DELETE) /", change.operation)


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_check_stays_quiet(check_id: str) -> None:
    _, (base, head) = CASES[check_id]
    found = [c.message for c in diff(base, head) if c.check == check_id]
    assert found == []


def test_identical_documents_have_no_change() -> None:
    for (base, _), _ in CASES.values():
        assert diff(base, base) == []
