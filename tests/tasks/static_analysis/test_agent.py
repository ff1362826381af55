"""The static-analysis agent on small services in temporary git repositories.

Tests marked slow run the real tools (semgrep takes seconds to start); the others point the
analyzers at fake_tool.py through `commands`, which records the argv it was given and writes a
canned report, so they check planning, argv, evidence and error handling in well under a second.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tasks.context import AgentContext
from tasks.errors import QeflowError, ReportError
from tasks.report import Severity, Status
from tasks.runner import run_agent
from tasks.static_analysis import RULES_DIR, SPEC, ToolNotFound, static_analysis
from tests.tasks.static_analysis.conftest import DATA, fake

EXAMPLE_MODULES = Path(__file__).resolve().parents[3] / "examples" / "users-service" / "node_modules"

Repo = Callable[..., Path]
Context = Callable[..., AgentContext]
Calls = Callable[[], list[dict[str, Any]]]

APP_V1 = '''"""A tiny service."""

import os


def clean(directory):
    os.system("rm -rf " + directory)
'''

# Ten lines above the old finding, and a new finding of another rule below it.
APP_V2 = (
    '"""A tiny service."""\n\nimport os\n\n'
    + "".join(f"LIMIT_{n} = {n}\n" for n in range(10))
    + """

def clean(directory):
    os.system("rm -rf " + directory)


def calculate(expression):
    return eval(expression)
