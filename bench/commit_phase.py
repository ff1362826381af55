"""Commit-phase wall time on examples/users-service, qeflow versus the bare tools.

qeflow: `qeflow run --phase commit` on a temporary git copy of the example with a small change,
three times; the phase's own wall time, each agent's time, and the whole CLI (Prefect's
ephemeral server start included).
Peer: the tools the commit agents stand on, run one after another by a plain script in a
checkout of the same revision (what a hand-written CI job would do), three times.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.defects import make_service_repo  # noqa: E402

RUNS = 3
SEMGREP_RULES = ROOT / "tasks" / "static_analysis" / "rules"

# The commands a plain CI script would run for the same checks (only those whose tool is here).
PEER = {
    "unit-tests": [["npm", "test"]],
    "static-analysis": [
        ["node_modules/.bin/eslint", "-f", "json", "."],
        [
            str(Path(sys.executable).parent / "semgrep"),
            "scan",
            "--config",
            str(SEMGREP_RULES),
            "--json",
            "--metrics=off",
            "--disable-version-check",
            "--quiet",
            "src",
        ],
    ],
}


def _qeflow(repo: Path, evidence: Path) -> dict:
    env = {**os.environ, "PREFECT_HOME": str(evidence / "prefect-home")}
    t0 = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "deployments.cli",
            "run",
            str(repo),
            "--phase",
            "commit",
            "--json",
            "--evidence",
            str(evidence),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    wall = time.monotonic() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"qeflow failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    report = json.loads(proc.stdout)
    phase = next(p for p in report["phases"] if p["name"] == "commit")
    return {
        "wall": wall,
        "phase": phase["duration_s"],
        "status": report["status"],
        "agents": {a["agent"]: a["duration_s"] for a in phase["agents"]},
    }


def _peer(repo: Path, agents: list[str]) -> tuple[float, dict[str, float]]:
    times: dict[str, float] = {}
    for agent in agents:
        commands = PEER.get(agent)
        if not commands:
            continue
        t0 = time.monotonic()
        for argv in commands:
            if argv[0].endswith("semgrep") and not SEMGREP_RULES.is_dir():
                continue
            subprocess.run(argv, cwd=repo, capture_output=True, check=False)
        times[agent] = time.monotonic() - t0
    return sum(times.values()), times


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="qeflow-bench-"))
    try:
        repo = make_service_repo(work, None).root
        runs = [_qeflow(repo, work / f"runs-{i}") for i in range(RUNS)]
        agents = sorted(runs[0]["agents"])
        peers = [_peer(repo, agents) for _ in range(RUNS)]
        med = statistics.median
        print(f"commit phase on examples/users-service, median of {RUNS} (status: {runs[-1]['status']})")
        print()
        print(f"| {'measure':<34} | {'qeflow':>8} | {'plain script':>12} |")
        print(f"|{'-' * 36}|{'-' * 10}|{'-' * 14}|")
        for agent in agents:
            peer = [p[1][agent] for p in peers if agent in p[1]]
            peer_text = f"{med(peer):>11.1f}s" if peer else f"{'n/a':>12}"
            print(f"| {'agent ' + agent:<34} | {med([r['agents'][agent] for r in runs]):>7.1f}s | {peer_text} |")
        print(
            f"| {'commit phase (agents concurrent)':<34} | {med([r['phase'] for r in runs]):>7.1f}s | "
            f"{med([p[0] for p in peers]):>11.1f}s |"
        )
        print(f"| {'whole CLI incl. Prefect start':<34} | {med([r['wall'] for r in runs]):>7.1f}s | {'':>12} |")
        print()
        print("plain script: the same tools run one after another; n/a where the agent's work has no")
        print("single-command equivalent here (e.g. a release into a fresh database before the tests).")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
