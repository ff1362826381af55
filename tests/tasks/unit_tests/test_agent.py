"""The unit-tests agent end to end, on a real git repository with a real test command.

The service (repo/svc) is a two-function calculator whose test command, `python3 run_tests.py`,
runs its tests under a line tracer and writes a JUnit file and an LCOV file, like any test runner
with coverage would. Environment variables (the agent's `env` option) make a test fail or skip,
force an exit code, suppress the JUnit report or make the run hang.

Commit 1 has `add`; commit 2 adds `mul` (calc.py lines 6-10, of which 8-10 are measurable) and a
README paragraph. A stale, green reports/junit.xml is committed to prove the agent deletes it first.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tasks.config import Config, load_config
from tasks.context import AgentContext
from tasks.errors import ConfigError, QeflowError, ReportError
from tasks.evidence import EvidenceStore
from tasks.git import resolve_context
from tasks.report import Severity
from tasks.unit_tests import SPEC, UnitTestsSettings, unit_tests
from tasks.workspace import Workspace

CALC_V1 = '''"""Tiny calculator."""


def add(a, b):
    return a + b
'''

CALC_V2 = (
    CALC_V1
    + """

def mul(a, b):
    result = a * b
    return result
"""
)

RUN_TESTS = r'''"""Runs the calculator's tests with line coverage: reports/junit.xml, coverage/lcov.info."""
import os
import sys
import time
from pathlib import Path
from xml.sax.saxutils import quoteattr

time.sleep(float(os.environ.get("SLEEP", "0")))
TARGET = os.path.realpath("calc.py")
executed = set()


def tracer(frame, event, arg):
    if os.path.realpath(frame.f_code.co_filename) != TARGET:
        return None
    if event == "line":
        executed.add(frame.f_lineno)
    return tracer


def measurable(code):
    lines = {line for _, _, line in code.co_lines() if line}
    for const in code.co_consts:
        if hasattr(const, "co_lines"):
            lines |= measurable(const)
    return lines


sys.settrace(tracer)
import calc  # noqa: E402

TESTS = {
    "test_add": lambda: calc.add(2, 3) == 5,
    "test_mul": lambda: calc.mul(2, 3) == 6,
}
results = {}
for name, test in TESTS.items():
    if name == os.environ.get("SKIP_TEST"):
        results[name] = "skipped"
    else:
        ok = test() and name != os.environ.get("FAIL_TEST")
        results[name] = "passed" if ok else "failed"
sys.settrace(None)

if not os.environ.get("NO_JUNIT"):
    cases = []
    for name, outcome in results.items():
        inner = ""
        if outcome == "failed":
            inner = '<failure message="AssertionError: expected 6&#10;got 5">Traceback...</failure>'
        elif outcome == "skipped":
            inner = '<skipped message="skipped by SKIP_TEST"/>'
        cases.append(f'<testcase classname="test_calc" name={quoteattr(name)}>{inner}</testcase>')
    Path("reports").mkdir(exist_ok=True)
    Path("reports/junit.xml").write_text(
        '<?xml version="1.0"?><testsuites><testsuite name="calc">'
        + "".join(cases)
        + "</testsuite></testsuites>"
    )