"""
)


def _semgrep_argv(calls: Calls) -> list[str]:
    (call,) = [c for c in calls() if c["tool"] == "semgrep"]
    argv: list[str] = call["argv"]
    return argv


# --- planning, argv and evidence (fake tools) ----------------------------------------------------


def test_semgrep_runs_offline_on_the_languages_present(
    service_repo: Repo, agent_context: Context, fake_tools: Calls
) -> None:
    repo = service_repo({"app.py": "x = 1\n", "README.md": "# svc\n"}, {"app.py": "x = 2\n"})
    ctx = agent_context(repo, analyzers=["semgrep"], commands={"semgrep": fake("semgrep")})
    result = static_analysis(ctx)
    argv = _semgrep_argv(fake_tools)
    assert "--metrics=off" in argv and "--disable-version-check" in argv
    assert argv[argv.index("--output") + 1] == str(ctx.evidence_path("semgrep.json"))
    configs = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--config"]
    assert configs == [str(RULES_DIR / "python"), str(RULES_DIR / "generic")]  # no javascript rules
    # Head's files by relative path, then app.py's base version (it changed) from the base tree.
    assert argv[-4:-1] == ["README.md", "app.py", "qeflow.toml"]
    assert argv[-1].endswith("/app.py") and argv[-1].startswith("/")
    assert result.metrics["files_scanned"] == 3
    assert result.metrics["base_files"] == 1
    assert result.metrics["new_total"] == 0
    assert (
        result.summary
        == "0 new findings (0 critical, 0 high, 0 medium, 0 low); 0 existing (debt: 0 critical); semgrep on 3 files"
    )
    assert result.evidence == [
        "commit/static-analysis/static-analysis.sarif",
        "commit/static-analysis/findings.json",
        "commit/static-analysis/semgrep.json",
        "commit/static-analysis/semgrep.log",
    ]
    sarif = json.loads(ctx.evidence_path("static-analysis.sarif").read_text())
    assert [run["tool"]["driver"]["name"] for run in sarif["runs"]] == ["semgrep"]


def test_paths_and_exclude_choose_the_files(service_repo: Repo, agent_context: Context, fake_tools: Calls) -> None:
    files = {"src/a.py": "a = 1\n", "src/gen/b.py": "b = 1\n", "tools/c.py": "c = 1\n"}
    repo = service_repo(files)
    ctx = agent_context(
        repo, analyzers=["semgrep"], commands={"semgrep": fake("semgrep")}, paths=["src"], exclude=["**/gen/**"]
    )
    result = static_analysis(ctx)
    assert _semgrep_argv(fake_tools)[-1] == "src/a.py"
    assert result.metrics["files_scanned"] == 1
    assert result.metrics["base_files"] == 0  # a first commit: nothing to compare with


def test_python_services_get_ruff_and_bandit(service_repo: Repo, agent_context: Context, fake_tools: Calls) -> None:
    repo = service_repo({"app.py": "x = 1\n"})
    ctx = agent_context(repo, commands={"semgrep": fake("semgrep"), "ruff": fake("ruff"), "bandit": fake("bandit")})
    result = static_analysis(ctx)
    assert result.details["analyzers"] == ["semgrep", "ruff", "bandit"]
    assert sorted(c["tool"] for c in fake_tools()) == ["bandit", "ruff", "semgrep"]
    for key in ("semgrep_s", "ruff_s", "bandit_s"):
        assert result.metrics[key] >= 0
    assert "eslint_s" not in result.metrics


def test_eslint_config_without_eslint_is_noted_not_run(
    service_repo: Repo, agent_context: Context, fake_tools: Calls
) -> None:
    repo = service_repo({"eslint.config.js": "module.exports = [];\n", "src/app.js": "module.exports = 1;\n"})
    result = static_analysis(agent_context(repo, commands={"semgrep": fake("semgrep")}))
    assert result.details["analyzers"] == ["semgrep"]
    assert "eslint not run: eslint.config.js is there but node_modules/.bin/eslint is not" in result.summary


def test_eslint_asked_for_but_missing_is_an_error(service_repo: Repo, agent_context: Context) -> None:
    repo = service_repo({"eslint.config.js": "module.exports = [];\n", "src/app.js": "module.exports = 1;\n"})
    ctx = agent_context(repo, analyzers=["eslint"])
    with pytest.raises(ToolNotFound, match=r"node_modules/\.bin/eslint does not exist.*npm ci"):
        static_analysis(ctx)
    report = run_agent(SPEC, agent_context(repo, analyzers=["eslint"]))
    assert report.status is Status.ERROR
    assert "eslint" in report.summary and "does not exist" in report.summary


def test_a_failing_analyzer_is_an_error_with_its_output(
    service_repo: Repo, agent_context: Context, fake_tools: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = service_repo({"app.py": "x = 1\n"})
    monkeypatch.setenv("FAKE_TOOL_EXIT", "7")
    ctx = agent_context(repo, analyzers=["semgrep"], commands={"semgrep": fake("semgrep")})
    with pytest.raises(QeflowError, match=r"(?s)semgrep \(head\) failed: .* exited 7.*fake semgrep"):
        static_analysis(ctx)


def test_a_missing_report_is_a_report_error(
    service_repo: Repo, agent_context: Context, fake_tools: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = service_repo({"app.py": "x = 1\n"})
    monkeypatch.setenv("FAKE_TOOL_NO_REPORT", "1")
    ctx = agent_context(repo, analyzers=["semgrep"], commands={"semgrep": fake("semgrep")})
    with pytest.raises(ReportError, match="semgrep wrote no report"):
        static_analysis(ctx)


def test_service_rules_must_exist(service_repo: Repo, agent_context: Context, fake_tools: Calls) -> None:
    repo = service_repo({"app.py": "x = 1\n", "rules/team.yaml": "rules: []\n"})
    ctx = agent_context(
        repo, analyzers=["semgrep"], commands={"semgrep": fake("semgrep")}, semgrep_rules=["rules/team.yaml"]
    )
    static_analysis(ctx)
    configs = [a for i, a in enumerate(_semgrep_argv(fake_tools)) if _semgrep_argv(fake_tools)[i - 1] == "--config"]
    assert configs[-1].endswith("/rules/team.yaml")
    ctx = agent_context(repo, analyzers=["semgrep"], commands={"semgrep": fake("semgrep")}, semgrep_rules=["nope"])
    with pytest.raises(QeflowError, match="semgrep_rules: nope does not exist"):
        static_analysis(ctx)


def test_findings_in_unchanged_files_are_debt_without_analysing_base(
    service_repo: Repo, agent_context: Context, fake_tools: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A canned semgrep report with findings at head: one in an unchanged file, one in a new file."""
    repo = service_repo(
        {"old.py": "import os\nos.system(cmd)\n"},
        {"new.py": "eval(expression)\n"},
    )
    report = {
        "version": "0.0.0-fake",
        "results": [
            {
                "check_id": "qeflow.python.command-injection",
                "path": "old.py",
                "start": {"line": 2, "col": 1},
                "end": {"line": 2, "col": 15},
                "extra": {"message": "shell", "severity": "ERROR", "metadata": {"qeflow-severity": "critical"}},
            },
            {
                "check_id": "qeflow.python.eval",
                "path": "new.py",
                "start": {"line": 1, "col": 1},
                "end": {"line": 1, "col": 17},
                "extra": {"message": "eval", "severity": "ERROR", "metadata": {"qeflow-severity": "critical"}},
            },
        ],
        "errors": [],
    }
    canned = repo.parent / "semgrep-report.json"
    canned.write_text(json.dumps(report))
    monkeypatch.setenv("FAKE_TOOL_REPORT_SEMGREP", str(canned))
    ctx = agent_context(repo, analyzers=["semgrep"], commands={"semgrep": fake("semgrep")})
    result = static_analysis(ctx)
    assert result.metrics["base_files"] == 0  # new.py was added, old.py did not change
    assert (result.metrics["new_critical"], result.metrics["debt_critical"]) == (1, 1)
    new, debt = result.findings
    assert (new.rule, new.severity, new.location) == ("semgrep/qeflow.python.eval", Severity.CRITICAL, "new.py:1")
    assert debt.message == "(debt: existing before this change) shell"
    assert result.details["debt"]["by_severity"]["critical"] == 1
    stored = json.loads(ctx.evidence_path("findings.json").read_text())
    assert [(f["path"], f["new"]) for f in stored["findings"]] == [("new.py", True), ("old.py", False)]
    sarif = json.loads(ctx.evidence_path("static-analysis.sarif").read_text())
    assert [r["baselineState"] for r in sarif["runs"][0]["results"]] == ["new", "unchanged"]


