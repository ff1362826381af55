"""The four analyzers as data: which files each takes, how it is started, how its output is read.

Each `Tool` is one external command run as argv (never a shell) in the service directory of a
checkout. qeflow appends the options it relies on (JSON to a file, no cache, no telemetry) and
the file list to the tool's argv prefix — the default one, or `commands.<tool>` from the config:

    eslint   node_modules/.bin/eslint  -f json -o OUT [--no-warn-ignored] FILES...
    semgrep  semgrep scan  --metrics=off --disable-version-check --json --output OUT --quiet
             --no-rewrite-rule-ids --no-git-ignore --jobs N --timeout S --config RULES... FILES...
    ruff     ruff check  --output-format json --output-file OUT --exit-zero --no-cache --force-exclude FILES...
    bandit   bandit  -f json -o OUT -q [-c pyproject.toml] FILES...

semgrep without `--metrics=off --disable-version-check` waits ~100 s for the network when there
is none, so those two flags are added to any semgrep command. semgrep, ruff and bandit are found
next to the running Python (the virtualenv's bin/) or on PATH; eslint in the service's own
node_modules. semgrep is never imported: its pins conflict with Prefect's, so it lives in a
virtualenv of its own.
"""

from __future__ import annotations

import json
import shutil
import sys
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks.errors import QeflowError
from tasks.static_analysis.parsers import Parsed, parse_bandit, parse_eslint, parse_ruff, parse_semgrep
from tasks.static_analysis.settings import Analyzer
from tasks.static_analysis.targets import JS_EXTENSIONS, PY_EXTENSIONS, has_extension

__all__ = [
    "RULES_DIR",
    "SEMGREP_REQUIRED_FLAGS",
    "TOOLS",
    "Tool",
    "ToolNotFound",
    "bandit_argv",
    "default_prefix",
    "eslint_argv",
    "eslint_major",
    "eslint_version",
    "find_executable",
    "ruff_argv",
    "semgrep_argv",
    "shipped_rules",
]

RULES_DIR = Path(__file__).resolve().parent / "rules"
SEMGREP_REQUIRED_FLAGS: tuple[str, ...] = ("--metrics=off", "--disable-version-check")
SEMGREP_ENV = {"SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
ESLINT_BIN = "node_modules/.bin/eslint"


class ToolNotFound(QeflowError):
    """An analyzer that should run has no executable; the message says how to provide it."""


@dataclass(frozen=True)
class Tool:
    name: Analyzer
    accepts: Callable[[str], bool]  # does it analyse this (service-relative) file?
    ok_exit_codes: frozenset[int]
    parse: Callable[..., Parsed]
    env: dict[str, str]


def _any_file(_path: str) -> bool:
    return True


TOOLS: dict[Analyzer, Tool] = {
    Analyzer.ESLINT: Tool(
        Analyzer.ESLINT, lambda p: has_extension(p, JS_EXTENSIONS), frozenset({0, 1}), parse_eslint, {}
    ),
    # Every file: the generic rules look for keys and passwords in configuration files too.
    Analyzer.SEMGREP: Tool(Analyzer.SEMGREP, _any_file, frozenset({0}), parse_semgrep, SEMGREP_ENV),
    Analyzer.RUFF: Tool(Analyzer.RUFF, lambda p: has_extension(p, PY_EXTENSIONS), frozenset({0}), parse_ruff, {}),
    Analyzer.BANDIT: Tool(Analyzer.BANDIT, lambda p: p.lower().endswith(".py"), frozenset({0, 1}), parse_bandit, {}),
}


def find_executable(name: str) -> str | None:
    """`name` beside the running interpreter (a virtualenv's bin/, links not resolved), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    return shutil.which(name)


_INSTALL_HINTS = {
    Analyzer.SEMGREP: "`make setup` installs it into .venv-tools and links it into .venv/bin; or put "
    "`semgrep` on PATH, or set [agents.static-analysis] commands.semgrep",
    Analyzer.RUFF: "`pip install ruff` in qeflow's environment, or set commands.ruff",
    Analyzer.BANDIT: "`pip install bandit` in qeflow's environment, or set commands.bandit",
}


def default_prefix(analyzer: Analyzer, service_dir: Path) -> list[str]:
    """The argv prefix that starts a tool when the config gives none; ToolNotFound if it is missing."""
    if analyzer is Analyzer.ESLINT:
        binary = service_dir / ESLINT_BIN
        if not binary.exists():
            raise ToolNotFound(
                f"eslint: {binary} does not exist. Install the service's packages in the checkout "
                "(`npm ci`; [service.dependencies] install/reuse), or set "
                "[agents.static-analysis] commands.eslint, or leave eslint out of analyzers."
            )
        return [str(binary)]
    subcommand = {Analyzer.SEMGREP: ["scan"], Analyzer.RUFF: ["check"], Analyzer.BANDIT: []}[analyzer]
    found = find_executable(analyzer.value)
    if found is None:
        raise ToolNotFound(
            f"{analyzer.value}: not found next to {sys.executable} nor on PATH; {_INSTALL_HINTS[analyzer]}."
        )
    return [found, *subcommand]


def eslint_version(service_dir: Path) -> str | None:
    """Version of the service's eslint package (None when unknown)."""
    try:
        package = json.loads((service_dir / "node_modules" / "eslint" / "package.json").read_text("utf-8"))
        return str(package["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def eslint_major(service_dir: Path) -> int | None:
    version = eslint_version(service_dir) or ""
    major = version.split(".")[0]
    return int(major) if major.isdigit() else None


def eslint_argv(prefix: Sequence[str], output: Path, files: Sequence[str], major: int | None) -> list[str]:
    # --no-warn-ignored (eslint >= 9) keeps files the service's config ignores out of the report.
    quiet_ignored = ["--no-warn-ignored"] if major is not None and major >= 9 else []
    return [*prefix, "-f", "json", "-o", str(output), *quiet_ignored, *files]


def shipped_rules(languages: set[str]) -> list[Path]:
    """qeflow's rule directories for the languages present; the generic (secrets) rules always."""
    return [RULES_DIR / name for name in ("javascript", "python") if name in languages] + [RULES_DIR / "generic"]


def semgrep_argv(
    prefix: Sequence[str],
    output: Path,
    configs: Sequence[Path | str],
    files: Sequence[str],
    *,
    jobs: int,
    timeout_s: float,
) -> list[str]:
    argv = list(prefix)
    argv += [flag for flag in SEMGREP_REQUIRED_FLAGS if flag not in argv]
    argv += ["--json", "--output", str(output), "--quiet", "--no-rewrite-rule-ids", "--no-git-ignore"]
    argv += ["--jobs", str(jobs), "--timeout", f"{timeout_s:g}"]
    for config in configs:
        argv += ["--config", str(config)]
    return [*argv, *files]


def ruff_argv(prefix: Sequence[str], output: Path, files: Sequence[str]) -> list[str]:
    return [
        *prefix,
        "--output-format",
        "json",
        "--output-file",
        str(output),
        "--exit-zero",
        "--no-cache",
        "--force-exclude",  # the service's own `exclude` applies to files named on the command line
        *files,
    ]


def _bandit_config(service_dir: Path) -> list[str]:
    pyproject = service_dir / "pyproject.toml"
    try:
        data: dict[str, Any] = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return []
    return ["-c", "pyproject.toml"] if "bandit" in data.get("tool", {}) else []


def bandit_argv(prefix: Sequence[str], output: Path, files: Sequence[str], service_dir: Path) -> list[str]:
    return [*prefix, "-f", "json", "-o", str(output), "-q", *_bandit_config(service_dir), *files]
