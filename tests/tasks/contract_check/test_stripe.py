"""Stripe's public OpenAPI description at three dates (shared/data/openapi beside the repo).

2021-06-04 -> 2021-06-07 is a realistic additive change: nothing may be reported as breaking.
2021-06-04 -> 2022-02-23 has real breaks; the ones asserted here were checked by hand against
both documents (see the comments). Timing is measured in bench/contract_diff.py, not here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tasks.contract_check import ContractDiff, Document, Level, diff_documents, load_document, path_reader

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "openapi"
FILES = {
    "2021-06-04": "stripe-spec3-2021-06-04-84df223f.json",
    "2021-06-07": "stripe-spec3-2021-06-07-fd1e5f8f.json",
    "2022-02-23": "stripe-spec3-2022-02-23-2775931b.json",
}


@pytest.fixture(scope="module")
def stripe() -> dict[str, Document]:
    missing = [name for name in FILES.values() if not (DATA / name).is_file()]
    if missing:
        pytest.skip(f"Stripe OpenAPI documents not found in {DATA.resolve()} (missing: {', '.join(missing)})")
    docs = {}
    for date, name in FILES.items():
        doc = load_document(path_reader(DATA), name)
        assert doc is not None
        docs[date] = doc
    return docs


def found(result: ContractDiff, check: str, location: str) -> list[str]:
    return [c.text for c in result.changes if c.check == check and c.location == location]


def test_the_three_day_additive_change_reports_no_breaking_change(stripe: dict[str, Document]) -> None:
    result = diff_documents(stripe["2021-06-04"], stripe["2021-06-07"])
    assert [c.message for c in result.changes if c.level is Level.ERR] == []
    assert (result.added, result.removed) == ([], [])
    # What did change is seen: a new optional request field and its response counterpart...
    assert found(
        result,
        "request-optional-property-added",
        "POST /v1/checkout/sessions request application/x-www-form-urlencoded $.tax_id_collection",
    ) == ["optional property 'tax_id_collection' added"]
    # ...and terminal.reader.location, a string that became expandable (anyOf string | object).
    assert found(
        result, "response-variant-added", "GET /v1/terminal/readers/{reader} response 200 application/json $.location"
    ) == ["anyOf variant terminal.location added (schema terminal.reader)"]
    assert {c.level for c in result.changes} == {Level.WARN, Level.INFO}


def test_the_nine_month_change_reports_real_breaks(stripe: dict[str, Document]) -> None:
    result = diff_documents(stripe["2021-06-04"], stripe["2022-02-23"])
    assert sum(c.level is Level.ERR for c in result.changes) > 0
    # POST /v1/prices lookup_key: maxLength 5000 in 2021-06-04, 200 in 2022-02-23.
    assert found(
        result, "request-max-length-decreased", "POST /v1/prices request application/x-www-form-urlencoded $.lookup_key"
    ) == ["maxLength 5000 -> 200"]
    # tax_rate.tax_type: enum [gst, hst, pst, qst, sales_tax, vat] gained jct and rst.
    assert found(
        result, "response-enum-value-added", "GET /v1/tax_rates/{tax_rate} response 200 application/json $.tax_type"
    ) == ['enum value(s) "jct", "rst" added (schema tax_rate)']
    # POST /v1/checkout/sessions: shipping_rates (array of strings) is gone from a request body
    # with additionalProperties: false; shipping_options (array of objects) is not a rename.
    assert found(
        result,
        "request-property-rejected",
        "POST /v1/checkout/sessions request application/x-www-form-urlencoded $.shipping_rates",
    ) == ["property 'shipping_rates' removed and no longer accepted"]
    # three_d_secure_details: required [result, version] dropped, both now nullable.
    three_ds = (
        "GET /v1/payment_methods/{payment_method} response 200 application/json "
        "$.card.generated_from.setup_attempt.payment_method_details.card.three_d_secure.result"
    )
    assert found(result, "response-property-made-optional", three_ds) == [
        "property 'result' made optional (schema three_d_secure_details)"
    ]
    assert found(result, "response-property-made-nullable", three_ds) == [
        "may now be null (schema three_d_secure_details)"
    ]
    # GET /v1/balance/history lost its available_on filter (WARN: a removed parameter).
    assert found(result, "parameter-removed", "GET /v1/balance/history parameter query:available_on") == [
        "parameter removed"
    ]
    assert len(result.added) == 23 and result.removed == []
