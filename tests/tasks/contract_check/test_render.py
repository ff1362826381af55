"""Evidence renderers: the changelog puts ERR first and counts distinct breaks; JUnit per check."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from tasks.contract_check import (
    Change,
    ContractSummary,
    IgnoreEntry,
    Level,
    changelog_markdown,
    findings_json,
    junit_xml,
)

ERR = Change(
    "response-property-removed",
    Level.ERR,
    "GET /b",
    "GET /b response 200 application/json $.name",
    "property 'name' removed (schema User)",
    "$.name",
)
ERR2 = Change(
    "response-property-removed",
    Level.ERR,
    "GET /c",
    "GET /c response 200 application/json $.name",
    "property 'name' removed (schema User)",
    "$.name",
)
INFO = Change("operation-added", Level.INFO, "GET /a", "GET /a", "operation added")
WARN = Change("server-removed", Level.WARN, None, "servers", "server http://x removed")
ENTRY = IgnoreEntry(check="operation-removed", location="DELETE /z", reason="gone for good", expires=date(2999, 1, 1))
IGNORED = Change("operation-removed", Level.ERR, "DELETE /z", "DELETE /z", "operation removed")


def summary(*findings: Change, ignored: bool = False) -> ContractSummary:
    return ContractSummary(
        kind="openapi",
        spec="openapi.yaml",
        base="a" * 40,
        head="b" * 40,
        findings=list(findings),
        ignored=[(IGNORED, ENTRY)] if ignored else [],
        checks_run=["operation-added", "response-property-removed", "server-removed", "path-removed"],
        operations={"added": ["GET /a"], "changed": ["GET /b", "GET /c"], "removed": []},
        metrics={"diff_s": 0.0123},
    )


def test_the_changelog_lists_operations_with_errors_first_and_each_break_once() -> None:
    text = changelog_markdown(summary(INFO, WARN, ERR, ERR2, ignored=True))
    assert text.startswith(
        "# API contract changes: `openapi.yaml`\n\n"
        "openapi · base `aaaaaaaaaa` → head `bbbbbbbbbb` · **2 ERR**, 1 WARN, 1 INFO · 1 ignored\n"
    )
    assert "Operations: 1 added, 2 changed, 0 removed." in text
    assert "| `response-property-removed` | property 'name' removed (schema User) | 2 |" in text
    order = [text.index(h) for h in ("## GET /b", "## GET /c", "## (document)", "## GET /a", "## Ignored")]
    assert order == sorted(order)
    assert "- **ERR** `response-property-removed` response 200 application/json $.name: property 'name' removed" in text
    assert "- **WARN** `server-removed` servers: server http://x removed" in text
    assert "- `operation-removed` DELETE /z: gone for good (until 2999-01-01)" in text


def test_an_empty_changelog_says_so() -> None:
    assert changelog_markdown(summary()).endswith("No contract change.\n")


def test_junit_has_one_testcase_per_check_run_and_fails_on_err_only() -> None:
    root = ET.fromstring(junit_xml(summary(INFO, WARN, ERR, ERR2)))
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("time")) == ("4", "1", "0.012")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == ["operation-added", "response-property-removed", "server-removed", "path-removed"]
    failure = cases["response-property-removed"].find("failure")
    assert failure is not None and failure.text is not None and failure.text.count("[ERR]") == 2
    assert cases["server-removed"].find("failure") is None
    assert "server http://x removed" in (cases["server-removed"].findtext("system-out") or "")
    assert list(cases["path-removed"]) == []


def test_findings_json_carries_findings_ignored_and_operations() -> None:
    data = findings_json(summary(ERR, ignored=True))
    assert data["findings"][0] == {
        "check": "response-property-removed",
        "level": "ERR",
        "operation": "GET /b",
        "location": "GET /b response 200 application/json $.name",
        "path": "$.name",
        "text": "property 'name' removed (schema User)",
        "message": "[ERR] GET /b response 200 application/json $.name: property 'name' removed (schema User)",
    }
    assert data["ignored"][0]["ignored_by"] == {
        "check": "operation-removed",
        "location": "DELETE /z",
        "reason": "gone for good",
        "expires": "2999-01-01",
    }
    assert data["operations"]["changed"] == ["GET /b", "GET /c"]


def test_junit_of_a_run_with_nothing_to_compare_has_one_skipped_testcase() -> None:
    empty = summary()
    empty.checks_run, empty.note = [], "no OpenAPI document at base (openapi.yaml not in aaaaaaaaaa)"
    suite = ET.fromstring(junit_xml(empty)).find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("skipped")) == ("1", "1")
    skipped = suite.find("testcase/skipped")
    assert skipped is not None and skipped.get("message") == empty.note
