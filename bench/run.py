"""Run every bench script in one go and keep their output in bench/results/<timestamp>.md."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = sorted(p for p in HERE.glob("*.py") if p.name not in {"run.py", "__init__.py"} and not p.name.startswith("_"))


def main() -> int:
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    out = results / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}.md"
    lines = [f"# qeflow benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", ""]
    status = 0
    for script in SCRIPTS:
        t0 = time.monotonic()
        proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=HERE.parent)
        took = time.monotonic() - t0
        lines += [f"## {script.name} ({took:.1f}s, exit {proc.returncode})", "", "```", proc.stdout.rstrip(), "```", ""]
        if proc.returncode != 0:
            lines += ["stderr:", "```", proc.stderr[-3000:].rstrip(), "```", ""]
            status = 1
        print(f"{script.name}: exit {proc.returncode} in {took:.1f}s", file=sys.stderr)
    out.write_text("\n".join(lines), encoding="utf-8")
    print(out.read_text(encoding="utf-8"))
    return status


if __name__ == "__main__":
    sys.exit(main())
