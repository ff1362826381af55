"""`qeflow.toml`, loaded into pydantic models.

Every problem is collected and reported at once with the file, the key path and what was
expected (`ConfigError`), before anything runs. Per-agent tables (`[agents.<name>]`) are validated
by the settings model that the agent registers, so the agent's name is the config table's name.

Layout of a qeflow.toml (every key has a default except `service.name` and `service.start`):

    [service]        name, root, start (argv), health_path, port_env, instances, env {..}
    [service.dependencies]  install (argv), reuse (dir), lockfile
    [database]       mode ("embedded" | "url"), url, migrate (argv)
    [git]            default_branch
    [evidence]       store (path or fsspec URL)
    [git_host]       provider, repository, token_env (a variable's NAME), api_url, target_url, phases, ...
    [serve]          repository (owner/name of webhook events), nightly (cron), timezone — `qeflow server`
    [phases.<phase>] target_s, max_s, on_failure
    [gates.<phase>]  conditions (replace the defaults), extra (added to them), baseline
    [agents.<name>]  enabled + the agent's own options
"""

from __future__ import annotations

import enum
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from cronsim import CronSim, CronSimError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tasks.commit_status.settings import GitHostSettings
from tasks.errors import ConfigError, ConfigProblem

__all__ = [
    "CONFIG_FILE",
    "PHASES",
    "AgentSettings",
    "Config",
    "DatabaseSettings",
    "DependencySettings",
    "EvidenceSettings",
    "GateSettings",
    "GitHostSettings",
    "GitSettings",
    "OnFailure",
    "PhaseSettings",
    "ServeSettings",
    "ServiceSettings",
    "load_config",
    "service_relative",
    "validate_config",
]

PHASES: tuple[str, ...] = ("commit", "build", "integration", "staging", "production")
CONFIG_FILE = "qeflow.toml"
PLACEHOLDERS = ("port", "database_url", "host", "base_url", "instance")
_PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _argv(value: list[str]) -> list[str]:
    if not value or not all(isinstance(part, str) and part for part in value):
        raise ValueError('a command as a non-empty list of strings (argv), e.g. ["npm", "test"]')
    return value


def service_relative(value: str) -> str:
    """Validate a path given relative to the service directory: not absolute, no `..`.

    Agents delete and read these files inside a checkout, so they must stay inside it."""
    path = PurePosixPath(value)
    if not value or path.is_absolute() or ".." in path.parts:
        raise ValueError(f"a path relative to the service directory, without '..' (got {value!r})")
    return value


class DependencySettings(_Strict):
    """How a checkout of another revision (a git worktree) gets its installed packages."""

    install: list[str] | None = Field(
        default=None, description="argv run in a fresh checkout when its packages cannot be reused."
    )
    reuse: str | None = Field(
        default=None,
        description="Directory (e.g. node_modules) linked from the working copy when the lockfile is "
        "unchanged between the working copy and the checkout.",
    )
    lockfile: str | None = Field(default=None, description="File whose content decides reuse.")

    @field_validator("install")
    @classmethod
    def _install_argv(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _argv(value)


class ServiceSettings(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Service name (lowercase, dashes).")
    root: str = Field(default=".", description="Service directory, relative to the qeflow.toml.")
    start: list[str] = Field(description="argv that starts one instance, run in the service root.")
    health_path: str = Field(default="/health", pattern=r"^/")
    port_env: str = Field(default="PORT", description="Environment variable that carries the port.")
    instances: int = Field(default=1, ge=1, le=16)
    health_timeout_s: float = Field(default=30.0, gt=0, le=600)
    env: dict[str, str] = Field(
        default_factory=dict,
        description="Environment of each instance; placeholders: " + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS),
    )
    dependencies: DependencySettings = Field(default_factory=DependencySettings)
    api_document: str = Field(
        default="openapi.yaml",
        description="The service's API document (OpenAPI or GraphQL SDL), relative to the service root; "
        "a change to it also selects the service's consumers in a monorepo.",
    )
    pacts_dir: str = Field(
        default="pacts", description="Directory of consumer pacts (Pact JSON) verified against this provider."
    )

    @field_validator("start")
    @classmethod
    def _start_argv(cls, value: list[str]) -> list[str]:
        return _argv(value)

    @field_validator("env")
    @classmethod
    def _known_placeholders(cls, value: dict[str, str]) -> dict[str, str]:
        for key, text in value.items():
            for name in _PLACEHOLDER_RE.findall(text):
                if name not in PLACEHOLDERS:
                    raise ValueError(
                        f"env {key}: unknown placeholder {{{name}}}; valid: "
                        + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
                    )
        return value


class DatabaseMode(enum.StrEnum):
    EMBEDDED = "embedded"
    URL = "url"
    NONE = "none"


class DatabaseSettings(_Strict):
    mode: DatabaseMode = Field(
        default=DatabaseMode.EMBEDDED,
        description="embedded: a PostgreSQL cluster per run; url: an existing server; none: no database.",
    )
    url: str | None = Field(default=None, description="postgresql:// URL of a server (mode = url).")
    migrate: list[str] | None = Field(default=None, description="argv that migrates {database_url}.")

    @field_validator("migrate")
    @classmethod
    def _migrate_argv(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _argv(value)


class GitSettings(_Strict):
    default_branch: str | None = Field(
        default=None, description="Branch that base revisions are taken from; detected when unset."
    )


class EvidenceSettings(_Strict):
    store: str = Field(
        default=".qeflow/runs",
        description="Where run directories go: a path (relative to the qeflow.toml) or an fsspec URL.",
    )


class ServeSettings(_Strict):
    """How `qeflow server` deploys the service: which webhook events are its own, and the nightly run."""

    repository: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$",
        description="owner/name as the git host's webhooks name the repository (GitLab groups: "
        "group/sub/name); default: [git_host].repository, else the origin remote's URL.",
    )
    nightly: str = Field(
        default="0 3 * * *", description='cron of the nightly full pipeline on the default branch; "" disables it.'
    )
    timezone: str = Field(default="UTC", description="IANA time zone the nightly cron is read in.")

    @field_validator("nightly")
    @classmethod
    def _cron(cls, value: str) -> str:
        if value.strip():
            try:
                CronSim(value, datetime.now(UTC))
            except CronSimError as exc:
                raise ValueError(f'not a cron expression ({exc}); e.g. "0 3 * * *" is 03:00 every day') from exc
        return value.strip()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f'unknown time zone {value!r}; e.g. "UTC" or "Europe/Paris"') from exc
        return value


