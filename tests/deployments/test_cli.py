"""The `qeflow` command line without a pipeline run: validation, usage errors, help.

`validate` and `--help` run in-process through `main(argv)`; `run` with a bad config or a bad
argument runs as a real subprocess with a PREFECT_HOME of its own, so the test can see that
Prefect's server never started (it would have created its database there).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from deployments.cli import main
from tasks.config import PHASES
from tests.support.cli import REPO_ROOT
from tests.support.defects import EXAMPLE

# Three mistakes, one of each kind: an unknown key, a value out of bounds, an unknown agent.
THREE_MISTAKES = """\
[service]
name = "svc"
start = ["node", "server.js"]
helth_path = "/health"
instances = 0

[agents.lint]
enabled = true
"""
MISTAKE_PATHS = ("service.helth_path", "service.instances", "agents.lint")
EXAMPLE_EXTRA = 'extra = ["unit-tests.line_coverage >= 80"]'
GATE_TYPO = 'extra = ["unit-tests.changed_line_coverage > 80"]'  # changed_line_, not changed_lines_
HELP_COMMANDS = (
    ["--help"],
    ["run", "--help"],
    ["validate", "--help"],
    ["report", "--help"],
    ["gates", "recheck", "--help"],
    ["contracts", "matrix", "--help"],
    ["webhooks", "serve", "--help"],
    ["server", "--help"],
)
BEFORE_PREFECT_S = 15.0  # Prefect's ephemeral start alone costs 5-13 s; validation takes about 1 s


@pytest.fixture(autouse=True)
def _restore_environ() -> Iterator[None]:
    """main() sets offline defaults in os.environ; keep them out of the other tests."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _write(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "qeflow.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _run_qeflow(*args: str, home: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    home.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "deployments.cli", *args],
        cwd=REPO_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done, time.monotonic() - t0


def _prefect_started(home: Path) -> bool:
    return any(home.glob("*.db"))


# --- validate ----------------------------------------------------------------------------------


def test_validate_lists_every_problem_with_file_and_key_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _write(tmp_path, THREE_MISTAKES)

    code = main(["validate", str(tmp_path)])

    out = capsys.readouterr().out
    assert code == 2
    assert "3 problem(s)" in out
    for key in MISTAKE_PATHS:
        assert f"{config}: {key}:" in out, f"{key} not reported with its file:\n{out}"
    instances = next(line for line in out.splitlines() if "service.instances" in line)
    assert "greater than or equal to 1" in instances and "0" in instances
    agent = next(line for line in out.splitlines() if "agents.lint" in line)
    assert "unit-tests" in agent  # the valid agent names are listed


def test_validate_json_lists_the_same_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _write(tmp_path, THREE_MISTAKES)

    code = main(["validate", str(config), "--json"])

    data = json.loads(capsys.readouterr().out)
    assert code == 2
    assert data["valid"] is False
    assert sorted(p["location"] for p in data["problems"]) == sorted(MISTAKE_PATHS)
    assert {p["file"] for p in data["problems"]} == {str(config)}


def test_validate_accepts_the_example_config(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(EXAMPLE)])

    out = capsys.readouterr().out
    assert code == 0
    assert out.strip() == f"{EXAMPLE / 'qeflow.toml'}: valid"


def test_validate_reports_a_gate_condition_typo_with_its_key_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (EXAMPLE / "qeflow.toml").read_text(encoding="utf-8")
    assert EXAMPLE_EXTRA in text, "the example's [gates.commit] extra changed; update this test"
    config = _write(tmp_path, text.replace(EXAMPLE_EXTRA, GATE_TYPO))

    code = main(["validate", str(tmp_path)])

    out = capsys.readouterr().out
    assert code == 2
    lines = [line for line in out.splitlines() if f"{config}: gates.commit.extra[0]:" in line]
    assert len(lines) == 1, out
    assert "changed_line_coverage" in lines[0]
    assert "changed_lines_coverage" in lines[0]  # the valid metrics are listed


# --- run: errors before anything runs ----------------------------------------------------------


def test_run_with_a_bad_config_exits_2_before_prefect_starts(tmp_path: Path) -> None:
    config = _write(tmp_path / "svc", THREE_MISTAKES)
    home = tmp_path / "prefect-home"

    done, duration = _run_qeflow("run", str(config.parent), home=home)

    assert done.returncode == 2, done.stderr
    assert str(config) in done.stderr
    for key in MISTAKE_PATHS:
        assert key in done.stderr
    assert "Traceback" not in done.stderr
    assert not _prefect_started(home), f"Prefect's server started: {sorted(p.name for p in home.iterdir())}"
    assert duration < BEFORE_PREFECT_S


def test_server_without_a_webhook_secret_exits_2_before_starting_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    monkeypatch.delenv("QEFLOW_WEBHOOK_SECRET", raising=False)  # the child inherits os.environ
    done, _ = _run_qeflow("server", str(EXAMPLE), "--state-dir", str(state), home=tmp_path / "home")
    assert done.returncode == 2, done.stderr
    assert "QEFLOW_WEBHOOK_SECRET" in done.stderr and "Traceback" not in done.stderr
    assert not state.exists()  # no database, no Prefect server was started


def test_server_with_a_bad_config_names_the_file_and_key(tmp_path: Path) -> None:
    config = _write(tmp_path / "svc", THREE_MISTAKES)
    done, _ = _run_qeflow("server", str(config.parent), "--state-dir", str(tmp_path / "s"), home=tmp_path / "home")
    assert done.returncode == 2, done.stderr
    assert str(config) in done.stderr and all(key in done.stderr for key in MISTAKE_PATHS)


@pytest.fixture(scope="module")
def unknown_phase(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], float, Path]:
    """`qeflow run --phase deploy` on the example's config (valid), run once for the tests below."""
    tmp = tmp_path_factory.mktemp("unknown-phase")
    _write(tmp / "svc", (EXAMPLE / "qeflow.toml").read_text(encoding="utf-8"))
    home = tmp / "prefect-home"
    done, duration = _run_qeflow("run", str(tmp / "svc"), "--phase", "deploy", "--evidence", str(tmp / "ev"), home=home)
    return done, duration, home


def test_run_with_an_unknown_phase_exits_2_naming_the_valid_phases(
    unknown_phase: tuple[subprocess.CompletedProcess[str], float, Path],
) -> None:
    done, _, _ = unknown_phase
    assert done.returncode == 2, done.stderr
    assert "deploy" in done.stderr
    for phase in PHASES:
        assert phase in done.stderr


def test_run_with_an_unknown_phase_fails_before_prefect_starts(
    unknown_phase: tuple[subprocess.CompletedProcess[str], float, Path],
) -> None:
    done, duration, home = unknown_phase
    assert not _prefect_started(home), f"Prefect's server started for a usage error:\n{done.stderr}"
    assert "Traceback" not in done.stderr
    assert duration < BEFORE_PREFECT_S


# --- help --------------------------------------------------------------------------------------


@pytest.mark.parametrize("argv", HELP_COMMANDS, ids=lambda argv: " ".join(argv[:-1]) or "qeflow")
def test_help_exits_0_and_shows_an_example(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)

    assert exc.value.code == 0
    assert "example" in capsys.readouterr().out
