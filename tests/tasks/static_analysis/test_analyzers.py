"""How each analyzer is started: argv, mandatory semgrep flags, where the executables come from."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tasks.static_analysis import (
    RULES_DIR,
    SEMGREP_REQUIRED_FLAGS,
    TOOLS,
    Analyzer,
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

OUT = Path("/evidence/out.json")


def test_semgrep_argv_has_the_offline_flags_json_output_and_our_rules() -> None:
    argv = semgrep_argv(
        ["semgrep", "scan"], OUT, shipped_rules({"python"}), ["app.py", "/tmp/base/app.py"], jobs=1, timeout_s=5
    )
    assert argv[:2] == ["semgrep", "scan"]
    for flag in (*SEMGREP_REQUIRED_FLAGS, "--json", "--quiet", "--no-rewrite-rule-ids", "--no-git-ignore"):
        assert flag in argv
    assert argv[argv.index("--output") + 1] == str(OUT)
    assert argv[argv.index("--jobs") + 1] == "1"
    assert argv[argv.index("--timeout") + 1] == "5"
    configs = [argv[i + 1] for i, arg in enumerate(argv) if arg == "--config"]
    assert configs == [str(RULES_DIR / "python"), str(RULES_DIR / "generic")]
    assert argv[-2:] == ["app.py", "/tmp/base/app.py"]
    assert not any(arg.startswith(("p/", "r/", "auto")) for arg in configs)  # never the registry


def test_semgrep_flags_are_added_to_a_configured_command_once() -> None:
    argv = semgrep_argv(["/opt/semgrep", "scan", "--metrics=off"], OUT, [], ["a.js"], jobs=2, timeout_s=0)
    assert argv.count("--metrics=off") == 1
    assert argv.count("--disable-version-check") == 1
    assert argv[argv.index("--timeout") + 1] == "0"


def test_shipped_rules_follow_the_languages_present() -> None:
    assert shipped_rules(set()) == [RULES_DIR / "generic"]
    assert shipped_rules({"javascript", "python"}) == [
        RULES_DIR / "javascript",
        RULES_DIR / "python",
        RULES_DIR / "generic",
    ]
    for directory in ("javascript", "python", "generic"):
        assert sorted((RULES_DIR / directory).glob("*.yaml")), directory


def test_eslint_argv() -> None:
    assert eslint_argv(["node_modules/.bin/eslint"], OUT, ["src/a.js"], 9) == [
        "node_modules/.bin/eslint",
        "-f",
        "json",
        "-o",
        str(OUT),
        "--no-warn-ignored",
        "src/a.js",
    ]
    assert "--no-warn-ignored" not in eslint_argv(["eslint"], OUT, ["a.js"], 8)  # not an option before 9
    assert "--no-warn-ignored" not in eslint_argv(["eslint"], OUT, ["a.js"], None)


def test_ruff_argv() -> None:
    argv = ruff_argv(["ruff", "check"], OUT, ["app.py"])
    assert argv == [
        "ruff",
        "check",
        "--output-format",
        "json",
        "--output-file",
        str(OUT),
        "--exit-zero",
        "--no-cache",
        "--force-exclude",
        "app.py",
    ]


def test_bandit_argv_uses_the_pyproject_table_when_there_is_one(tmp_path: Path) -> None:
    assert bandit_argv(["bandit"], OUT, ["app.py"], tmp_path) == [
        "bandit",
        "-f",
        "json",
        "-o",
        str(OUT),
        "-q",
        "app.py",
    ]
    (tmp_path / "pyproject.toml").write_text('[tool.bandit]\nskips = ["B101"]\n')
    argv = bandit_argv(["bandit"], OUT, ["app.py"], tmp_path)
    assert argv[-3:] == ["-c", "pyproject.toml", "app.py"]
    (tmp_path / "pyproject.toml").write_text("not toml [")
    assert "-c" not in bandit_argv(["bandit"], OUT, ["app.py"], tmp_path)


def test_missing_eslint_binary_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ToolNotFound) as info:
        default_prefix(Analyzer.ESLINT, tmp_path)
    message = str(info.value)
    assert str(tmp_path / "node_modules/.bin/eslint") in message
    assert "npm ci" in message and "commands.eslint" in message


def test_eslint_comes_from_the_service(tmp_path: Path) -> None:
    binary = tmp_path / "node_modules" / ".bin" / "eslint"
    binary.parent.mkdir(parents=True)
    binary.write_text("#!/bin/sh\n")
    assert default_prefix(Analyzer.ESLINT, tmp_path) == [str(binary)]
    (tmp_path / "node_modules" / "eslint").mkdir()
    (tmp_path / "node_modules" / "eslint" / "package.json").write_text('{"version": "9.39.5"}')
    assert eslint_version(tmp_path) == "9.39.5"
    assert eslint_major(tmp_path) == 9


def test_python_tools_are_found_beside_the_interpreter() -> None:
    beside = Path(sys.executable).parent
    for tool in ("ruff", "bandit"):
        if (beside / tool).is_file():
            assert find_executable(tool) == str(beside / tool)
    prefix = default_prefix(Analyzer.RUFF, Path("."))
    assert prefix[-1] == "check"


def test_a_missing_tool_names_the_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ToolNotFound, match=r"semgrep: not found next to .* nor on PATH; `make setup`"):
        default_prefix(Analyzer.SEMGREP, tmp_path)


def test_tool_table() -> None:
    assert set(TOOLS) == set(Analyzer)
    assert TOOLS[Analyzer.ESLINT].accepts("src/a.ts") and not TOOLS[Analyzer.ESLINT].accepts("a.py")
    assert TOOLS[Analyzer.SEMGREP].accepts(".env")
    assert TOOLS[Analyzer.RUFF].accepts("stubs/a.pyi") and not TOOLS[Analyzer.BANDIT].accepts("stubs/a.pyi")
    assert TOOLS[Analyzer.SEMGREP].env == {"SEMGREP_SEND_METRICS": "off", "SEMGREP_ENABLE_VERSION_CHECK": "0"}
    assert TOOLS[Analyzer.BANDIT].ok_exit_codes == {0, 1}  # 1: issues found
