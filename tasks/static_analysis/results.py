"""What the agent reports from its findings: metrics, the report's findings list, the summary line."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from tasks.report import Finding, Severity
from tasks.static_analysis.execution import JobOutcome
from tasks.static_analysis.model import ToolFinding

__all__ = [
    "MAX_DEBT_FINDINGS",
    "MAX_NEW_FINDINGS",
    "SEVERITY_ORDER",
    "build_metrics",
    "by_severity",
    "report_findings",
    "summarise",
]

MAX_NEW_FINDINGS = 200  # in the report; findings.json and the SARIF log hold all of them
MAX_DEBT_FINDINGS = 50  # critical and high debt only
SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)
_RANK = {severity: i for i, severity in enumerate(SEVERITY_ORDER)}
DETAILS_FILES = "findings.json and static-analysis.sarif"


def by_severity(findings: Iterable[ToolFinding]) -> Counter[Severity]:
    return Counter(f.severity for f in findings)


def build_metrics(
    findings: list[ToolFinding], outcomes: Sequence[JobOutcome], files_scanned: int, base_files: int, errors: int
) -> dict[str, float]:
    new = [f for f in findings if f.new]
    debt = [f for f in findings if not f.new]
    new_counts, debt_counts = by_severity(new), by_severity(debt)
    metrics = {
        "findings_total": float(len(findings)),
        "new_total": float(len(new)),
        "new_critical": float(new_counts[Severity.CRITICAL]),
        "new_high": float(new_counts[Severity.HIGH]),
        "new_medium": float(new_counts[Severity.MEDIUM]),
        "new_low": float(new_counts[Severity.LOW]),
        "debt_total": float(len(debt)),
        "debt_critical": float(debt_counts[Severity.CRITICAL]),
        "files_scanned": float(files_scanned),
        "base_files": float(base_files),
        "analysis_errors": float(errors),
    }
    for outcome in outcomes:
        key = f"{outcome.job.analyzer.value}_s"
        metrics[key] = round(metrics.get(key, 0.0) + outcome.result.duration_s, 3)
    return metrics


def report_findings(findings: list[ToolFinding], service_path: str) -> list[Finding]:
    new = sorted((f for f in findings if f.new), key=lambda f: (_RANK[f.severity], f.path, f.start_line))
    debt = sorted(
        (f for f in findings if not f.new and f.severity in (Severity.CRITICAL, Severity.HIGH)),
        key=lambda f: (_RANK[f.severity], f.path, f.start_line),
    )
    out = [
        Finding(rule=f.qualified_rule, severity=f.severity, message=f.message, location=f.location(service_path))
        for f in new[:MAX_NEW_FINDINGS]
    ]
    if len(new) > MAX_NEW_FINDINGS:
        out.append(
            Finding(
                rule="static-analysis/truncated",
                severity=Severity.INFO,
                message=f"{len(new) - MAX_NEW_FINDINGS} more new findings in {DETAILS_FILES}",
            )
        )
    out += [
        Finding(
            rule=f.qualified_rule,
            severity=f.severity,
            message=f"(debt: existing before this change) {f.message}",
            location=f.location(service_path),
        )
        for f in debt[:MAX_DEBT_FINDINGS]
    ]
    return out


def _counts(findings: Iterable[ToolFinding]) -> str:
    counts = by_severity(findings)
    return ", ".join(f"{counts[s]} {s.value}" for s in SEVERITY_ORDER)


def summarise(findings: list[ToolFinding], analyzers: Sequence[str], files: int, notes: Sequence[str]) -> str:
    new = [f for f in findings if f.new]
    debt = [f for f in findings if not f.new]
    tools = ", ".join(analyzers) or "no analyzer"
    text = (
        f"{len(new)} new finding{'s' if len(new) != 1 else ''} ({_counts(new)}); "
        f"{len(debt)} existing (debt: {by_severity(debt)[Severity.CRITICAL]} critical); "
        f"{tools} on {files} file{'s' if files != 1 else ''}"
    )
    return text + "".join(f"; {note}" for note in notes)
