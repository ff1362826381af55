"""End to end: the real `qeflow` command on the users-service example, as a user or CI runs it.

Each `qeflow run` costs ~10 s of Prefect ephemeral start-up plus the service's own test commands,
so the passing and the failing run are module fixtures shared by every assertion about them.
Runs go through `tests.support.cli.QeflowCli`: a subprocess in its own session, a PREFECT_HOME of
this module, an evidence store under the test's temp dir, and a marker variable that lets the
tests find every process a run started.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import psutil
import pytest

from tasks.config import PHASES
from tests.support.cli import (
    GIT_IDENTITY,
    CliResult,
    Leftover,
    QeflowCli,
    kill_leftovers,
    wait_for_no_leftovers,
)
from tests.support.defects import ServiceRepo, make_service_repo

pytestmark = pytest.mark.e2e

COVERAGE = "unit-tests.changed_lines_coverage > 80"
REPORT_FILES = ("report.json", "report.md", "report.html", "gates.junit.xml")
RUNNING = re.compile(r"\[commit\] running \d+ agent\(s\)")
INTERRUPT_LIMIT_S = 60.0
# A reference that makes the HTML fetch something: src/href to http(s) or protocol-relative URLs,
# and CSS url()/@import of the same.
_REMOTE = re.compile(
    r"""(?:\b(?:src|href)\s*=\s*["']?\s*|url\(\s*["']?\s*|@import\s+["']?)(?:https?:)?//""", re.IGNORECASE
)


@dataclass(frozen=True)
class Outcome:
    """One stored `qeflow run`: what the CLI printed, its report, and what it left running."""

    cli: CliResult
    report: dict[str, Any]
    run_dir: Path
    leftovers: list[Leftover]
    report_copy: Path

    def phase(self, name: str) -> dict[str, Any]:
        return next(p for p in self.report["phases"] if p["name"] == name)

    def condition(self, phase: str, expression: str) -> dict[str, Any]:
        gate = self.phase(phase)["gate"]
        assert gate is not None, f"the {phase} phase has no gate verdict:\n{self.cli}"
        found = [c for c in gate["conditions"] if c["expression"] == expression]
        listed = [c["expression"] for c in gate["conditions"]]
        assert found, f"{expression!r} not among the {phase} gate's conditions: {listed}"
        return found[0]


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="module")
def cli(workdir: Path) -> QeflowCli:
    return QeflowCli(workdir)


def _service_repo(parent: Path, defect: str | None) -> ServiceRepo:
    parent.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in GIT_IDENTITY.items():
            mp.setenv(key, value)
        return make_service_repo(parent, defect)


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., ServiceRepo]:
    def make(defect: str | None = None, name: str = "repo") -> ServiceRepo:
        return _service_repo(tmp_path / name, defect)

    return make


def _stored_run(cli: QeflowCli, workdir: Path, defect: str | None, *, json_output: bool) -> Outcome:
    """Run the pipeline on a fresh example repo into the module's evidence store."""
    label = defect or "clean"
    repo = _service_repo(workdir / label, defect)
    copy = workdir / "copies" / label / "report.json"
    args = ["run", str(repo.root), "--evidence", str(workdir / "evidence"), "--report", str(copy)]
    if json_output:
        args.append("--json")
    since = time.time() - 1.0
    result = cli.run(*args, label=label)
    leftovers = wait_for_no_leftovers(result.mark, [str(repo.root)], since)
    kill_leftovers(result.mark, [str(repo.root)], since)  # so that a failure here does not leak into later tests
    if not copy.is_file():
        pytest.fail(f"--report {copy} was not written:\n{result}")
    report = json.loads(copy.read_text(encoding="utf-8"))
    return Outcome(result, report, Path(report["evidence"]), leftovers, copy)


@pytest.fixture(scope="module")
def passing(cli: QeflowCli, workdir: Path) -> Outcome:
    """The clean change, with --json (stdout must be report.json and nothing else)."""
    return _stored_run(cli, workdir, None, json_output=True)


@pytest.fixture(scope="module")
def failing(cli: QeflowCli, workdir: Path, passing: Outcome) -> Outcome:
    """New code without tests, human output (the table a developer reads). Runs after `passing`."""
    return _stored_run(cli, workdir, "uncovered-code", json_output=False)


def _outcome(request: pytest.FixtureRequest, name: str) -> Outcome:
    outcome = request.getfixturevalue(name)
    assert isinstance(outcome, Outcome)
    return outcome


# --- shared checks -------------------------------------------------------------------------------


