"""The receiver's parts: settings and secret, the delivery ledger, the Prefect event shape, exports."""

from __future__ import annotations

import threading
import uuid

import pytest

import deployments.webhooks as webhooks
from deployments.webhooks import (
    DeliveryLedger,
    FileDeliveryLedger,
    WebhookSettings,
    event_id,
    normalize_github,
    resolve_secret,
    to_prefect_event,
)
from tasks.errors import ConfigError
from tests.deployments.webhooks.conftest import SECRET
from tests.deployments.webhooks.payloads import github_push


def test_exports_exist() -> None:
    assert [name for name in webhooks.__all__ if not hasattr(webhooks, name)] == []


def test_settings_come_from_qeflow_webhooks_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QEFLOW_WEBHOOKS_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("QEFLOW_WEBHOOKS_SECRET_ENV", "MY_HOOK_SECRET")
    settings = WebhookSettings()
    assert (settings.max_body_bytes, settings.secret_env) == (2048, "MY_HOOK_SECRET")
    assert WebhookSettings.model_fields["max_body_bytes"].default == 1024 * 1024


def test_settings_reject_unknown_and_out_of_range_values() -> None:
    with pytest.raises(ValueError, match="max_body_bytes"):
        WebhookSettings(max_body_bytes=0)
    with pytest.raises(ValueError, match="secrett"):
        WebhookSettings(secrett="x")  # type: ignore[call-arg]


def test_secret_is_read_from_the_named_env_var_and_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_HOOK_SECRET", SECRET)
    secret = resolve_secret(WebhookSettings(secret_env="MY_HOOK_SECRET"))
    assert secret.get_secret_value() == SECRET
    assert SECRET not in repr(secret) and SECRET not in str(secret)


def test_missing_secret_is_a_config_error_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QEFLOW_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ConfigError, match="QEFLOW_WEBHOOK_SECRET"):
        resolve_secret(WebhookSettings())


def test_secret_block_wins_over_the_env_var(monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.blocks.system import Secret

    loaded: list[str] = []

    def fake_load(name: str, **kwargs: object) -> Secret:
        loaded.append(name)
        return Secret(value="from-block")

    monkeypatch.setattr(Secret, "load", fake_load)
    monkeypatch.setenv("QEFLOW_WEBHOOK_SECRET", "from-env")
    assert resolve_secret(WebhookSettings(secret_block="github-webhook")).get_secret_value() == "from-block"
    assert loaded == ["github-webhook"]


def test_ledger_claims_once_until_expiry() -> None:
    now = [0.0]
    ledger = DeliveryLedger(ttl_s=10, max_entries=100, clock=lambda: now[0])
    assert ledger.claim("a") and not ledger.claim("a")
    now[0] = 10.5
    assert ledger.claim("a")


def test_ledger_forgets_the_oldest_beyond_its_bound_and_on_release() -> None:
    ledger = DeliveryLedger(ttl_s=60, max_entries=2)
    for key in "abc":
        assert ledger.claim(key)
    assert len(ledger) == 2 and ledger.claim("a")  # "a" was evicted
    ledger.release("c")
    assert ledger.claim("c")


def test_file_ledger_remembers_across_a_restart_until_expiry(tmp_path) -> None:
    now = [1_000.0]
    first = FileDeliveryLedger(tmp_path / "deliveries.sqlite", ttl_s=10, clock=lambda: now[0])
    assert first.claim("gh:1") and not first.claim("gh:1")
    restarted = FileDeliveryLedger(tmp_path / "deliveries.sqlite", ttl_s=10, clock=lambda: now[0])
    assert not restarted.claim("gh:1"), "a redelivery after a restart would start a second run"
    restarted.release("gh:1")
    assert restarted.claim("gh:1")
    now[0] += 10.5
    assert restarted.claim("gh:1") and len(restarted) == 1


def test_the_app_uses_the_file_ledger_when_given_a_path(tmp_path) -> None:
    settings = WebhookSettings(dedup_path=tmp_path / "d.sqlite")
    app = webhooks.create_app(settings, sink=object(), secret=SECRET)  # type: ignore[arg-type]
    assert isinstance(app.state.ledger, FileDeliveryLedger)


def test_ledger_is_thread_safe() -> None:
    ledger = DeliveryLedger(ttl_s=60, max_entries=10_000)
    wins: list[bool] = []

    def worker() -> None:
        wins.extend(ledger.claim(f"k{i}") for i in range(1000))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wins.count(True) == 1000


def test_prefect_event_has_the_repo_resource_and_a_delivery_derived_id() -> None:
    git_event = normalize_github("push", github_push(), "72d3162e")
    event = to_prefect_event(git_event)
    assert event.event == "git.push"
    assert event.resource.id == "git.repo.Codertocat.users-service"
    assert event.payload["delivery"] == "72d3162e" and event.payload["sha"] == github_push()["after"]
    assert event.id == event_id(git_event) == to_prefect_event(git_event).id
    assert isinstance(event.id, uuid.UUID)
