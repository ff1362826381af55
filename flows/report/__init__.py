"""Run reports: one data model (report.json), separate renderers (Markdown, HTML, JUnit)."""

from __future__ import annotations

import json
from typing import Any

from flows.report.build import build_report
from flows.report.html import render_html
from flows.report.junit import render_junit
from flows.report.markdown import render_markdown
from tasks.evidence import RunDir

__all__ = ["REPORT_FILES", "build_report", "render_html", "render_junit", "render_markdown", "write_reports"]

REPORT_FILES = ("report.json", "report.md", "report.html", "gates.junit.xml")


def write_reports(run: RunDir, report: dict[str, Any]) -> None:
    run.path("report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    run.path("report.md").write_text(render_markdown(report), encoding="utf-8")
    run.path("report.html").write_text(render_html(report), encoding="utf-8")
    run.path("gates.junit.xml").write_text(render_junit(report), encoding="utf-8")
