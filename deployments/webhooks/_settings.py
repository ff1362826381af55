"""Receiver settings (env prefix `QEFLOW_WEBHOOKS_`) and reading the shared secret once.

The secret comes from the environment variable named by `secret_env` or, when `secret_block` is
set, from that Prefect Secret block. It is read once, at `create_app`, and never logged, echoed or
kept in a `repr`.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from tasks.errors import ConfigError, ConfigProblem

__all__ = ["WebhookSettings", "resolve_secret"]

_SOURCE = "webhook receiver settings"


class WebhookSettings(BaseSettings):
    """How the receiver listens, what it accepts and where its secret lives."""

    model_config = SettingsConfigDict(env_prefix="QEFLOW_WEBHOOKS_", extra="forbid", frozen=True)

    host: str = Field(default="127.0.0.1", description="address uvicorn binds")
    port: int = Field(default=8765, ge=0, le=65535, description="port uvicorn binds (0: any free port)")
    max_body_bytes: int = Field(default=1024 * 1024, gt=0, description="larger bodies get 413")
    secret_env: str = Field(
        default="QEFLOW_WEBHOOK_SECRET", min_length=1,
        description="environment variable holding the shared secret (GitHub HMAC key, GitLab token)",
    )  # fmt: skip
    secret_block: str | None = Field(
        default=None, min_length=1, description="Prefect Secret block name; wins over secret_env when set"
    )
    dedup_ttl_s: float = Field(default=24 * 3600, gt=0, description="how long a delivery id is remembered")
    dedup_max_entries: int = Field(default=100_000, gt=0, description="delivery ids remembered at most (LRU)")
    dedup_path: Path | None = Field(
        default=None, description="SQLite file remembering delivery ids across restarts; default: in memory"
    )
    prefect_api_url: str | None = Field(
        default=None, description="Prefect API to emit events to; default: PREFECT_API_URL"
    )


def resolve_secret(settings: WebhookSettings) -> SecretStr:
    """The shared secret, from the Secret block or the environment. ConfigError if absent or empty."""
    if settings.secret_block:
        from prefect.blocks.system import Secret

        try:
            value = Secret.load(settings.secret_block, _sync=True).get()  # type: ignore[call-arg]
        except ValueError as exc:  # the block does not exist
            raise ConfigError(
                ConfigProblem(_SOURCE, "secret_block", "an existing Prefect Secret block", settings.secret_block)
            ) from exc
        where = f"Secret block {settings.secret_block!r}"
    else:
        value = os.environ.get(settings.secret_env, "")
        where = f"environment variable {settings.secret_env}"
    if not isinstance(value, str) or not value:
        raise ConfigError(ConfigProblem(_SOURCE, "secret", f"a non-empty string in the {where}", "nothing"))
    return SecretStr(value)
