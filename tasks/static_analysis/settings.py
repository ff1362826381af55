"""`[agents.static-analysis]` in qeflow.toml: which analyzers run, on what, and how findings rank.

[agents.static-analysis]
analyzers = ["eslint", "semgrep"]            # default: detected (see targets.detect_analyzers)
paths = ["src"]                              # service-relative; default ["."]
exclude = ["**/fixtures/**"]                 # globs; replaces the default list below
severity_overrides = { "security/detect-object-injection" = "low" }
semgrep_rules = ["security/semgrep"]         # the service's own rule files or directories
semgrep_jobs = 1
semgrep_timeout_s = 5
timeout_s = 300

[agents.static-analysis.commands]            # argv prefix of a tool; qeflow adds its options
eslint = ["npx", "--no-install", "eslint"]   # and the files after it
"""

from __future__ import annotations

import enum

from pydantic import Field, field_validator

from tasks.config import AgentSettings, service_relative
from tasks.report import Severity

__all__ = ["DEFAULT_EXCLUDE", "Analyzer", "StaticAnalysisSettings"]


class Analyzer(enum.StrEnum):
    ESLINT = "eslint"
    SEMGREP = "semgrep"
    RUFF = "ruff"
    BANDIT = "bandit"


# Tracked files that are not the team's own source: vendored, generated, minified.
DEFAULT_EXCLUDE: tuple[str, ...] = (
    "**/node_modules/**",
    "**/vendor/**",
    "**/third_party/**",
    "**/dist/**",
    "**/build/**",
    "**/coverage/**",
    "**/.venv/**",
    "**/venv/**",
    "**/*.min.js",
    "**/*.map",
)

_SEVERITIES = {Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW}


class StaticAnalysisSettings(AgentSettings):
    """`[agents.static-analysis]` in qeflow.toml."""

    timeout_s: float = Field(
        default=300, gt=0, le=7200, description="Kill an analyzer that runs longer than this (seconds)."
    )
    analyzers: list[Analyzer] | None = Field(
        default=None,
        description="Analyzers to run, from: eslint, semgrep, ruff, bandit. Unset: detected — eslint when "
        "the service has an eslint config and node_modules/.bin/eslint, ruff and bandit when it has "
        "Python files, semgrep always. A listed analyzer that cannot run is an error.",
    )
    commands: dict[Analyzer, list[str]] = Field(
        default_factory=dict,
        description="Per analyzer, the argv that starts it (an executable and leading options), run in "
        "the service directory; qeflow appends its output options and the files. Defaults: "
        "node_modules/.bin/eslint; semgrep scan; ruff check; bandit.",
    )
    paths: list[str] = Field(
        default_factory=lambda: ["."],
        min_length=1,
        description="Directories or files to analyse, relative to the service directory. Only files "
        "tracked by git at head are analysed.",
    )
    exclude: list[str] = Field(
        default_factory=lambda: list(DEFAULT_EXCLUDE),
        description="Glob patterns (service-relative, `**` for any directories) of files never analysed. "
        "Setting it replaces the default list (node_modules, vendor, dist, build, coverage, minified).",
    )
    severity_overrides: dict[str, Severity] = Field(
        default_factory=dict,
        description="Rule id -> critical | high | medium | low, replacing the mapped severity. A key is "
        "a tool's own rule id (`no-eval`, `B602`, `qeflow.javascript.sql-injection`) or the same "
        "qualified with the tool (`eslint/no-eval`); the qualified key wins.",
    )
    semgrep_rules: list[str] = Field(
        default_factory=list,
        description="Extra semgrep rule files or directories of the service (relative paths), used "
        "besides the rules qeflow ships.",
    )
    semgrep_jobs: int = Field(default=1, ge=1, le=16, description="semgrep --jobs (parallel workers).")
    semgrep_timeout_s: float = Field(
        default=5, ge=0, le=300, description="semgrep --timeout: seconds per rule and file (0: none)."
    )

    @field_validator("analyzers")
    @classmethod
    def _unique(cls, value: list[Analyzer] | None) -> list[Analyzer] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError("each analyzer at most once")
        return value

    @field_validator("commands")
    @classmethod
    def _argv(cls, value: dict[Analyzer, list[str]]) -> dict[Analyzer, list[str]]:
        for name, argv in value.items():
            if not argv or not all(isinstance(part, str) and part for part in argv):
                raise ValueError(f'commands.{name}: a non-empty list of strings (argv), e.g. ["npx", "eslint"]')
        return value

    @field_validator("paths", "semgrep_rules")
    @classmethod
    def _relative_paths(cls, value: list[str]) -> list[str]:
        return [service_relative(v) for v in value]

    @field_validator("severity_overrides")
    @classmethod
    def _ranked(cls, value: dict[str, Severity]) -> dict[str, Severity]:
        for rule, severity in value.items():
            if severity not in _SEVERITIES:
                raise ValueError(f"severity_overrides.{rule}: one of critical, high, medium, low (got {severity})")
        return value
