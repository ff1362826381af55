"""Evidence of a contract check, rendered from one summary: JSON, Markdown changelog, JUnit XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from tasks.contract_check.engine import Change
from tasks.contract_check.ignore import IgnoreEntry
from tasks.contract_check.model import Level

__all__ = ["ContractSummary", "changelog_markdown", "findings_json", "junit_xml"]

_DOCUMENT = "(document)"


@dataclass
class ContractSummary:
    """Everything the renderers need; built once by the agent."""

    kind: str  # "openapi" | "graphql"
    spec: str  # repo-relative path of the document
    base: str
    head: str
    findings: list[Change]  # after levels and ignores, expired-ignore warnings included
    ignored: list[tuple[Change, IgnoreEntry]] = field(default_factory=list)
    checks_run: list[str] = field(default_factory=list)
    operations: dict[str, list[str]] = field(default_factory=dict)  # added / changed / removed
    metrics: dict[str, float] = field(default_factory=dict)
    note: str = ""  # e.g. "no document at base"

    def count(self, level: Level) -> int:
        return sum(1 for f in self.findings if f.level is level)


def findings_json(s: ContractSummary) -> dict[str, Any]:
    return {
        "kind": s.kind,
        "spec": s.spec,
        "base": s.base,
        "head": s.head,
        "note": s.note,
        "metrics": s.metrics,
        "operations": s.operations,
        "findings": [f.to_json() for f in s.findings],
        "ignored": [
            {**c.to_json(), "ignored_by": {**e.model_dump(mode="json"), "expires": e.expires.isoformat()}}
            for c, e in s.ignored
        ],
        "checks_run": s.checks_run,
    }


def _sorted(findings: list[Change]) -> list[Change]:
    return sorted(findings, key=lambda f: (f.level.rank, f.location, f.check))


def changelog_markdown(s: ContractSummary) -> str:
    errs, warns, infos = s.count(Level.ERR), s.count(Level.WARN), s.count(Level.INFO)
    lines = [
        f"# API contract changes: `{s.spec}`",
        "",
        f"{s.kind} · base `{s.base[:10]}` → head `{s.head[:10]}` · **{errs} ERR**, {warns} WARN, {infos} INFO"
        + (f" · {len(s.ignored)} ignored" if s.ignored else ""),
    ]
    if s.note:
        lines += ["", s.note]
    ops = s.operations
    if ops:
        lines += [
            "",
            f"Operations: {len(ops.get('added', []))} added, {len(ops.get('changed', []))} changed, "
            f"{len(ops.get('removed', []))} removed.",
        ]
    distinct = Counter((f.check, f.text) for f in s.findings if f.level is Level.ERR)
    if distinct and len(distinct) < errs:
        lines += ["", "## Breaking changes, each counted once", "", "| check | change | places |", "|---|---|---|"]
        for (check, text), n in distinct.most_common():
            cell = text.replace("|", "\\|")
            lines.append(f"| `{check}` | {cell} | {n} |")
    groups: dict[str, list[Change]] = defaultdict(list)
    for finding in s.findings:
        groups[finding.operation or _DOCUMENT].append(finding)
    order = sorted(groups, key=lambda op: (min(f.level.rank for f in groups[op]), op == _DOCUMENT, op))
    for op in order:
        lines += ["", f"## {op}", ""]
        for f in _sorted(groups[op]):
            where = f.location[len(op) :].strip() if f.operation and f.location.startswith(op) else f.location
            lines.append(f"- **{f.level}** `{f.check}` " + (f"{where}: {f.text}" if where else f.text))
    if s.ignored:
        lines += ["", "## Ignored (accepted in the ignore file)", ""]
        for change, entry in s.ignored:
            lines.append(f"- `{change.check}` {change.location}: {entry.reason} (until {entry.expires})")
    if not s.findings and not s.ignored:
        lines += ["", "No contract change."]
    return "\n".join(lines) + "\n"


def junit_xml(s: ContractSummary) -> str:
    """One testcase per check run; ERR findings are failures, others go to system-out."""
    by_check: dict[str, list[Change]] = defaultdict(list)
    for finding in s.findings:
        by_check[finding.check].append(finding)
    names = list(dict.fromkeys([*s.checks_run, *by_check]))
    failures = sum(1 for n in names if any(f.level is Level.ERR for f in by_check.get(n, ())))
    suite = ET.Element(
        "testsuite",
        name=f"contract-check {s.spec}",
        tests=str(len(names)),
        failures=str(failures),
        errors="0",
        skipped="0",
        time=f"{s.metrics.get('diff_s', 0.0):.3f}",
    )
    for name in names:
        case = ET.SubElement(suite, "testcase", classname="contract-check", name=name, time="0")
        found = by_check.get(name, [])
        errs = [f for f in found if f.level is Level.ERR]
        if errs:
            failure = ET.SubElement(case, "failure", message=f"{len(errs)} breaking change(s)", type=name)
            failure.text = "\n".join(f.message for f in errs)
        others = [f for f in found if f.level is not Level.ERR]
        if others:
            ET.SubElement(case, "system-out").text = "\n".join(f.message for f in others)
    if not names:  # nothing compared (no document at base): say so rather than report zero tests
        case = ET.SubElement(suite, "testcase", classname="contract-check", name="contract-diff", time="0")
        ET.SubElement(case, "skipped", message=s.note or "nothing to compare")
        suite.set("tests", "1")
        suite.set("skipped", "1")
    root = ET.Element("testsuites", name="contract-check", tests=suite.get("tests", "0"), failures=str(failures))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