lines = measurable(compile(Path(TARGET).read_text(), TARGET, "exec"))
Path("coverage").mkdir(exist_ok=True)
Path("coverage/lcov.info").write_text(
    f"TN:\nSF:{TARGET}\n"
    + "".join(f"DA:{n},{1 if n in executed else 0}\n" for n in sorted(lines))
    + "end_of_record\n"
)
print("ran", len(results), "tests:", results)
failed = any(outcome == "failed" for outcome in results.values())
sys.exit(int(os.environ.get("EXIT_CODE", "1" if failed else "0")))
'''

STALE_JUNIT = '<testsuites><testsuite name="old"><testcase classname="o" name="t"/></testsuite></testsuites>'

QEFLOW_TOML = """\
[service]
name = "calc"
root = "svc"
start = ["python3", "-m", "http.server"]

[database]
mode = "none"

[agents.unit-tests]
command = ["python3", "run_tests.py"]
junit = ["reports/junit.xml"]
coverage = "coverage/lcov.info"
timeout_s = 60
"""

GIT_ENV = {
    "GIT_AUTHOR_NAME": "qeflow tests",
    "GIT_AUTHOR_EMAIL": "tests@qeflow.invalid",
    "GIT_COMMITTER_NAME": "qeflow tests",
    "GIT_COMMITTER_EMAIL": "tests@qeflow.invalid",
}
MODELS = {"unit-tests": UnitTestsSettings}


def _git(repo: Path, *args: str) -> None:
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("calc") / "repo"
    svc = repo / "svc"
    (svc / "reports").mkdir(parents=True)
    (repo / "qeflow.toml").write_text(QEFLOW_TOML)
    (svc / "calc.py").write_text(CALC_V1)
    (svc / "run_tests.py").write_text(RUN_TESTS)
    (svc / "README.md").write_text("# calc\n")
    (svc / "reports" / "junit.xml").write_text(STALE_JUNIT)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "add")
    (svc / "calc.py").write_text(CALC_V2)
    (svc / "README.md").write_text("# calc\n\nAdds and multiplies.\n")
    _git(repo, "commit", "-q", "-am", "mul")
    return repo


@pytest.fixture
def make_ctx(repo: Path, tmp_path: Path) -> Iterator[Callable[..., AgentContext]]:
    """Build a real AgentContext for the head commit; keyword args override agent settings."""
    config: Config = load_config(repo / "qeflow.toml", MODELS)
    git = resolve_context(config.service_dir)
    workspaces: list[Workspace] = []

    def make(**overrides: object) -> AgentContext:
        workspace = Workspace(git.repo, git.service_path, config.service_dir, config.service.dependencies, "ut")
        workspaces.append(workspace)
        settings = config.agent("unit-tests", UnitTestsSettings).model_copy(update=overrides)
        return AgentContext(
            run=EvidenceStore(tmp_path / "runs").create_run(git.head),
            phase="commit",
            agent="unit-tests",
            config=config,
            settings=settings,
            git=git,
            workspace=workspace,
        )

    yield make
    for workspace in workspaces:
        workspace.close()


def test_all_tests_pass_and_changed_lines_are_covered(make_ctx: Callable[..., AgentContext]) -> None:
    ctx = make_ctx()
    result = unit_tests(ctx)
    assert not result.failed
    assert result.findings == []
    assert result.metrics == {
        "tests": 2.0,
        "passed": 2.0,
        "failed": 0.0,
        "skipped": 0.0,
        "line_coverage": 100.0,
        "changed_lines": 7.0,  # calc.py 6-10 and README 2-3
        "changed_lines_measurable": 3.0,  # def mul, result =, return
        "changed_lines_covered": 3.0,
        "changed_lines_coverage": 100.0,
        "exit_code": 0.0,
        "command_s": result.metrics["command_s"],
    }
    assert 0 < result.metrics["command_s"] < 30
    assert result.summary == (
        "2 tests: 2 passed, 0 failed, 0 skipped; line coverage 100.0%; changed-lines coverage 100.0% (3/3)"
    )
    assert result.evidence == [
        "commit/unit-tests/command.log",
        "commit/unit-tests/junit.xml",
        "commit/unit-tests/lcov.info",
        "commit/unit-tests/diff-coverage.json",
    ]
    for rel in result.evidence:
        assert (ctx.run.local / rel).is_file()
    assert "ran 2 tests" in (ctx.evidence_dir / "command.log").read_text()
    diff = json.loads((ctx.evidence_dir / "diff-coverage.json").read_text())
    assert diff["files"]["calc.py"]["covered"] == [8, 9, 10]
    assert diff["not_in_coverage"] == ["README.md"]
    assert result.details["not_in_coverage"] == ["README.md"]
    # The checkout is a worktree of head, not the working copy.
    assert Path(result.details["checkout"]) != ctx.config.service_dir


def test_a_failing_test_fails_the_agent(make_ctx: Callable[..., AgentContext]) -> None:
    result = unit_tests(make_ctx(env={"FAIL_TEST": "test_mul"}))
    assert result.failed
    metrics = result.metrics
    assert (metrics["failed"], metrics["passed"], metrics["exit_code"]) == (1.0, 1.0, 1.0)
    (finding,) = result.findings
    assert finding.rule == "test-failed"
    assert finding.severity is Severity.HIGH
    assert finding.location == "test_calc::test_mul"
    assert finding.message == "calc > test_mul failed: AssertionError: expected 6"
    assert result.summary.startswith("2 tests: 1 passed, 1 failed, 0 skipped;")
    assert result.summary.endswith("; `python3 run_tests.py` exited 1")


def test_uncovered_changed_lines_are_findings_but_the_gate_decides(
    make_ctx: Callable[..., AgentContext],
) -> None:
    result = unit_tests(make_ctx(env={"SKIP_TEST": "test_mul"}))
    assert not result.failed
    assert result.metrics["skipped"] == 1.0
    assert result.metrics["changed_lines_measurable"] == 3.0
    assert result.metrics["changed_lines_covered"] == 1.0  # the def line runs on import
    assert result.metrics["changed_lines_coverage"] == pytest.approx(33.33)
    (finding,) = result.findings
    assert finding.rule == "uncovered-changed-lines"
    assert finding.severity is Severity.MEDIUM
    assert finding.location == "svc/calc.py:9"
    assert finding.message == "2 changed lines not covered by unit tests: 9-10"
    assert result.summary.endswith("changed-lines coverage 33.3% (1/3)")


def test_non_zero_exit_with_all_tests_green_is_a_failure(make_ctx: Callable[..., AgentContext]) -> None:
    result = unit_tests(make_ctx(env={"EXIT_CODE": "3"}))
    assert result.failed
    assert result.metrics["failed"] == 0.0
    assert result.metrics["exit_code"] == 3.0
    assert "but `python3 run_tests.py` exited 3 although no test failed" in result.summary


def test_missing_junit_raises_even_when_a_stale_one_was_there(make_ctx: Callable[..., AgentContext]) -> None:
    ctx = make_ctx(env={"NO_JUNIT": "1"})
    with pytest.raises(ReportError, match="missing") as info:
        unit_tests(ctx)
    assert info.value.path.endswith("svc/reports/junit.xml")
    # The coverage report that was written is kept as evidence all the same.
    assert (ctx.evidence_dir / "lcov.info").is_file()


def test_missing_report_after_a_failed_command_names_the_command(
    make_ctx: Callable[..., AgentContext],
) -> None:
    with pytest.raises(ReportError, match=r"missing.*`python3 run_tests.py` exited 2") as info:
        unit_tests(make_ctx(env={"NO_JUNIT": "1", "EXIT_CODE": "2"}))
    assert "ran 2 tests" in str(info.value)  # the command's last output


def test_command_not_found_is_reported_as_such(make_ctx: Callable[..., AgentContext]) -> None:
    with pytest.raises(ReportError, match="exited 127"):
        unit_tests(make_ctx(command=["qeflow-no-such-test-runner"]))


def test_timeout_raises(make_ctx: Callable[..., AgentContext]) -> None:
    with pytest.raises(QeflowError, match=r"did not finish.*timed out"):
        unit_tests(make_ctx(env={"SLEEP": "30"}, timeout_s=0.5))


def test_cancel_raises(make_ctx: Callable[..., AgentContext]) -> None:
    ctx = make_ctx(env={"SLEEP": "30"})
    ctx.cancel.set()
    with pytest.raises(QeflowError, match="was cancelled"):
        unit_tests(ctx)


def test_runner_turns_a_report_error_into_an_error_report(make_ctx: Callable[..., AgentContext]) -> None:
    from tasks.report import Status
    from tasks.runner import run_agent

    report = run_agent(SPEC, make_ctx(env={"NO_JUNIT": "1"}))
    assert report.status is Status.ERROR
    assert "junit.xml: missing" in report.summary


# --- settings ----------------------------------------------------------------------------------


def test_settings_defaults() -> None:
    settings = UnitTestsSettings()
    assert settings.command == ["npm", "test"]
    assert settings.junit == ["reports/junit.xml"]
    assert settings.coverage == "coverage/lcov.info"
    assert settings.env == {}
    assert settings.enabled
    for name, field in UnitTestsSettings.model_fields.items():
        assert field.description, f"{name} has no description"


def test_spec_names_the_agent_everywhere() -> None:
    assert (SPEC.name, SPEC.phase, SPEC.fn) == ("unit-tests", "commit", unit_tests)
    assert SPEC.settings is UnitTestsSettings
    for metric in ("changed_lines_coverage", "failed", "tests", "line_coverage", "command_s"):
        assert metric in SPEC.metrics


@pytest.mark.parametrize(
    ("table", "location"),
    [
        ("command = []", "agents.unit-tests.command"),
        ('command = ["npm", ""]', "agents.unit-tests.command"),
        ("junit = []", "agents.unit-tests.junit"),
        ('junit = ["/etc/passwd"]', "agents.unit-tests.junit"),
        ('coverage = "../outside/lcov.info"', "agents.unit-tests.coverage"),
        ('covrage = "x"', "agents.unit-tests.covrage"),
        ("env = { A = 1 }", "agents.unit-tests.env.A"),
    ],
)
def test_bad_settings_are_config_errors(tmp_path: Path, table: str, location: str) -> None:
    (tmp_path / "qeflow.toml").write_text(
        '[service]\nname = "svc"\nstart = ["node", "s.js"]\n\n[agents.unit-tests]\n' + table + "\n"
    )
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "qeflow.toml", MODELS)
    assert [p.location for p in info.value.problems] == [location]
