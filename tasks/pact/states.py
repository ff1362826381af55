"""Provider states: which SQL fixture (or endpoint) sets up each state the pacts name.

Resolution, per state name, first match wins:

1. `[agents.pact] states = { "user 1 exists" = "pacts/states/user-1-exists.sql" }` — explicit,
   relative to the service directory. A configured file that does not exist is an error before
   anything runs.
2. The convention `<pacts_dir>/states/<slug>.sql`, slug = the name lower-cased with every run of
   other characters than letters and digits turned into one `-` ("user 1 exists" ->
   `user-1-exists.sql`). So a team adds a state by adding a file.
3. `state_change_url`: the service's own endpoint, POSTed `{"state", "params", "action"}`.
4. Nothing: the interactions in that state fail, naming the state and these three ways out.

Interactions without a provider state run `default_state` (or `<pacts_dir>/states/default.sql`)
when there is one, so they do not depend on what the interaction before them left behind.
Fixtures run against the environment's database before each interaction (see `_worker.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tasks.errors import ConfigError, ConfigProblem

__all__ = ["DEFAULT_FIXTURE", "StatePlan", "plan_states", "state_slug"]

DEFAULT_FIXTURE = "default"  # <pacts_dir>/states/default.sql: interactions with no provider state
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def state_slug(name: str) -> str:
    """The conventional fixture name of a state: "User 1 exists!" -> "user-1-exists"."""
    return _NOT_ALNUM.sub("-", name.lower()).strip("-") or "state"


@dataclass(frozen=True)
class StatePlan:
    """How each state is set up: fixture paths, the default fixture, the fallback URL."""

    fixtures: dict[str, Path] = field(default_factory=dict)  # state name -> SQL file
    origin: dict[str, str] = field(default_factory=dict)  # state name -> "config" | "convention"
    default: Path | None = None
    url: str | None = None
    unresolved: list[str] = field(default_factory=list)  # states with neither fixture nor URL

    def to_json(self, root: Path) -> dict[str, Any]:
        def rel(path: Path) -> str:
            return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)

        return {
            "fixtures": {name: {"file": rel(path), "from": self.origin[name]} for name, path in self.fixtures.items()},
            "default_state": rel(self.default) if self.default else None,
            "state_change_url": self.url,
            "unresolved": self.unresolved,
        }


def plan_states(
    states: Iterable[str],
    *,
    service_dir: Path,
    pacts_dir: str,
    configured: Mapping[str, str],
    default_state: str | None,
    url: str | None,
    config_file: str,
) -> StatePlan:
    """Resolve every state the pacts use; a configured fixture that is missing raises ConfigError."""
    problems = [
        ConfigProblem(config_file, f"agents.pact.states.{name}", "an existing SQL file", str(service_dir / rel))
        for name, rel in configured.items()
        if not (service_dir / rel).is_file()
    ]
    if default_state is not None and not (service_dir / default_state).is_file():
        problems.append(
            ConfigProblem(
                config_file, "agents.pact.default_state", "an existing SQL file", str(service_dir / default_state)
            )
        )
    if problems:
        raise ConfigError(problems)

    conventional = service_dir / pacts_dir / "states"
    fixtures: dict[str, Path] = {}
    origin: dict[str, str] = {}
    unresolved: list[str] = []
    for name in dict.fromkeys([*configured, *states]):
        if name in configured:
            fixtures[name], origin[name] = service_dir / configured[name], "config"
        elif (conventional / f"{state_slug(name)}.sql").is_file():
            fixtures[name], origin[name] = conventional / f"{state_slug(name)}.sql", "convention"
        elif url is None:
            unresolved.append(name)
    default = service_dir / default_state if default_state else None
    if default is None and (conventional / f"{DEFAULT_FIXTURE}.sql").is_file():
        default = conventional / f"{DEFAULT_FIXTURE}.sql"
    return StatePlan(fixtures, origin, default, url, unresolved)
