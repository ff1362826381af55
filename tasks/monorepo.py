"""Changed-service detection for a monorepo.

A monorepo has a `qeflow.toml` at its top with a `[monorepo]` table instead of `[service]`:

    [monorepo]
    services = ["services/users", "services/orders"]   # each holds its own qeflow.toml

    [monorepo.consumers]                               # optional, besides what pacts say
    users-service = ["orders-service"]

A service is selected when a file under its directory changed between base and head, and as a
consumer when the API document of a provider it consumes changed. Consumers come from the config
and from the provider's pacts (`<pacts_dir>/*.json`, `consumer.name`). Each selection carries
its reasons, which the run reports.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tasks.config import CONFIG_FILE, AgentSettings, Config, validate_config
from tasks.errors import ConfigError, ConfigProblem

__all__ = ["Monorepo", "Selection", "is_monorepo", "load_monorepo", "select_services"]


class MonorepoSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    services: list[str] = Field(min_length=1, description="Service directories, relative to this file.")
    consumers: dict[str, list[str]] = Field(
        default_factory=dict, description="provider service name -> names of its consumer services."
    )


@dataclass(frozen=True)
class Monorepo:
    path: Path
    settings: MonorepoSettings
    services: dict[str, Config]  # by service name, in the order listed


@dataclass
class Selection:
    service: str
    config: Config
    reasons: list[str] = field(default_factory=list)


def is_monorepo(path: Path) -> bool:
    file = path / CONFIG_FILE if path.is_dir() else path
    try:
        return "monorepo" in tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False


def load_monorepo(path: Path, agent_models: Mapping[str, type[AgentSettings]]) -> Monorepo:
    """Load the monorepo file and every member's qeflow.toml; raise ConfigError with every problem."""
    file = path / CONFIG_FILE if path.is_dir() else path
    raw = tomllib.loads(file.read_text(encoding="utf-8"))
    problems: list[ConfigProblem] = []
    extra = sorted(set(raw) - {"monorepo"})
    problems += [ConfigProblem(str(file), key, "only [monorepo] in a monorepo file", key) for key in extra]
    try:
        settings = MonorepoSettings.model_validate(raw["monorepo"])
    except ValidationError as exc:
        raise ConfigError(
            [ConfigProblem(str(file), "monorepo." + ".".join(map(str, e["loc"])), e["msg"]) for e in exc.errors()]
        ) from exc
    services: dict[str, Config] = {}
    for index, rel in enumerate(settings.services):
        member = (file.parent / rel).resolve()
        config, member_problems = validate_config(member, agent_models)
        if member_problems:
            problems += member_problems
            continue
        assert config is not None
        if config.service.name in services:
            problems.append(
                ConfigProblem(str(file), f"monorepo.services[{index}]", "unique service names", config.service.name)
            )
        services[config.service.name] = config
    for provider, consumers in settings.consumers.items():
        for name in [provider, *consumers]:
            if services and name not in services:
                problems.append(
                    ConfigProblem(
                        str(file),
                        f"monorepo.consumers.{provider}",
                        "names of listed services: " + ", ".join(services),
                        name,
                    )
                )
    if problems:
        raise ConfigError(problems)
    return Monorepo(file.resolve(), settings, services)


def _pact_consumers(config: Config) -> set[str]:
    pacts = config.service_dir / config.service.pacts_dir
    names: set[str] = set()
    for pact in sorted(pacts.glob("*.json")) if pacts.is_dir() else []:
        try:
            names.add(json.loads(pact.read_text(encoding="utf-8"))["consumer"]["name"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # the pact agent reports unreadable pacts; selection just cannot use them
    return names


def select_services(repo: Monorepo, repo_root: Path, changed_files: list[str]) -> list[Selection]:
    """Services to run for a change, each with why; `changed_files` are repo-relative paths."""

    def rel(config: Config, sub: str = "") -> str:
        base = config.service_dir.relative_to(repo_root.resolve()).as_posix()
        base = "" if base == "." else base
        return f"{base}/{sub}".strip("/") if sub else base

    selected: dict[str, Selection] = {}
    for name, config in repo.services.items():
        prefix = rel(config)
        hits = [f for f in changed_files if not prefix or f == prefix or f.startswith(prefix + "/")]
        if hits:
            more = f" and {len(hits) - 3} more" if len(hits) > 3 else ""
            selected[name] = Selection(name, config, [f"changed: {', '.join(hits[:3])}{more}"])
    for provider, config in repo.services.items():
        document = rel(config, config.service.api_document)
        if document not in changed_files:
            continue
        consumers = set(repo.settings.consumers.get(provider, [])) | _pact_consumers(config)
        for consumer in sorted(consumers):
            if consumer not in repo.services:
                continue
            entry = selected.setdefault(consumer, Selection(consumer, repo.services[consumer]))
            entry.reasons.append(f"consumer of {provider}, whose API document {document} changed")
    return [selected[name] for name in repo.services if name in selected]
