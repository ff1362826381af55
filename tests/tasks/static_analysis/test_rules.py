"""The semgrep rules qeflow ships, checked with the real semgrep on annotated samples.

rule_samples/<language>/ holds small programs annotated the way `semgrep --test` reads them: a
comment `ruleid: <id>` before a line that rule must flag, `ok: <id>` before one it must not. All
samples go through ONE semgrep run with every shipped rule (semgrep's start-up is the cost), and
each sample file is then compared line by line with its annotations. Any other finding in a
sample is a failure too (a rule firing where nobody expected it).
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import yaml

from tasks.static_analysis import RULES_DIR, SEMGREP_REQUIRED_FLAGS, find_executable

SAMPLES = Path(__file__).parent / "rule_samples"
SAMPLE_FILES = sorted(p for p in SAMPLES.rglob("*") if p.is_file())
ANNOTATION = re.compile(r"(?:#|//)\s*(ruleid|ok):\s*([\w.\-]+(?:\s*,\s*[\w.\-]+)*)")
SEVERITIES = {"critical", "high", "medium", "low"}
RULE_FILES = sorted(RULES_DIR.rglob("*.yaml"))


def _rules() -> list[dict[str, Any]]:
    return [rule for path in RULE_FILES for rule in yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]]


def _annotations(path: Path) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
    expected, ok = set(), set()
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        match = ANNOTATION.search(line)
        if not match:
            continue
        own_line = line.strip().startswith(("#", "//"))
        target = number + 1 if own_line else number
        for rule in match.group(2).split(","):
            (expected if match.group(1) == "ruleid" else ok).add((target, rule.strip()))
    return expected, ok


@pytest.fixture(scope="module")
def semgrep_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    semgrep = find_executable("semgrep")
    if semgrep is None:
        pytest.skip("semgrep is not installed (make setup)")
    output = tmp_path_factory.mktemp("semgrep") / "out.json"
    configs = [arg for d in ("javascript", "python", "generic") for arg in ("--config", str(RULES_DIR / d))]
    argv = [
        semgrep,
        "scan",
        *SEMGREP_REQUIRED_FLAGS,
        "--json",
        "--output",
        str(output),
        "--quiet",
        "--no-rewrite-rule-ids",
        "--no-git-ignore",
        "--jobs",
        "1",
        *configs,
        *map(str, SAMPLE_FILES),
    ]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
    return data


@pytest.mark.slow
def test_the_rules_load_without_errors(semgrep_results: dict[str, Any]) -> None:
    assert semgrep_results["errors"] == []
    scanned = {Path(p).resolve() for p in semgrep_results["paths"]["scanned"]}
    assert scanned == {p.resolve() for p in SAMPLE_FILES}


@pytest.mark.slow
@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_sample(sample: Path, semgrep_results: dict[str, Any]) -> None:
    found: dict[Path, set[tuple[int, str]]] = defaultdict(set)
    for result in semgrep_results["results"]:
        found[Path(result["path"]).resolve()].add((result["start"]["line"], result["check_id"]))
    expected, ok = _annotations(sample)
    actual = found[sample.resolve()]
    assert expected, f"{sample} has no ruleid: annotation"
    assert sorted(expected - actual) == [], "missed"
    assert sorted(actual & ok) == [], "flagged a line marked ok"
    assert sorted(actual - expected) == [], "unexpected findings"


def test_every_rule_has_positive_and_negative_samples() -> None:
    positive, negative = set(), set()
    for sample in SAMPLE_FILES:
        expected, ok = _annotations(sample)
        positive |= {rule for _, rule in expected}
        negative |= {rule for _, rule in ok}
    ids = {rule["id"] for rule in _rules()}
    assert sorted(ids - positive) == []
    # Regex rules for keys have no sensible "near miss"; every other rule has one.
    assert sorted(ids - negative - {"qeflow.generic.aws-secret-key"}) == []


@pytest.mark.parametrize("rule", _rules(), ids=lambda r: r["id"])
def test_rule_metadata(rule: dict[str, Any]) -> None:
    language = rule["id"].split(".")[1]
    assert rule["id"].startswith("qeflow.") and language in {"javascript", "python", "generic"}
    assert rule["severity"] in {"ERROR", "WARNING"}
    assert len(rule["message"]) > 40
    assert "$1" not in rule["message"]  # semgrep would substitute it
    metadata = rule["metadata"]
    assert metadata["category"] == "security"
    assert metadata["qeflow-severity"] in SEVERITIES
    assert metadata["cwe"] and all(c.startswith("CWE-") for c in metadata["cwe"])
    assert metadata["owasp"]
    # ERROR rules are the critical/high ones, WARNING the high ones that rest on naming conventions.
    assert (rule["severity"] == "ERROR") == (metadata["qeflow-severity"] == "critical" or "mode" in rule)


def test_injection_and_execution_rules_are_critical() -> None:
    critical = {rule["id"] for rule in _rules() if rule["metadata"]["qeflow-severity"] == "critical"}
    for kind in ("sql-injection", "sql-injection-raw-input", "eval", "command-injection"):
        for language in ("javascript", "python"):
            assert f"qeflow.{language}.{kind}" in critical
    assert {"qeflow.generic.private-key", "qeflow.generic.aws-access-key"} <= critical