def _assert_complete(report: dict[str, Any], run_dir: Path) -> None:
    """A finished run's report: every phase listed, every file written, agents' reports stored."""
    assert [p["name"] for p in report["phases"]] == list(PHASES)
    assert json.loads((run_dir / "report.json").read_text(encoding="utf-8")) == report
    for name in REPORT_FILES:
        assert (run_dir / name).is_file(), f"{name} missing from {run_dir}"
    assert report["finished_at"] and report["duration_s"] is not None
    for phase in report["phases"]:
        for agent in phase["agents"]:
            path = run_dir / phase["name"] / agent["agent"] / "report.json"
            assert path.is_file(), f"{path} missing"
            stored = json.loads(path.read_text(encoding="utf-8"))
            assert (stored["agent"], stored["phase"]) == (agent["agent"], phase["name"])
            assert stored["status"] == agent["status"]
            assert stored["metrics"] == agent["metrics"]


def _lines_naming(text: str, expression: str, measured: float, threshold: float) -> list[str]:
    """Lines that hold the whole condition and, beside it, its measured value and its threshold."""
    found = []
    for line in text.splitlines():
        if expression not in line:
            continue
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", line.replace(expression, " "))]
        if any(abs(n - measured) < 0.01 for n in numbers) and any(abs(n - threshold) < 1e-9 for n in numbers):
            found.append(line)
    return found


# --- 1. the clean change passes ------------------------------------------------------------------


def test_clean_change_exits_0_and_reports_passed(passing: Outcome) -> None:
    assert passing.cli.returncode == 0, str(passing.cli)
    assert passing.cli.json() == passing.report  # --json: stdout is report.json, nothing else
    assert passing.report["status"] == "passed"
    assert passing.report["halted_by"] is None
    _assert_complete(passing.report, passing.run_dir)


def test_clean_change_passes_the_changed_lines_coverage_condition(passing: Outcome) -> None:
    condition = passing.condition("commit", COVERAGE)
    assert condition["passed"] is True and condition["outcome"] == "passed"
    assert condition["threshold"] == 80.0
    agent = json.loads((passing.run_dir / "commit" / "unit-tests" / "report.json").read_text(encoding="utf-8"))
    assert condition["measured"] == agent["metrics"]["changed_lines_coverage"]
    assert condition["measured"] > 80
    assert passing.phase("commit")["gate"]["passed"] is True


def test_clean_change_writes_a_self_contained_html_report(passing: Outcome) -> None:
    html = (passing.run_dir / "report.html").read_text(encoding="utf-8")
    assert _REMOTE.findall(html) == []
    assert "<svg" in html
    assert passing.report["run_id"] in html and COVERAGE.replace(">", "&gt;") in html


def test_clean_change_writes_one_junit_testcase_per_gate_condition(passing: Outcome) -> None:
    root = ElementTree.parse(passing.run_dir / "gates.junit.xml").getroot()
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    service = passing.report["service"]
    assert list(suites) == [f"{service}.{p['name']}" for p in passing.report["phases"]]
    for phase in passing.report["phases"]:
        suite = suites[f"{service}.{phase['name']}"]
        conditions = phase["gate"]["conditions"] if phase["gate"] else []
        cases = suite.findall("testcase")
        assert [c.get("name") for c in cases] == [c["expression"] for c in conditions]
        assert suite.get("tests") == str(len(conditions))
        assert [c.find("failure") is not None for c in cases] == [c["outcome"] == "failed" for c in conditions]
    assert any(case.get("name") == COVERAGE for case in suites[f"{service}.commit"].iter("testcase"))


def test_clean_change_copies_report_json_to_the_report_option(passing: Outcome) -> None:
    assert passing.report_copy.read_bytes() == (passing.run_dir / "report.json").read_bytes()


def test_clean_change_stores_each_agent_report_under_phase_and_agent(passing: Outcome) -> None:
    stored = sorted(str(p.relative_to(passing.run_dir)) for p in passing.run_dir.glob("*/*/report.json"))
    listed = sorted(f"{p['name']}/{a['agent']}/report.json" for p in passing.report["phases"] for a in p["agents"])
    assert stored == listed
    assert "commit/unit-tests/report.json" in stored


# --- 2. uncovered new code fails the commit gate -------------------------------------------------


