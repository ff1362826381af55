"""The typed registry of agents: one name everywhere.

The function's registered name is the registry key, the gate namespace (`unit-tests.coverage`)
and the config table (`[agents.unit-tests]`). Built-ins are listed explicitly in
`tasks/__init__.py`; nothing registers itself on import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from tasks.config import PHASES, AgentSettings
from tasks.context import AgentContext
from tasks.report import AgentResult

__all__ = ["AgentFn", "AgentSpec", "Registry"]

AgentFn = Callable[[AgentContext], AgentResult]


@dataclass(frozen=True)
class AgentSpec:
    name: str
    phase: str
    fn: AgentFn
    settings: type[AgentSettings]
    description: str
    metrics: tuple[str, ...] = ()  # metric names it reports, for docs and condition validation

    def __post_init__(self) -> None:
        if self.phase not in PHASES:
            raise ValueError(f"agent {self.name}: phase {self.phase!r} is not one of {', '.join(PHASES)}")


class Registry:
    def __init__(self, specs: Iterable[AgentSpec] = ()):
        self._specs: dict[str, AgentSpec] = {}
        for spec in specs:
            self.register(spec)

    def register(self, spec: AgentSpec) -> AgentSpec:
        if spec.name in self._specs:
            raise ValueError(f"agent {spec.name!r} is already registered; agent names must be unique")
        self._specs[spec.name] = spec
        return spec

    def __getitem__(self, name: str) -> AgentSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise KeyError(f"unknown agent {name!r}; known: {', '.join(sorted(self._specs))}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[AgentSpec]:
        return iter(self._specs.values())

    def names(self) -> list[str]:
        return list(self._specs)

    def for_phase(self, phase: str) -> list[AgentSpec]:
        return [spec for spec in self._specs.values() if spec.phase == phase]

    def settings_models(self) -> dict[str, type[AgentSettings]]:
        return {spec.name: spec.settings for spec in self._specs.values()}
