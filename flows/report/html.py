"""report.html: one self-contained file (inline CSS and SVG plots, no scripts, no fetches)."""

from __future__ import annotations

from html import escape
from typing import Any

from flows.report.markdown import fmt

__all__ = ["render_html"]

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;color:#1d232a}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.6rem 0;width:100%}td,th{border:1px solid #d6dbe0;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f5f7}code{font-size:.9em}
.passed{color:#176f2c;font-weight:600}.failed,.error,.timed-out{color:#b3261e;font-weight:600}
.skipped,.not-run{color:#6b7280}.warn{background:#fff7e0;padding:.4rem .6rem;border-left:4px solid #e0a100}
svg text{font:12px system-ui,sans-serif}
"""


def _status(text: str) -> str:
    return f'<span class="{escape(text)}">{escape(text)}</span>'


def _bar_chart(title: str, rows: list[tuple[str, float, str]]) -> str:
    """Horizontal bars, one per row: (label, value, css colour)."""
    if not rows:
        return ""
    width, bar_h, label_w = 640, 22, 240
    top = max(v for _, v, _ in rows) or 1.0
    height = len(rows) * (bar_h + 6) + 30
    parts = [
        f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}">',
        f'<text x="0" y="14" font-weight="600">{escape(title)}</text>',
    ]
    for i, (label, value, colour) in enumerate(rows):
        y = 24 + i * (bar_h + 6)
        w = max(2.0, (width - label_w - 70) * value / top)
        parts += [
            f'<text x="0" y="{y + 15}">{escape(label)}</text>',
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{colour}"/>',
            f'<text x="{label_w + w + 6:.1f}" y="{y + 15}">{value:.1f}s</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


_COLOURS = {"passed": "#3a9d5d", "failed": "#d2453a", "error": "#8e1b14", "skipped": "#b8bec6"}


def render_html(report: dict[str, Any]) -> str:
    git = report["git"]
    out = [
        "<!doctype html><html lang=en><meta charset=utf-8>",
        f"<title>qeflow {escape(report['run_id'])}</title><style>{_CSS}</style><body>",
        f"<h1>qeflow run {escape(report['run_id'])}: {_status(report['status'])}</h1>",
        f"<p>Service <b>{escape(report['service'])}</b> at <code>{escape(git['head'][:10])}</code> "
        f"({escape(git['head_ref'])}), base <code>{escape(git['base'][:10])}</code> ({escape(git['base_ref'])}); "
        f"{len(git['changed_files'])} changed file(s); {fmt(report['duration_s'])}s. "
        f"Evidence: <code>{escape(report['evidence'])}</code></p>",
        "<table><tr><th>phase</th><th>status</th><th>time</th><th>target / max</th></tr>",
    ]
    out += [
        f"<tr><td>{escape(p['name'])}</td><td>{_status(p['status'])}</td><td>{fmt(p['duration_s'])}s</td>"
        f"<td>{fmt(p['target_s'])} / {fmt(p['max_s'])}s</td></tr>"
        for p in report["phases"]
    ]
    out.append("</table>")
    timed = [
        (f"{p['name']}/{a['agent']}", float(a["duration_s"]), _COLOURS.get(a["status"], "#999"))
        for p in report["phases"]
        for a in p["agents"]
    ]
    out.append(_bar_chart("Agent wall time", timed))
    for p in report["phases"]:
        out.append(f"<h2>{escape(p['name'])}: {_status(p['status'])}</h2>")
        if p.get("reason"):
            out.append(f"<p>{escape(p['reason'])}</p>")
        out += [f'<p class="warn">warning: {escape(w)}</p>' for w in p["warnings"]]
        if p["agents"]:
            out.append("<table><tr><th>agent</th><th>status</th><th>time</th><th>metrics</th><th>summary</th></tr>")
            for a in p["agents"]:
                metrics = "<br>".join(f"{escape(k)} = {fmt(v)}" for k, v in a["metrics"].items())
                out.append(
                    f"<tr><td>{escape(a['agent'])}</td><td>{_status(a['status'])}</td>"
                    f"<td>{fmt(a['duration_s'])}s</td><td>{metrics}</td><td>{escape(a['summary'])}</td></tr>"
                )
            out.append("</table>")
        gate = p.get("gate")
        if gate:
            out.append(
                f"<p>Gate: {_status('passed' if gate['passed'] else 'failed')}</p>"
                "<table><tr><th>condition</th><th>measured</th><th>threshold</th><th>result</th></tr>"
            )
            for c in gate["conditions"]:
                reason = f": {escape(c['reason'])}" if c["reason"] else ""
                out.append(
                    f"<tr><td><code>{escape(c['expression'])}</code></td><td>{fmt(c['measured'])}</td>"
                    f"<td>{fmt(c['threshold'])}</td><td>{_status(c['outcome'])}{reason}</td></tr>"
                )
            out.append("</table>")
        policy = p.get("policy")
        if policy:
            out.append(f"<p>Policy <b>{escape(policy['policy'])}</b>:</p><ul>")
            out += [f"<li>{escape(a['action'])}: {escape(a['result'])}</li>" for a in policy["actions"]]
            out.append("</ul>")
    out.append("</body></html>\n")
    return "\n".join(out)
