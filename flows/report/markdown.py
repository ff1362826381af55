"""report.md: the run report as Markdown (also the body of PR comments later)."""

from __future__ import annotations

from typing import Any

__all__ = ["render_markdown"]


def fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)


def render_markdown(report: dict[str, Any]) -> str:
    git = report["git"]
    lines = [
        f"# qeflow run {report['run_id']}: {report['status'].upper()}",
        "",
        f"- service: **{report['service']}**",
        f"- head `{git['head'][:10]}` ({git['head_ref']}), base `{git['base'][:10]}` ({git['base_ref']}), "
        f"{len(git['changed_files'])} changed file(s)",
        f"- duration: {fmt(report['duration_s'])}s",
        f"- evidence: `{report['evidence']}`",
        f"- selected because: {'; '.join(report.get('selected_because') or ['(not recorded)'])}",
    ]
    for phase in report.get("added_phases") or []:
        lines.append(f"- {phase} ran first: no stored evidence of it for this head")
    for phase, run_id in (report.get("reused") or {}).items():
        lines.append(f"- {phase} not rerun: its evidence is reused from run `{run_id}`")
    if report.get("halted_by"):
        lines.append(f"- halted by the **{report['halted_by']['phase']}** phase ({report['halted_by']['state']})")
    lines += ["", "| phase | status | time | target / max |", "|---|---|---|---|"]
    for phase in report["phases"]:
        lines.append(
            f"| {phase['name']} | {phase['status']} | {fmt(phase['duration_s'])}s | "
            f"{fmt(phase['target_s'])} / {fmt(phase['max_s'])}s |"
        )
    for phase in report["phases"]:
        lines += ["", f"## {phase['name']}: {phase['status']}"]
        if phase.get("reason"):
            lines += ["", phase["reason"]]
        for warning in phase["warnings"]:
            lines += ["", f"> warning: {warning}"]
        if phase["agents"]:
            lines += ["", "| agent | status | time | findings | summary |", "|---|---|---|---|---|"]
            lines += [
                f"| {a['agent']} | {a['status']} | {fmt(a['duration_s'])}s | {a['findings']} | {a['summary']} |"
                for a in phase["agents"]
            ]
        gate = phase.get("gate")
        if gate:
            lines += [
                "",
                f"Gate: **{'passed' if gate['passed'] else 'FAILED'}**"
                + (f" (baseline run {gate['baseline_run']})" if gate.get("baseline_run") else ""),
                "",
                "| condition | measured | threshold | result |",
                "|---|---|---|---|",
            ]
            for c in gate["conditions"]:
                result = c["outcome"] + (f": {c['reason']}" if c["reason"] else "")
                lines.append(f"| `{c['expression']}` | {fmt(c['measured'])} | {fmt(c['threshold'])} | {result} |")
        policy = phase.get("policy")
        if policy:
            lines += ["", f"Policy **{policy['policy']}** applied:"]
            lines += [
                f"- {a['action']}: {a['result']}" + (f" (`{a['record']}`)" if a.get("record") else "")
                for a in policy["actions"]
            ]
    return "\n".join(lines) + "\n"
