"""Real tool reports -> ToolFindings, with the severity each tool level maps to.

The reports in data/ were written by the real tools (eslint 9.39 + eslint-plugin-security 4.1,
semgrep 1.187 with qeflow's rules and a few team rules, ruff 0.17, bandit 1.9) on small samples in
/tmp/qeflow-fixtures/svc: src/handlers.js (eval, exec, readFileSync of request input, an unused
variable, var, a dynamic lookup, SQL concatenation), src/broken.js (a syntax error),
app/service.py (assert, shell=True, os.system, md5, pickle, SQL by %, a password, an undefined
name), app/broken.py (a syntax error) and .env.example (an AWS key id).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasks.report import Severity
from tasks.static_analysis import ToolFinding, parse_bandit, parse_eslint, parse_ruff, parse_semgrep

DATA = Path(__file__).parent / "data"
ROOT = Path("/tmp/qeflow-fixtures/svc")


def load(name: str) -> object:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def by_rule(findings: list[ToolFinding]) -> dict[str, Severity]:
    return {f"{Path(f.path).name}:{f.start_line}:{f.rule}": f.severity for f in findings}


def test_eslint_levels_map_to_severities() -> None:
    parsed = parse_eslint(load("eslint.json"), cwd=ROOT, overrides={})
    assert by_rule(parsed.findings) == {
        "broken.js:3:parse-error": Severity.MEDIUM,
        "handlers.js:6:security/detect-eval-with-expression": Severity.CRITICAL,
        "handlers.js:6:no-eval": Severity.HIGH,
        "handlers.js:7:security/detect-child-process": Severity.CRITICAL,  # exec() with a non-literal
        "handlers.js:8:security/detect-non-literal-fs-filename": Severity.HIGH,
        "handlers.js:9:no-unused-vars": Severity.MEDIUM,  # "error"
        "handlers.js:14:security/detect-object-injection": Severity.HIGH,
        "handlers.js:18:no-var": Severity.LOW,  # "warn"
        "handlers.js:19:prefer-const": Severity.LOW,
    }
    eval_finding = next(f for f in parsed.findings if f.rule == "security/detect-eval-with-expression")
    assert eval_finding.path == str(ROOT / "src" / "handlers.js")
    assert (eval_finding.start_column, eval_finding.end_line, eval_finding.end_column) == (15, 6, 35)
    assert eval_finding.tool_level == "warn"
    assert eval_finding.info.help_uri and eval_finding.info.help_uri.endswith("detect-eval-with-expression.md")
    assert parsed.problems == []


def test_eslint_drops_ignored_file_warnings() -> None:
    report = [
        {
            "filePath": "/svc/dist/a.js",
            "messages": [
                {"ruleId": None, "severity": 1, "message": "File ignored because of a matching ignore pattern."}
            ],
        }
    ]
    assert parse_eslint(report, cwd=Path("/svc"), overrides={}).findings == []


def test_semgrep_levels_and_metadata_map_to_severities() -> None:
    parsed = parse_semgrep(load("semgrep.json"), cwd=ROOT, overrides={})
    assert by_rule(parsed.findings) == {
        ".env.example:1:qeflow.generic.aws-access-key": Severity.CRITICAL,  # qeflow-severity
        "service.py:9:qeflow.python.command-injection": Severity.CRITICAL,
        "service.py:10:qeflow.python.command-injection": Severity.CRITICAL,
        "service.py:11:team.md5": Severity.HIGH,  # WARNING with a cwe
        "service.py:12:team.pickle-loads": Severity.CRITICAL,  # ERROR with category security
        "service.py:13:qeflow.python.sql-injection": Severity.CRITICAL,
        "service.py:14:qeflow.python.hardcoded-password": Severity.HIGH,  # qeflow-severity high
        "handlers.js:6:qeflow.javascript.eval": Severity.CRITICAL,
        "handlers.js:7:qeflow.javascript.command-injection": Severity.CRITICAL,
        "handlers.js:7:team.exec-audit": Severity.HIGH,  # ERROR without security metadata
        "handlers.js:8:qeflow.javascript.path-traversal": Severity.HIGH,
        "handlers.js:14:team.todo-object-lookup": Severity.MEDIUM,  # WARNING
        "handlers.js:21:team.no-console-log": Severity.LOW,  # INFO
        "handlers.js:23:qeflow.javascript.sql-injection": Severity.CRITICAL,
    }
    assert parsed.version == "1.187.0"
    sql = next(f for f in parsed.findings if f.rule == "qeflow.javascript.sql-injection")
    assert sql.path == str(ROOT / "src" / "handlers.js")  # relative paths are taken from the cwd
    assert sql.info.cwe and sql.info.cwe[0].startswith("CWE-89")
    assert sql.info.tags == ("security",)
    assert "  " not in sql.message
    # The unparsable file is a problem, not a finding.
    assert len(parsed.problems) == 1
    assert parsed.problems[0].startswith("src/broken.js: Syntax error")


def test_ruff_rule_families_map_to_severities() -> None:
    parsed = parse_ruff(load("ruff.json"), cwd=ROOT, overrides={})
    found = by_rule(parsed.findings)
    assert found["broken.py:1:invalid-syntax"] is Severity.MEDIUM
    assert found["service.py:1:I001"] is Severity.LOW
    assert found["service.py:8:S101"] is Severity.LOW  # assert
    for rule in ("9:S602", "10:S605", "11:S324", "12:S301", "13:S608", "14:S105"):
        assert found[f"service.py:{rule}"] is Severity.HIGH, rule
    assert found["service.py:13:UP031"] is Severity.LOW
    assert found["service.py:15:F821"] is Severity.MEDIUM
    assert found["service.py:15:B018"] is Severity.MEDIUM
    s608 = next(f for f in parsed.findings if f.rule == "S608")
    assert (s608.start_column, s608.end_column) == (13, 58)
    assert s608.info.help_uri == "https://docs.astral.sh/ruff/rules/hardcoded-sql-expression"


def test_bandit_severity_and_confidence_map_to_severities() -> None:
    parsed = parse_bandit(load("bandit.json"), cwd=ROOT, overrides={})
    assert by_rule(parsed.findings) == {
        "service.py:2:B404": Severity.LOW,  # LOW/HIGH
        "service.py:4:B403": Severity.LOW,
        "service.py:8:B101": Severity.LOW,
        "service.py:9:B602": Severity.CRITICAL,  # HIGH/HIGH
        "service.py:10:B605": Severity.CRITICAL,
        "service.py:11:B324": Severity.CRITICAL,
        "service.py:12:B301": Severity.HIGH,  # MEDIUM/HIGH
        "service.py:13:B608": Severity.LOW,  # MEDIUM/LOW
        "service.py:14:B105": Severity.LOW,  # LOW/MEDIUM
    }
    b602 = next(f for f in parsed.findings if f.rule == "B602")
    assert b602.path == str(ROOT / "app" / "service.py")  # "./app/service.py" from the cwd
    assert b602.tool_level == "HIGH/HIGH"
    assert b602.info.cwe == ("CWE-78",)
    assert b602.start_column == 5  # bandit's col_offset is 0-based
    assert parsed.problems == ["./app/broken.py: syntax error while parsing AST from file"]


@pytest.mark.parametrize(
    ("parse", "report", "key", "rule"),
    [
        (parse_eslint, "eslint.json", "security/detect-object-injection", "security/detect-object-injection"),
        (parse_eslint, "eslint.json", "eslint/no-var", "no-var"),
        (parse_semgrep, "semgrep.json", "team.no-console-log", "team.no-console-log"),
        (parse_ruff, "ruff.json", "ruff/S101", "S101"),
        (parse_bandit, "bandit.json", "B602", "B602"),
    ],
)
def test_severity_overrides_apply_by_bare_or_qualified_rule(parse, report, key: str, rule: str) -> None:  # type: ignore[no-untyped-def]
    parsed = parse(load(report), cwd=ROOT, overrides={key: Severity.CRITICAL})
    assert {f.severity for f in parsed.findings if f.rule == rule} == {Severity.CRITICAL}


def test_qualified_override_wins_over_bare() -> None:
    overrides = {"B602": Severity.LOW, "bandit/B602": Severity.MEDIUM}
    parsed = parse_bandit(load("bandit.json"), cwd=ROOT, overrides=overrides)
    assert next(f for f in parsed.findings if f.rule == "B602").severity is Severity.MEDIUM


@pytest.mark.parametrize(
    ("parse", "bad"),
    [(parse_eslint, {}), (parse_semgrep, []), (parse_ruff, {}), (parse_bandit, {"errors": []})],
)
def test_a_report_of_the_wrong_shape_is_rejected(parse, bad: object) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="JSON: expected"):
        parse(bad, cwd=ROOT, overrides={})