def test_a_real_semgrep_report_flows_into_metrics_and_problems(
    service_repo: Repo, agent_context: Context, fake_tools: Calls, monkeypatch: pytest.MonkeyPatch
) -> None:
    """data/semgrep.json (a real report: 14 findings, one file semgrep could not parse), first commit."""
    repo = service_repo({"src/handlers.js": "1;\n", "app/service.py": "x = 1\n", ".env.example": "A=1\n"})
    monkeypatch.setenv("FAKE_TOOL_REPORT_SEMGREP", str(DATA / "semgrep.json"))
    result = static_analysis(agent_context(repo, analyzers=["semgrep"], commands={"semgrep": fake("semgrep")}))
    metrics = result.metrics
    assert (metrics["findings_total"], metrics["new_total"], metrics["debt_total"]) == (14, 14, 0)
    assert (metrics["new_critical"], metrics["new_high"], metrics["new_medium"], metrics["new_low"]) == (8, 4, 1, 1)
    assert metrics["analysis_errors"] == 1
    assert result.details["analysis_problems"][0].startswith("src/broken.js: Syntax error")
    assert [f.severity for f in result.findings] == sorted(
        (f.severity for f in result.findings),
        key=[Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW].index,
    )


# --- real tools ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_finding_moved_down_stays_existing_and_a_new_one_is_new(service_repo: Repo, agent_context: Context) -> None:
    repo = service_repo({"app.py": APP_V1}, {"app.py": APP_V2})
    ctx = agent_context(repo, analyzers=["semgrep"])
    result = static_analysis(ctx)
    stored = json.loads(ctx.evidence_path("findings.json").read_text())["findings"]
    assert [(f["rule"], f["start_line"], f["new"]) for f in stored] == [
        ("semgrep/qeflow.python.command-injection", 18, False),  # line 7 at base
        ("semgrep/qeflow.python.eval", 22, True),
    ]
    assert result.metrics["new_critical"] == 1
    assert result.metrics["debt_critical"] == 1
    assert result.metrics["base_files"] == 1
    assert result.findings[0].location == "app.py:22"
    assert result.findings[1].message.startswith("(debt: existing before this change)")