class OnFailure(enum.StrEnum):
    """Rollback policies of DESIGN.md's table."""

    BLOCK_MERGE = "block-merge"
    AUTO_ROLLBACK = "auto-rollback"
    BLOCK_REVIEW = "block-review"
    ROLLBACK_INCIDENT = "rollback-incident"


DEFAULT_BUDGETS: dict[str, tuple[float, float, OnFailure]] = {
    "commit": (180, 300, OnFailure.BLOCK_MERGE),
    "build": (480, 900, OnFailure.BLOCK_MERGE),
    "integration": (900, 1800, OnFailure.AUTO_ROLLBACK),
    "staging": (600, 1200, OnFailure.BLOCK_REVIEW),
    "production": (1800, 3600, OnFailure.ROLLBACK_INCIDENT),
}


class PhaseSettings(_Strict):
    target_s: float = Field(gt=0, description="Budget target: going over adds a warning.")
    max_s: float = Field(gt=0, description="Budget maximum: going over times the phase out.")
    on_failure: OnFailure

    @classmethod
    def default(cls, phase: str) -> PhaseSettings:
        target, maximum, policy = DEFAULT_BUDGETS[phase]
        return cls(target_s=target, max_s=maximum, on_failure=policy)


class GateSettings(_Strict):
    conditions: list[str] | None = Field(default=None, description="Replaces the phase's default conditions when set.")
    extra: list[str] = Field(default_factory=list, description="Added to the (default) conditions.")


class AgentSettings(_Strict):
    """Base of every agent's settings table; agents subclass it with their own options."""

    enabled: bool = Field(default=True, description="false skips the agent (its report says so).")
    timeout_s: float = Field(default=600, gt=0, le=7200, description="Kill the agent's commands after this.")


class Config(_Strict):
    """A validated qeflow.toml. `path` is the file it came from; `root_dir` its directory."""

    path: Path
    service: ServiceSettings
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    git: GitSettings = Field(default_factory=GitSettings)
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings)
    git_host: GitHostSettings = Field(default_factory=GitHostSettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)
    phases: dict[str, PhaseSettings] = Field(default_factory=dict)
    gates: dict[str, GateSettings] = Field(default_factory=dict)
    agents: dict[str, AgentSettings] = Field(default_factory=dict)

    @property
    def root_dir(self) -> Path:
        return self.path.parent

    @property
    def service_dir(self) -> Path:
        return (self.root_dir / self.service.root).resolve()

    def phase(self, name: str) -> PhaseSettings:
        return self.phases.get(name) or PhaseSettings.default(name)

    def gate(self, phase: str) -> GateSettings:
        return self.gates.get(phase) or GateSettings()

    def agent(self, name: str, model: type[AgentSettings]) -> AgentSettings:
        found = self.agents.get(name)
        return found if isinstance(found, model) else model()

    def evidence_store(self) -> str:
        store = self.evidence.store
        if "://" in store:
            return store
        return str((self.root_dir / store).resolve())


