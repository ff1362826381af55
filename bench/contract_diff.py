"""Contract diff time on Stripe's public OpenAPI description, qeflow versus OpenAPI diff tools
from PyPI.

The documents are the three versions in shared/data/openapi beside the repository (3.5-4 MB of
JSON, ~400 operations, heavily recursive schemas). Two pairs: 2021-06-04 -> 2021-06-07 (three
days, additive) and 2021-06-04 -> 2022-02-23 (nine months, with real breaks).

qeflow: parse (JSON/YAML), resolve (load every `$ref`d file, canonicalise and check every
`$ref`), diff (the whole check catalogue), each the best of 5, on fresh documents every time;
plus head validation with openapi-spec-validator (the agent does it, outside the 2 s budget).
Peers, in a throwaway venv under the temp dir (created on first run with pip):
- schemawatch 0.1.4 ("Detect breaking API changes between OpenAPI schemas"): load + diff, best of 3
  (its pure-Python YAML load takes ~4 s per document);
- api-schema-diff 1.0.4 ("Detect breaking changes between API schemas"): one try per pair,
  stopped after PEER_TIMEOUT_S (it inlines $refs up to depth 20, which explodes on Stripe).
A peer that cannot be installed (no network) is reported as such; qeflow's figures still print.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import venv
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tasks.contract_check import Level, diff_documents, load_document, parse_text, validate_document  # noqa: E402

DATA = ROOT / ".." / "shared" / "data" / "openapi"
BASE = "stripe-spec3-2021-06-04-84df223f.json"
PAIRS = {
    "3 days (06-04 -> 06-07)": "stripe-spec3-2021-06-07-fd1e5f8f.json",
    "9 months (06-04 -> 2022-02-23)": "stripe-spec3-2022-02-23-2775931b.json",
}
REPEAT = 5
PEER_REPEAT = 3
PEER_TIMEOUT_S = 30
PEERS = {"schemawatch": "schemawatch==0.1.4", "api-schema-diff": "api-schema-diff==1.0.4"}
PEER_VENV = Path(tempfile.gettempdir()) / "qeflow-bench-peers"

SCHEMAWATCH = """
import collections, json, sys, time
from schemawatch.diff_engine import detect_breaking_changes
from schemawatch.parser import load_openapi_file
best = None
for _ in range(int(sys.argv[3])):
    t0 = time.perf_counter()
    old, new = load_openapi_file(sys.argv[1]), load_openapi_file(sys.argv[2])
    t1 = time.perf_counter()
    changes = detect_breaking_changes(old, new)
    t2 = time.perf_counter()
    run = {"load": t1 - t0, "diff": t2 - t1}
    best = run if best is None or run["load"] + run["diff"] < best["load"] + best["diff"] else best