@pytest.mark.slow
def test_python_service_with_all_python_analyzers(service_repo: Repo, agent_context: Context) -> None:
    app = "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"
    repo = service_repo({"README.md": "# svc\n"}, {"app.py": app})
    ctx = agent_context(repo, severity_overrides={"ruff/S602": "medium"})
    result = static_analysis(ctx)
    assert result.details["analyzers"] == ["semgrep", "ruff", "bandit"]
    rules = {f.rule: f.severity for f in result.findings}
    assert rules["semgrep/qeflow.python.command-injection"] is Severity.CRITICAL
    assert rules["bandit/B602"] is Severity.CRITICAL  # HIGH/HIGH
    assert "bandit/B404" in rules  # import subprocess: LOW
    # ruff runs with its defaults here (no config): no S rules selected, nothing found
    assert not any(rule.startswith("ruff/") for rule in rules)
    assert result.metrics["new_critical"] == 2
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text())
    sarif = json.loads(ctx.evidence_path("static-analysis.sarif").read_text())
    assert list(jsonschema.Draft4Validator(schema).iter_errors(sarif)) == []
    assert [run["tool"]["driver"]["name"] for run in sarif["runs"]] == ["semgrep", "ruff", "bandit"]


ESLINT_CONFIG = """'use strict';
const js = require('@eslint/js');
const globals = require('globals');
const security = require('eslint-plugin-security');

module.exports = [
  js.configs.recommended,
  security.configs.recommended,
  { files: ['**/*.js'], languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } } },
];
"""
JS_V1 = "'use strict';\n\nfunction load(unusedA) {\n  return 1;\n}\n\nmodule.exports = { load };\n"
JS_V2 = (
    "'use strict';\n\n"
    + "".join(f"const LIMIT_{n} = {n};\n" for n in range(10))
    + "\nfunction load(unusedA) {\n  return LIMIT_0;\n}\n\n"
    + "function run(req) {\n  return eval(req.query.code);\n}\n\n"
    + "module.exports = { load, run, "
    + ", ".join(f"LIMIT_{n}" for n in range(1, 10))
    + " };\n"
)


@pytest.mark.slow
def test_eslint_runs_at_base_with_heads_config(service_repo: Repo, agent_context: Context) -> None:
    modules = EXAMPLE_MODULES
    if not (modules / ".bin" / "eslint").exists():
        pytest.skip("examples/users-service has no node_modules (make setup)")
    files = {"eslint.config.js": ESLINT_CONFIG, "package-lock.json": "{}\n", "src/a.js": JS_V1}
    repo = service_repo(files, {"src/a.js": JS_V2})
    (repo / "node_modules").symlink_to(modules, target_is_directory=True)
    toml = repo / "qeflow.toml"
    toml.write_text(
        toml.read_text() + '\n[service.dependencies]\nreuse = "node_modules"\nlockfile = "package-lock.json"\n'
    )
    ctx = agent_context(repo, analyzers=["eslint"])
    result = static_analysis(ctx)
    base_report = json.loads(ctx.evidence_path("eslint-base.json").read_text())
    assert [m["ruleId"] for f in base_report for m in f["messages"]] == ["no-unused-vars"]
    stored = json.loads(ctx.evidence_path("findings.json").read_text())["findings"]
    assert [(f["rule"], f["start_line"], f["new"]) for f in stored] == [
        ("eslint/no-unused-vars", 14, False),  # line 3 at base
        ("eslint/security/detect-eval-with-expression", 19, True),
    ]
    assert result.metrics["new_critical"] == 1