def _loc(parts: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in parts) or "(top level)"


def _problems_from(file: str, prefix: tuple[Any, ...], error: ValidationError) -> list[ConfigProblem]:
    problems = []
    for item in error.errors():
        loc = prefix + tuple(item["loc"])
        if item["type"] == "extra_forbidden":
            expected = "no such key"
            parent = loc[:-1]
            problems.append(ConfigProblem(file, _loc(loc), f"unknown key under {_loc(parent)}"))
            continue
        expected = item["msg"]
        found = repr(item.get("input")) if item["type"] != "missing" else ""
        if "token_env" in loc:
            found = "(not shown: it may be a token)"
        if len(found) > 80:
            found = found[:77] + "..."
        problems.append(ConfigProblem(file, _loc(loc), expected, found))
    return problems


def validate_config(
    path: Path, agent_models: Mapping[str, type[AgentSettings]]
) -> tuple[Config | None, list[ConfigProblem]]:
    """Parse and validate a qeflow.toml; return the config (None if invalid) and every problem.

    `agent_models` maps each known agent name to its settings model (from the registry), so that
    `[agents.<name>]` tables are checked by their agent's own model and unknown agents are named.
    """
    path = path / CONFIG_FILE if path.is_dir() else path
    file = str(path)
    if not path.is_file():
        return None, [ConfigProblem(file, "(file)", f"a {CONFIG_FILE} file", "no such file")]
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        return None, [ConfigProblem(file, "(syntax)", "valid TOML", str(exc))]
    except UnicodeDecodeError as exc:
        return None, [ConfigProblem(file, "(encoding)", "UTF-8 text", str(exc))]

    problems: list[ConfigProblem] = []
    raw = dict(raw)

    agents: dict[str, AgentSettings] = {}
    raw_agents = raw.pop("agents", {})
    if not isinstance(raw_agents, dict):
        problems.append(ConfigProblem(file, "agents", "a table of [agents.<name>]", type(raw_agents).__name__))
        raw_agents = {}
    for name, table in raw_agents.items():
        model = agent_models.get(name)
        if model is None:
            valid = ", ".join(sorted(agent_models)) or "(none registered)"
            problems.append(ConfigProblem(file, f"agents.{name}", f"a known agent: {valid}", name))
            continue
        try:
            agents[name] = model.model_validate(table)
        except ValidationError as exc:
            problems.extend(_problems_from(file, ("agents", name), exc))

    for section in ("phases", "gates"):
        table = raw.get(section, {})
        if isinstance(table, dict):
            for phase in table:
                if phase not in PHASES:
                    problems.append(ConfigProblem(file, f"{section}.{phase}", "a phase: " + ", ".join(PHASES), phase))
            raw[section] = {k: v for k, v in table.items() if k in PHASES}

    phases_raw = raw.get("phases", {})
    if isinstance(phases_raw, dict):
        merged = {}
        for phase, table in phases_raw.items():
            if isinstance(table, dict):
                default = PhaseSettings.default(phase).model_dump()
                merged[phase] = {**default, **table}
            else:
                merged[phase] = table
        raw["phases"] = merged

    config: Config | None = None
    try:
        config = Config.model_validate({**raw, "path": path.resolve(), "agents": {}})
    except ValidationError as exc:
        problems.extend(_problems_from(file, (), exc))

    if config is not None:
        for phase, settings in config.phases.items():
            if settings.target_s > settings.max_s:
                problems.append(
                    ConfigProblem(
                        file,
                        f"phases.{phase}",
                        "target_s <= max_s",
                        f"target_s={settings.target_s}, max_s={settings.max_s}",
                    )
                )
        if config.database.mode is DatabaseMode.URL and not config.database.url:
            problems.append(ConfigProblem(file, "database.url", 'a postgresql:// URL when mode = "url"', "nothing"))
        if not config.service_dir.is_dir():
            problems.append(ConfigProblem(file, "service.root", "an existing directory", str(config.service_dir)))
        config = config.model_copy(update={"agents": agents})

    if problems:
        return None, problems
    return config, []


def load_config(path: Path, agent_models: Mapping[str, type[AgentSettings]]) -> Config:
    """Like `validate_config`, but raise `ConfigError` listing every problem."""
    config, problems = validate_config(path, agent_models)
    if problems:
        raise ConfigError(problems)
    assert config is not None
    return config
