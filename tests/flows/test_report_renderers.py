"""Renderers differ only in format: the same report data gives consistent Markdown, HTML, JUnit."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from flows.report import render_html, render_junit, render_markdown

REPORT = {
    "run_id": "20261204T101500Z-abcdef1-000001",
    "service": "users-service",
    "status": "failed",
    "halted_by": {"phase": "commit", "state": "GateFailed"},
    "started_at": "2026-12-04T10:15:00+00:00",
    "finished_at": "2026-12-04T10:15:30+00:00",
    "duration_s": 30.0,
    "evidence": "/tmp/runs/20261204T101500Z-abcdef1-000001",
    "git": {
        "base": "a" * 40,
        "head": "b" * 40,
        "base_ref": "merge-base(main)",
        "head_ref": "HEAD",
        "service_path": "",
        "changed_files": ["src/export.js"],
    },
    "phases": [
        {
            "name": "commit",
            "status": "failed",
            "state": "GateFailed",
            "duration_s": 12.5,
            "target_s": 180,
            "max_s": 300,
            "reason": None,
            "warnings": [],
            "agents": [
                {
                    "agent": "unit-tests",
                    "status": "passed",
                    "duration_s": 9.1,
                    "metrics": {"changed_lines_coverage": 12.5, "failed": 0.0},
                    "findings": 1,
                    "summary": "165 tests <all passed>",
                    "evidence": [],
                }
            ],
            "gate": {
                "passed": False,
                "baseline_run": None,
                "conditions": [
                    {
                        "expression": "unit-tests.changed_lines_coverage > 80",
                        "measured": 12.5,
                        "threshold": 80.0,
                        "baseline": None,
                        "passed": False,
                        "outcome": "failed",
                        "reason": "",
                    },
                    {
                        "expression": "unit-tests.failed == 0",
                        "measured": 0.0,
                        "threshold": 0.0,
                        "baseline": None,
                        "passed": True,
                        "outcome": "passed",
                        "reason": "",
                    },
                ],
            },
            "policy": {
                "policy": "block-merge",
                "actions": [{"action": "block", "result": "merge blocked", "record": "commit/commit-status.json"}],
            },
        },
        {
            "name": "build",
            "status": "not-run",
            "state": None,
            "duration_s": None,
            "target_s": None,
            "max_s": None,
            "reason": "not started: the pipeline was halted by the commit phase",
            "warnings": [],
            "agents": [],
            "gate": None,
            "policy": None,
        },
    ],
}


def test_junit_has_one_testcase_per_condition() -> None:
    root = ET.fromstring(render_junit(REPORT))
    cases = root.findall(".//testcase")
    assert [c.get("name") for c in cases] == ["unit-tests.changed_lines_coverage > 80", "unit-tests.failed == 0"]
    failure = cases[0].find("failure")
    assert failure is not None and "actual: 12.5" in failure.get("message", "")
    assert cases[1].find("failure") is None
    build = root.findall("testsuite")[1]
    assert build.get("tests") == "0" and build.find("properties") is not None


def test_markdown_shows_measured_and_threshold_and_policy() -> None:
    text = render_markdown(REPORT)
    assert "| `unit-tests.changed_lines_coverage > 80` | 12.5 | 80 | failed |" in text
    assert "Policy **block-merge** applied" in text
    assert "halted by the **commit** phase" in text


def test_html_is_self_contained_and_escaped() -> None:
    page = render_html(REPORT)
    assert "<svg" in page and "<script" not in page
    assert "http://" not in page and "https://" not in page
    assert "&lt;all passed&gt;" in page