def test_uncovered_code_exits_1_and_fails_the_commit_gate(failing: Outcome) -> None:
    assert failing.cli.returncode == 1, str(failing.cli)
    assert failing.report["status"] == "failed"
    assert failing.report["halted_by"] == {"phase": "commit", "state": "GateFailed"}
    commit = failing.phase("commit")
    assert commit["status"] == "failed" and commit["gate"]["passed"] is False
    condition = failing.condition("commit", COVERAGE)
    assert condition["outcome"] == "failed" and condition["passed"] is False
    assert condition["measured"] < 80
    assert condition["threshold"] == 80.0
    assert COVERAGE in [c["expression"] for c in commit["gate"]["conditions"] if c["outcome"] == "failed"]
    _assert_complete(failing.report, failing.run_dir)


def test_uncovered_code_output_names_condition_measured_and_threshold(failing: Outcome) -> None:
    measured = failing.condition("commit", COVERAGE)["measured"]
    lines = _lines_naming(failing.cli.stdout + "\n" + failing.cli.stderr, COVERAGE, measured, 80.0)
    assert lines, f"no output line names {COVERAGE!r} with measured {measured:g} and threshold 80:\n{failing.cli}"


def test_uncovered_code_blocks_the_merge(failing: Outcome) -> None:
    policy = json.loads((failing.run_dir / "commit" / "policy.json").read_text(encoding="utf-8"))
    assert policy["policy"] == "block-merge"
    status = json.loads((failing.run_dir / "commit" / "commit-status.json").read_text(encoding="utf-8"))
    assert status["state"] == "failure"
    assert status["sha"] == failing.report["git"]["head"]
    assert failing.phase("commit")["policy"] == policy


def test_uncovered_code_starts_no_later_phase(failing: Outcome) -> None:
    for name in PHASES[1:]:
        phase = failing.phase(name)
        assert phase["status"] == "not-run", phase
        assert phase["agents"] == [] and phase["gate"] is None
        assert not (failing.run_dir / name).exists(), f"{name} left evidence although it never started"
        assert f"[{name}] running" not in failing.cli.stderr


# --- 3. gates recheck ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["passing", "failing"])
def test_gates_recheck_matches_the_stored_verdicts(name: str, request: pytest.FixtureRequest, cli: QeflowCli) -> None:
    outcome = _outcome(request, name)
    result = cli.run("gates", "recheck", str(outcome.run_dir), "--json", label="recheck")
    assert result.returncode == 0, str(result)
    rows = result.json()
    gated = [p for p in outcome.report["phases"] if p["gate"]]
    assert [r["phase"] for r in rows] == [p["name"] for p in gated]
    for row, phase in zip(rows, gated, strict=True):
        assert row["matches"] is True and row["mismatches"] == [], row
        assert row["recorded_passed"] == row["recomputed_passed"] == phase["gate"]["passed"]


@pytest.mark.parametrize(("name", "tampered"), [("passing", 50.0), ("failing", 95.0)])
def test_gates_recheck_reports_a_tampered_metric(
    name: str, tampered: float, request: pytest.FixtureRequest, cli: QeflowCli, tmp_path: Path
) -> None:
    outcome = _outcome(request, name)
    run_dir = tmp_path / "store" / outcome.run_dir.name  # a copy: the stored run stays as it was
    shutil.copytree(outcome.run_dir, run_dir)
    agent_file = run_dir / "commit" / "unit-tests" / "report.json"
    agent = json.loads(agent_file.read_text(encoding="utf-8"))
    assert agent["metrics"]["changed_lines_coverage"] != tampered
    agent["metrics"]["changed_lines_coverage"] = tampered
    agent_file.write_text(json.dumps(agent, indent=2), encoding="utf-8")

    result = cli.run("gates", "recheck", str(run_dir), label="recheck-tampered")

    assert result.returncode == 1, str(result)
    commit = [line for line in result.stdout.splitlines() if line.startswith("commit:")]
    assert len(commit) == 1 and "MISMATCH" in commit[0], str(result)
    assert COVERAGE in result.stdout, str(result)


# --- 4. report re-rendering ----------------------------------------------------------------------


def _diff(before: bytes, after: bytes | None) -> str:
    if after is None:
        return "(not written again)"
    lines = difflib.unified_diff(
        before.decode(errors="replace").splitlines(), after.decode(errors="replace").splitlines(), lineterm="", n=1
    )
    return "\n".join(list(lines)[:40])


@pytest.mark.parametrize("name", ["passing", "failing"])
def test_report_rerenders_the_four_files_identically(name: str, request: pytest.FixtureRequest, cli: QeflowCli) -> None:
    outcome = _outcome(request, name)
    before = {f: (outcome.run_dir / f).read_bytes() for f in REPORT_FILES}
    (outcome.run_dir / "report.md").unlink()

    result = cli.run("report", str(outcome.run_dir), label="report")

    assert result.returncode == 0, str(result)
    after = {f: (outcome.run_dir / f).read_bytes() if (outcome.run_dir / f).exists() else None for f in REPORT_FILES}
    changed = {f: _diff(before[f], after[f]) for f in REPORT_FILES if after[f] != before[f]}
    assert changed == {}, "re-rendered differently:\n" + "\n".join(changed.values())


