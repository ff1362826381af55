"""The `static-analysis` agent (commit phase) and the engine under it.

    settings.py     StaticAnalysisSettings: [agents.static-analysis] in qeflow.toml
    targets.py      the files to analyse (tracked by git), changed files, analyzer detection
    analyzers.py    eslint, semgrep, ruff, bandit as data: file filter, argv, exit codes, parser
    parsers.py      each tool's JSON report -> ToolFindings with a severity
    severity.py     the severity table: each tool's levels -> critical | high | medium | low
    fingerprint.py  line-shift-proof fingerprints (rule, file, normalised code, occurrence)
    baseline.py     the base tree and the new-versus-existing decision
    execution.py    running the analyzer commands concurrently, reading their reports
    sarif.py        one SARIF 2.1.0 log, one run per tool
    results.py      metrics, the report's findings (new first, then critical/high debt), summary
    agent.py        the agent function, its metrics and SPEC
    rules/          semgrep rules qeflow ships: javascript/, python/, generic/ (secrets)

README.md in this directory has the severity table, the rule list and where to add things.
"""

from tasks.static_analysis.agent import METRICS, SPEC, static_analysis
from tasks.static_analysis.analyzers import (
    RULES_DIR,
    SEMGREP_REQUIRED_FLAGS,
    TOOLS,
    Tool,
    ToolNotFound,
    bandit_argv,
    default_prefix,
    eslint_argv,
    eslint_major,
    eslint_version,
    find_executable,
    ruff_argv,
    semgrep_argv,
    shipped_rules,
)
from tasks.static_analysis.baseline import BaseTree, classify
from tasks.static_analysis.execution import Job, JobOutcome, run_jobs
from tasks.static_analysis.fingerprint import (
    FINGERPRINT_KEY,
    MAX_LINES,
    assign_fingerprints,
    fingerprint,
    normalise_code,
)
from tasks.static_analysis.model import RuleInfo, ToolFinding
from tasks.static_analysis.parsers import Parsed, parse_bandit, parse_eslint, parse_ruff, parse_semgrep
from tasks.static_analysis.results import (
    MAX_DEBT_FINDINGS,
    MAX_NEW_FINDINGS,
    SEVERITY_ORDER,
    build_metrics,
    by_severity,
    report_findings,
    summarise,
)
from tasks.static_analysis.sarif import SARIF_SCHEMA, SARIF_VERSION, ToolRun, build_sarif
from tasks.static_analysis.settings import DEFAULT_EXCLUDE, Analyzer, StaticAnalysisSettings
from tasks.static_analysis.severity import (
    bandit_severity,
    eslint_severity,
    is_security_rule,
    override,
    ruff_severity,
    semgrep_severity,
)
from tasks.static_analysis.targets import (
    ESLINT_CONFIGS,
    JS_EXTENSIONS,
    PY_EXTENSIONS,
    changed_files,
    default_analyzers,
    eslint_config,
    glob_match,
    has_extension,
    languages,
    select_targets,
    tracked_files,
)

__all__ = [
    "DEFAULT_EXCLUDE",
    "ESLINT_CONFIGS",
    "FINGERPRINT_KEY",
    "JS_EXTENSIONS",
    "MAX_DEBT_FINDINGS",
    "MAX_LINES",
    "MAX_NEW_FINDINGS",
    "METRICS",
    "PY_EXTENSIONS",
    "RULES_DIR",
    "SARIF_SCHEMA",
    "SARIF_VERSION",
    "SEMGREP_REQUIRED_FLAGS",
    "SEVERITY_ORDER",
    "SPEC",
    "TOOLS",
    "Analyzer",
    "BaseTree",
    "Job",
    "JobOutcome",
    "Parsed",
    "RuleInfo",
    "StaticAnalysisSettings",
    "Tool",
    "ToolFinding",
    "ToolNotFound",
    "ToolRun",
    "assign_fingerprints",
    "bandit_argv",
    "bandit_severity",
    "build_metrics",
    "build_sarif",
    "by_severity",
    "changed_files",
    "classify",
    "default_analyzers",
    "default_prefix",
    "eslint_argv",
    "eslint_config",
    "eslint_major",
    "eslint_severity",
    "eslint_version",
    "find_executable",
    "fingerprint",
    "glob_match",
    "has_extension",
    "is_security_rule",
    "languages",
    "normalise_code",
    "override",
    "parse_bandit",
    "parse_eslint",
    "parse_ruff",
    "parse_semgrep",
    "report_findings",
    "ruff_argv",
    "ruff_severity",
    "run_jobs",
    "select_targets",
    "semgrep_argv",
    "semgrep_severity",
    "shipped_rules",
    "static_analysis",
    "summarise",
    "tracked_files",
]