best["counts"] = collections.Counter(c["severity"] for c in changes)
print(json.dumps(best))
"""
API_SCHEMA_DIFF = """
import json, sys, time
from schema_diff.loader import load_schema
from schema_diff.openapi.diff import diff_openapi
t0 = time.perf_counter()
old, new = load_schema(sys.argv[1]), load_schema(sys.argv[2])
t1 = time.perf_counter()
result = diff_openapi(old.raw, new.raw)
t2 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "diff": t2 - t1, "counts": {"result": str(result)[:80]}}))
"""


def _best(fn, repeat: int = REPEAT):  # type: ignore[no-untyped-def]
    best, value = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - t0)
    return best, value


def _reader(texts: dict[str, str]):  # type: ignore[no-untyped-def]
    return lambda path: texts.get(path)


def qeflow(head: str, texts: dict[str, str]) -> dict[str, float | int | str]:
    parse_s = _best(lambda: (parse_text(texts[BASE], BASE), parse_text(texts[head], head)))[0]
    load_s = _best(lambda: (load_document(_reader(texts), BASE), load_document(_reader(texts), head)))[0]
    diffs = []
    for _ in range(REPEAT):
        base_doc, head_doc = load_document(_reader(texts), BASE), load_document(_reader(texts), head)
        assert base_doc is not None and head_doc is not None
        diffs.append(diff_documents(base_doc, head_doc))
    diff_s = min(d.diff_s for d in diffs)
    counts = Counter(c.level for c in diffs[-1].changes)
    head_doc = load_document(_reader(texts), head)
    assert head_doc is not None
    validate_s = _best(lambda: validate_document(head_doc), repeat=1)[0]
    return {
        "parse": parse_s,
        "resolve": load_s - parse_s,
        "diff": diff_s,
        "total": load_s + diff_s,
        "validate": validate_s,
        "ERR": counts[Level.ERR],
        "distinct": len({(c.check, c.text) for c in diffs[-1].changes if c.level is Level.ERR}),
        "WARN": counts[Level.WARN],
        "INFO": counts[Level.INFO],
        "ops": f"+{len(diffs[-1].added)} ~{len(diffs[-1].changed)} -{len(diffs[-1].removed)}",
    }


def _peer_python() -> Path | str:
    """The throwaway venv with the peers installed, or a reason why there is none."""
    python = PEER_VENV / "bin" / "python"
    marker = PEER_VENV / ".installed"
    if marker.is_file() and marker.read_text() == " ".join(PEERS.values()):
        return python
    try:
        venv.create(PEER_VENV, with_pip=True, clear=True)
        proc = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PEERS.values()],
            capture_output=True,
            text=True,
            timeout=600,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"could not create the peer venv: {exc}"
    if proc.returncode != 0:
        return "pip install failed: " + (proc.stderr.strip().splitlines() or ["?"])[-1]
    marker.write_text(" ".join(PEERS.values()))
    return python


def peer(python: Path, code: str, head: str, repeat: int) -> dict | str:
    argv = [str(python), "-c", code, str(DATA / BASE), str(DATA / head), str(repeat)]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=PEER_TIMEOUT_S * repeat)
    except subprocess.TimeoutExpired:
        return f"did not finish in {PEER_TIMEOUT_S * repeat} s"
    if proc.returncode != 0:
        return "failed: " + (proc.stderr.strip().splitlines() or ["?"])[-1][:100]
    return json.loads(proc.stdout)


def _row(tool: str, pair: str, load: float | None, diff: float | None, findings: str) -> None:
    times = [f"{'-':>6}"] * 3 if load is None or diff is None else [f"{t:>6.2f}" for t in (load, diff, load + diff)]
    print(f"| {tool:<22} | {pair:<31} | {' | '.join(times)} | {findings:<36} |")


def main() -> int:
    missing = [name for name in (BASE, *PAIRS.values()) if not (DATA / name).is_file()]
    if missing:  # pragma: no cover - depends on the checkout
        print(f"Stripe documents missing from {DATA.resolve()}: {', '.join(missing)}", file=sys.stderr)
        return 2
    texts = {name: (DATA / name).read_text(encoding="utf-8") for name in (BASE, *PAIRS.values())}
    print(
        f"contract diff of Stripe's OpenAPI description ({len(texts[BASE]) / 1e6:.1f}-"
        f"{max(len(t) for t in texts.values()) / 1e6:.1f} MB JSON), seconds, best of {REPEAT}"
    )
    print()
    header = (
        f"| {'pair':<31} | {'parse':>5} | {'resolve':>7} | {'diff':>5} | {'total':>5} "
        f"| {'ERR':>5} | {'distinct':>8} | {'WARN':>5} | {'INFO':>6} | {'operations':>14} |"
    )
    print(header)
    print("|" + "|".join("-" * (len(cell)) for cell in header.split("|")[1:-1]) + "|")
    results = {}
    for label, head in PAIRS.items():
        r = results[label] = qeflow(head, texts)
        print(
            f"| {label:<31} | {r['parse']:>5.2f} | {r['resolve']:>7.2f} | {r['diff']:>5.2f} | {r['total']:>5.2f} | "
            f"{r['ERR']:>5} | {r['distinct']:>8} | {r['WARN']:>5} | {r['INFO']:>6} | {r['ops']:>14} |"
        )
    print()
    print(
        "validate head with openapi-spec-validator (the agent does it; not part of the diff): "
        + ", ".join(f"{label.split(' (')[0]} {r['validate']:.2f}s" for label, r in results.items())
    )
    print(
        f"budget: diff of the 9-month pair under 2 s: {'met' if results[list(PAIRS)[1]]['total'] < 2 else 'MISSED'} "
        f"(parse + resolve + diff = {results[list(PAIRS)[1]]['total']:.2f}s)"
    )
    print()

    python = _peer_python()
    if isinstance(python, str):
        print(f"peers: not measured ({python})")
        return 0
    print(f"peers (PyPI, venv {PEER_VENV}), seconds:")
    print()
    print(f"| {'tool':<22} | {'pair':<31} | {'load':>6} | {'diff':>6} | {'total':>6} | {'findings by severity':<36} |")
    print(f"|{'-' * 24}|{'-' * 33}|{'-' * 8}|{'-' * 8}|{'-' * 8}|{'-' * 38}|")
    for label, head in PAIRS.items():
        r = results[label]
        _row(
            "qeflow contract-check",
            label,
            r["parse"] + r["resolve"],
            r["diff"],
            f"ERR {r['ERR']}, WARN {r['WARN']}, INFO {r['INFO']}",
        )
        for name, code, repeat in (
            ("schemawatch 0.1.4", SCHEMAWATCH, PEER_REPEAT),
            ("api-schema-diff 1.0.4", API_SCHEMA_DIFF, 1),
        ):
            found = peer(python, code, head, repeat)
            if isinstance(found, str):
                _row(name, label, None, None, found)
            else:
                counts = ", ".join(f"{k} {v}" for k, v in sorted(found["counts"].items()))
                _row(name, label, found["load"], found["diff"], counts)
    print()
    print("schemawatch compares component schemas by name and operations one level deep: a renamed")
    print("component reads as 'critical', and changes reached through $refs (enum values, nullability,")
    print("required) go unseen. api-schema-diff inlines $refs to depth 20, which does not end on")
    print("Stripe's recursive schemas. qeflow diffs each pair of $ref targets once (memoized by identity).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