# --- 5. nothing left running ---------------------------------------------------------------------


def test_passing_run_leaves_no_process(passing: Outcome) -> None:
    assert [str(p) for p in passing.leftovers] == []


def test_failing_run_leaves_no_process(failing: Outcome) -> None:
    assert [str(p) for p in failing.leftovers] == []


# --- 6. interrupted mid-run ----------------------------------------------------------------------


def _drain(stream: Any, into: list[str]) -> threading.Thread:
    def read() -> None:
        for line in stream:
            into.append(line)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def _node_children(pid: int) -> list[psutil.Process]:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            argv0 = (child.cmdline() or [""])[0]
            if child.name() == "node" or os.path.basename(argv0) == "node":
                found.append(child)
        except psutil.Error:
            continue
    return found


@pytest.mark.parametrize(
    "target",
    [
        "process",  # `kill -INT PID`: the qeflow process alone
        "group",  # Ctrl-C in a terminal: the foreground process group, i.e. qeflow and what shares its group
    ],
)
def test_sigint_mid_run_exits_130_and_leaves_no_process(
    target: str, cli: QeflowCli, make_repo: Callable[..., ServiceRepo], tmp_path: Path
) -> None:
    repo = make_repo()
    since = time.time() - 1.0
    args = ("run", str(repo.root), "--evidence", str(tmp_path / "evidence"))
    proc, mark = cli.start(*args, label=f"sigint-{target}")
    err: list[str] = []
    out: list[str] = []
    readers = [_drain(proc.stderr, err), _drain(proc.stdout, out)]
    paths = [str(tmp_path)]
    try:
        deadline = time.monotonic() + 120
        while not (any(RUNNING.search(line) for line in err) and _node_children(proc.pid)):
            assert proc.poll() is None, f"qeflow exited {proc.returncode} before an agent started:\n{''.join(err)}"
            assert time.monotonic() < deadline, f"no agent with a node child after 120s:\n{''.join(err)}"
            time.sleep(0.1)

        t0 = time.monotonic()
        if target == "group":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGINT)
        try:
            code = proc.wait(timeout=INTERRUPT_LIMIT_S)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"qeflow still running {INTERRUPT_LIMIT_S:g}s after SIGINT to the {target}; stderr so far:\n"
                + "".join(err[-40:])
            )
        for reader in readers:
            reader.join(timeout=10)
        stderr = "".join(err)
        assert code == 130, f"exit {code} after {time.monotonic() - t0:.1f}s; stderr:\n{stderr[-4000:]}"
        assert "interrupted" in stderr
        left = wait_for_no_leftovers(mark, paths, since)
        assert [str(p) for p in left] == []
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        kill_leftovers(mark, paths, since)


# --- 7. two runs at once -------------------------------------------------------------------------


def test_two_runs_started_together_both_pass(
    cli: QeflowCli, make_repo: Callable[..., ServiceRepo], tmp_path: Path
) -> None:
    repo = make_repo()
    store = tmp_path / "evidence"
    args = ("run", str(repo.root), "--evidence", str(store), "--json")
    since = time.time() - 1.0
    t0 = time.monotonic()
    started = [cli.start(*args, label=f"together-{i}") for i in (1, 2)]
    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(lambda s: cli.finish(s[0], s[1], args, t0), started))
        left = {r.mark: wait_for_no_leftovers(r.mark, [str(tmp_path), str(repo.root)], since) for r in results}
    finally:
        for _, mark in started:
            kill_leftovers(mark, [str(tmp_path), str(repo.root)], since)

    for result in results:
        assert result.returncode == 0, str(result)
    reports = [result.json() for result in results]
    ids = [report["run_id"] for report in reports]
    assert ids[0] != ids[1]
    assert sorted(p.name for p in store.iterdir()) == sorted(ids)
    for report in reports:
        assert report["status"] == "passed"
        assert report["git"]["head"] == repo.head
        _assert_complete(report, store / report["run_id"])
        commit = next(p for p in report["phases"] if p["name"] == "commit")
        assert commit["gate"]["passed"] is True
        assert any(c["expression"] == COVERAGE and c["passed"] for c in commit["gate"]["conditions"])
    assert {mark: [str(p) for p in procs] for mark, procs in left.items() if procs} == {}
