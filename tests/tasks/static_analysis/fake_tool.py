"""A stand-in for an analyzer, for agent tests that need no real tool: `python fake_tool.py TOOL ARGS...`.

It appends its argv (as one JSON line) to $FAKE_TOOL_LOG, writes the report file named by the
tool's output option (`-o`, `--output`, `--output-file`) — the file $FAKE_TOOL_REPORT_<TOOL> when
set, else an empty report of that tool's shape — and exits with $FAKE_TOOL_EXIT (default 0).
$FAKE_TOOL_NO_REPORT=1 makes it write no report at all.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

EMPTY = {
    "eslint": "[]",
    "semgrep": '{"version": "0.0.0-fake", "results": [], "errors": [], "paths": {"scanned": []}}',
    "ruff": "[]",
    "bandit": '{"results": [], "errors": []}',
}
OUTPUT_OPTIONS = ("-o", "--output", "--output-file")


def main(argv: list[str]) -> int:
    tool, args = argv[0], argv[1:]
    log = os.environ.get("FAKE_TOOL_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"tool": tool, "argv": args, "cwd": os.getcwd()}) + "\n")
    output = next((args[i + 1] for i, arg in enumerate(args[:-1]) if arg in OUTPUT_OPTIONS), None)
    if output and os.environ.get("FAKE_TOOL_NO_REPORT") != "1":
        canned = os.environ.get(f"FAKE_TOOL_REPORT_{tool.upper()}")
        if canned:
            shutil.copyfile(canned, output)
        else:
            Path(output).write_text(EMPTY[tool], encoding="utf-8")
    print(f"fake {tool}: {len(args)} arguments")
    return int(os.environ.get("FAKE_TOOL_EXIT", "0"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
