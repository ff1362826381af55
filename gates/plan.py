"""Which conditions gate each phase: the defaults of its agents, then qeflow.toml's overrides.

`validate_gates` parses every condition of every phase at start, so a typo fails at once rather
than after a long load test; it returns problems in the same shape as config problems.
"""

from __future__ import annotations

from gates.conditions import Condition, ConditionSyntaxError, parse_condition
from gates.defaults import DEFAULT_CONDITIONS
from tasks.config import PHASES, Config
from tasks.errors import ConfigError, ConfigProblem
from tasks.registry import Registry

__all__ = ["phase_conditions", "validate_gates"]


def _default_texts(phase: str, registry: Registry) -> list[str]:
    texts: list[str] = []
    for spec in registry.for_phase(phase):
        texts.extend(DEFAULT_CONDITIONS.get(spec.name, ()))
    return texts


def _check(
    phase: str, text: str, where: str, config: Config, registry: Registry
) -> tuple[Condition | None, ConfigProblem | None]:
    file = str(config.path)
    try:
        condition = parse_condition(text)
    except ConditionSyntaxError as exc:
        return None, ConfigProblem(file, where, str(exc).split(": ", 1)[1], text)
    if condition.agent not in registry:
        return None, ConfigProblem(
            file, where, "a condition on a known agent: " + ", ".join(sorted(registry.names())), condition.agent
        )
    spec = registry[condition.agent]
    if PHASES.index(spec.phase) > PHASES.index(phase):
        return None, ConfigProblem(
            file, where, f"an agent that runs in {phase} or earlier ({spec.name} runs in {spec.phase})", text
        )
    if spec.metrics and condition.metric not in spec.metrics:
        return None, ConfigProblem(
            file, where, f"a metric of {spec.name}: " + ", ".join(spec.metrics), condition.metric
        )
    return condition, None


def _collect(config: Config, registry: Registry, phase: str) -> tuple[list[Condition], list[ConfigProblem]]:
    settings = config.gate(phase)
    sources: list[tuple[str, str]] = []
    if settings.conditions is None:
        sources += [(text, f"(default gate of {phase})") for text in _default_texts(phase, registry)]
    else:
        sources += [(text, f"gates.{phase}.conditions[{i}]") for i, text in enumerate(settings.conditions)]
    sources += [(text, f"gates.{phase}.extra[{i}]") for i, text in enumerate(settings.extra)]
    conditions, problems = [], []
    for text, where in sources:
        condition, problem = _check(phase, text, where, config, registry)
        if problem:
            problems.append(problem)
        elif condition:
            conditions.append(condition)
    return conditions, problems


def validate_gates(config: Config, registry: Registry) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    for phase in PHASES:
        problems.extend(_collect(config, registry, phase)[1])
    return problems


def phase_conditions(config: Config, registry: Registry, phase: str) -> list[Condition]:
    conditions, problems = _collect(config, registry, phase)
    if problems:
        raise ConfigError(problems)
    return conditions
