"""Console rendering of a run report: the phase list and the table of every gate condition."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

__all__ = ["print_monorepo", "print_report"]

_STYLE = {
    "passed": "green",
    "failed": "bold red",
    "error": "bold red",
    "timed-out": "bold red",
    "skipped": "dim",
    "not-run": "dim",
}


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def print_report(report: dict[str, Any], console: Console | None = None) -> None:
    if console is None:
        console = Console(highlight=False)
        if not console.is_terminal:
            console.width = max(console.width, 120)  # CI logs are wide; 80 columns fold every condition
    table = Table(title=f"Gates of run {report['run_id']}", show_lines=False)
    for column in ("phase", "condition", "measured", "threshold", "result"):
        table.add_column(column)
    for phase in report["phases"]:
        gate = phase.get("gate")
        if not gate:
            table.add_row(
                phase["name"],
                f"[dim]{phase.get('reason') or phase['status']}[/dim]",
                "",
                "",
                f"[{_STYLE.get(phase['status'], '')}]{phase['status']}[/]",
            )
            continue
        for c in gate["conditions"]:
            style = _STYLE.get(c["outcome"], "")
            result = f"[{style}]{'pass' if c['outcome'] == 'passed' else c['outcome']}[/]"
            if c["reason"]:
                result += f" [dim]({c['reason']})[/dim]"
            table.add_row(phase["name"], c["expression"], _num(c["measured"]), _num(c["threshold"]), result)
    console.print(table)
    for phase in report["phases"]:
        for warning in phase["warnings"]:
            console.print(f"[yellow]warning[/yellow] {phase['name']}: {warning}")
        if phase.get("policy"):
            actions = "; ".join(f"{a['action']}: {a['result']}" for a in phase["policy"]["actions"])
            console.print(f"[red]policy[/red] {phase['name']} → {phase['policy']['policy']}: {actions}")
    status = report["status"]
    colour = "green" if status == "passed" else "red"
    console.print(
        f"[bold {colour}]{status.upper()}[/] in {_num(report['duration_s'])}s — reports in {report['evidence']}"
    )


def print_monorepo(summary: dict[str, Any], console: Console | None = None) -> None:
    """Which services ran and why, then each selected service's gate table."""
    console = console or Console(highlight=False)
    table = Table(title=f"Services changed between {summary['base'][:10]} and {summary['head'][:10]}")
    for column in ("service", "ran", "why", "result"):
        table.add_column(column)
    for entry in summary["services"]:
        report = entry.get("report")
        status = report["status"] if report else "not-run"
        why = "; ".join(entry["reasons"]) or "nothing it owns or consumes changed"
        table.add_row(
            entry["service"], "yes" if entry["selected"] else "no", why, f"[{_STYLE.get(status, '')}]{status}[/]"
        )
    console.print(table)
    for entry in summary["services"]:
        if entry.get("report"):
            print_report(entry["report"], console)
