"""gates.junit.xml: one testcase per gate condition, so any CI shows gate results natively."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET

from flows.report.markdown import fmt

__all__ = ["render_junit"]


def render_junit(report: dict[str, Any]) -> str:
    suites = ET.Element("testsuites", name=f"qeflow {report['run_id']}")
    for phase in report["phases"]:
        gate = phase.get("gate")
        conditions = gate["conditions"] if gate else []
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=f"{report['service']}.{phase['name']}",
            tests=str(len(conditions)),
            failures=str(sum(1 for c in conditions if c["outcome"] == "failed")),
            skipped=str(sum(1 for c in conditions if c["outcome"] == "skipped")),
            time=f"{phase['duration_s'] or 0:.3f}",
        )
        if not gate:
            props = ET.SubElement(suite, "properties")
            ET.SubElement(props, "property", name="status", value=phase["status"])
            ET.SubElement(props, "property", name="reason", value=phase.get("reason") or "")
        for c in conditions:
            case = ET.SubElement(suite, "testcase", classname=f"{phase['name']}.gate", name=c["expression"])
            detail = f"measured {fmt(c['measured'])}, threshold {fmt(c['threshold'])}"
            if c["outcome"] == "failed":
                failure = ET.SubElement(case, "failure", message=f"{c['expression']} — actual: {fmt(c['measured'])}")
                failure.text = detail + (f"; {c['reason']}" if c["reason"] else "")
            elif c["outcome"] == "skipped":
                ET.SubElement(case, "skipped", message=c["reason"] or "skipped")
            else:
                ET.SubElement(case, "system-out").text = detail
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
