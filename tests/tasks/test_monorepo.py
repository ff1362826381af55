import json
import subprocess
from pathlib import Path

import pytest

from tasks.config import AgentSettings
from tasks.errors import ConfigError
from tasks.git import resolve_context
from tasks.monorepo import is_monorepo, load_monorepo, select_services

MODELS: dict[str, type[AgentSettings]] = {}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _service(root: Path, rel: str, name: str) -> None:
    d = root / rel
    d.mkdir(parents=True)
    (d / "qeflow.toml").write_text(f'[service]\nname = "{name}"\nstart = ["python3", "app.py"]\n')
    (d / "app.py").write_text("print(1)\n")
    (d / "openapi.yaml").write_text("openapi: 3.0.3\n")


@pytest.fixture
def mono(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q", "-b", "main")
    _service(tmp_path, "services/users", "users-service")
    _service(tmp_path, "services/orders", "orders-service")
    _service(tmp_path, "services/billing", "billing-service")
    pacts = tmp_path / "services/users/pacts"
    pacts.mkdir()
    (pacts / "billing.json").write_text(json.dumps({"consumer": {"name": "billing-service"}}))
    (tmp_path / "qeflow.toml").write_text(
        '[monorepo]\nservices = ["services/users", "services/orders", "services/billing"]\n'
        '[monorepo.consumers]\nusers-service = ["orders-service"]\n'
    )
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "base")
    return tmp_path


def _select(root: Path) -> dict[str, list[str]]:
    repo = load_monorepo(root, MODELS)
    git = resolve_context(root)
    return {s.service: s.reasons for s in select_services(repo, git.repo, git.changed_files)}


def test_monorepo_file_is_recognised(mono: Path) -> None:
    assert is_monorepo(mono) and not is_monorepo(mono / "services/users")


def test_only_changed_services_are_selected(mono: Path) -> None:
    (mono / "services/orders/app.py").write_text("print(2)\n")
    _git(mono, "commit", "-qam", "orders")
    assert _select(mono) == {"orders-service": ["changed: services/orders/app.py"]}


def test_api_document_change_selects_consumers_from_config_and_pacts(mono: Path) -> None:
    (mono / "services/users/openapi.yaml").write_text("openapi: 3.1.0\n")
    _git(mono, "commit", "-qam", "users api")
    selected = _select(mono)
    assert list(selected) == ["users-service", "orders-service", "billing-service"]
    assert selected["orders-service"] == [
        "consumer of users-service, whose API document services/users/openapi.yaml changed"
    ]
    assert "consumer of users-service" in selected["billing-service"][0]  # named in a pact only


def test_code_change_of_a_provider_does_not_select_consumers(mono: Path) -> None:
    (mono / "services/users/app.py").write_text("print(3)\n")
    _git(mono, "commit", "-qam", "users code")
    assert list(_select(mono)) == ["users-service"]


def test_member_problems_and_unknown_consumers_are_all_listed(mono: Path) -> None:
    (mono / "services/orders/qeflow.toml").write_text('[service]\nname = "orders-service"\n')
    (mono / "qeflow.toml").write_text(
        '[monorepo]\nservices = ["services/users", "services/orders"]\n'
        '[monorepo.consumers]\nusers-service = ["shipping-service"]\n'
    )
    with pytest.raises(ConfigError) as info:
        load_monorepo(mono, MODELS)
    text = str(info.value)
    assert "service.start" in text and "shipping-service" in text
