from pathlib import Path

import pytest

from tasks.config import AgentSettings, OnFailure, load_config, validate_config
from tasks.errors import ConfigError


class LintSettings(AgentSettings):
    command: list[str] = ["eslint", "."]


MODELS = {"lint": LintSettings}

# Three mistakes: an unknown key, a bad value, an unknown agent.
THREE_MISTAKES = """\
[service]
name = "svc"
start = ["node", "server.js"]
helth_path = "/health"

[phases.commit]
max_s = -5

[agents.linter]
command = ["x"]
"""


def test_minimal_config_gets_every_default(write_config) -> None:
    config = load_config(write_config(), MODELS)
    assert config.service.health_path == "/health"
    assert config.phase("commit").max_s == 300
    assert config.phase("production").on_failure is OnFailure.ROLLBACK_INCIDENT
    assert config.evidence_store().endswith(".qeflow/runs")


def test_every_problem_is_listed_with_file_and_key_path(write_config) -> None:
    path = write_config(THREE_MISTAKES)
    config, problems = validate_config(path, MODELS)
    assert config is None
    text = [str(p) for p in problems]
    assert len(problems) == 3, text
    assert all(t.startswith(str(path)) for t in text)
    assert any("service.helth_path" in t and "unknown key" in t for t in text)
    assert any("phases.commit.max_s" in t and "greater than 0" in t for t in text)
    assert any("agents.linter" in t and "a known agent: lint" in t for t in text)


def test_agent_tables_are_validated_by_the_agents_model(write_config) -> None:
    path = write_config('[service]\nname = "svc"\nstart = ["x"]\n[agents.lint]\ncommand = "eslint ."\nfoo = 1\n')
    _, problems = validate_config(path, MODELS)
    locations = sorted(p.location for p in problems)
    assert locations == ["agents.lint.command", "agents.lint.foo"]


def test_commands_must_be_argv_lists(write_config) -> None:
    path = write_config('[service]\nname = "svc"\nstart = []\n')
    with pytest.raises(ConfigError, match="argv"):
        load_config(path, MODELS)


def test_unknown_placeholder_is_named(write_config) -> None:
    path = write_config('[service]\nname = "svc"\nstart = ["x"]\nenv = { DB = "{databse_url}" }\n')
    with pytest.raises(ConfigError, match=r"unknown placeholder \{databse_url\}"):
        load_config(path, MODELS)


def test_unknown_phase_is_named(write_config) -> None:
    path = write_config('[service]\nname = "svc"\nstart = ["x"]\n[phases.deploy]\nmax_s = 1\n')
    _, problems = validate_config(path, MODELS)
    assert [p.location for p in problems] == ["phases.deploy"]


def test_target_must_not_exceed_max(write_config) -> None:
    path = write_config('[service]\nname = "svc"\nstart = ["x"]\n[phases.commit]\ntarget_s = 400\n')
    _, problems = validate_config(path, MODELS)
    assert "target_s <= max_s" in str(problems[0])


def test_toml_syntax_error_names_the_file(write_config) -> None:
    path = write_config("[service\n")
    _, problems = validate_config(path, MODELS)
    assert problems[0].location == "(syntax)" and str(path) in str(problems[0])


def test_missing_file(tmp_path: Path) -> None:
    _, problems = validate_config(tmp_path, MODELS)
    assert "no such file" in str(problems[0])


def test_example_config_is_valid() -> None:
    from tasks import AGENTS

    example = Path(__file__).parents[2] / "examples" / "users-service"
    config, problems = validate_config(example, AGENTS.settings_models())
    assert problems == []
    assert config is not None and config.service.name == "users-service"


def test_serve_section_checks_cron_and_time_zone(write_config) -> None:
    serve = '[serve]\nnightly = "0 25 * * *"\ntimezone = "Mars/Base"\n'
    path = write_config('[service]\nname = "svc"\nstart = ["x"]\n' + serve)
    _, problems = validate_config(path, MODELS)
    by_key = {p.location: str(p) for p in problems}
    assert sorted(by_key) == ["serve.nightly", "serve.timezone"]
    assert "cron" in by_key["serve.nightly"] and "Mars/Base" in by_key["serve.timezone"]


def test_serve_defaults_to_a_nightly_run_and_an_empty_cron_disables_it(write_config) -> None:
    assert load_config(write_config(), MODELS).serve.nightly == "0 3 * * *"
    path = write_config('[service]\nname = "svc"\nstart = ["x"]\n[serve]\nnightly = ""\nrepository = "g/sub/svc"\n')
    serve = load_config(path, MODELS).serve
    assert (serve.nightly, serve.repository) == ("", "g/sub/svc")
