"""Gate conditions: `agent.metric OP value`, parsed from strings without eval.

    unit-tests.changed_lines_coverage > 80      absolute threshold
    load.p95_ms <= +5%                          relative: at most 5% above the baseline's value
    canary.error_rate_pct <= baseline           relative: no higher than the baseline's value

The baseline is the same agent's metric in the last passing run of the same service.
Operators come from one explicit table.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

__all__ = ["OPERATORS", "Condition", "ConditionSyntaxError", "parse_condition"]

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}

_CONDITION = re.compile(
    r"""^\s*(?P<agent>[a-z0-9][a-z0-9-]*)\.(?P<metric>[A-Za-z0-9_]+)\s*
        (?P<op><=|>=|==|!=|<|>)\s*
        (?P<value>baseline|[+-]\d+(?:\.\d+)?%|[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*$""",
    re.VERBOSE,
)


class ConditionSyntaxError(ValueError):
    """A condition string does not parse; the message shows the expected form."""


@dataclass(frozen=True)
class Condition:
    expression: str
    agent: str
    metric: str
    op: str
    value: float | None  # absolute threshold; None for relative conditions
    relative_pct: float | None = None  # +5% -> 5.0; `baseline` -> 0.0

    @property
    def key(self) -> str:
        return f"{self.agent}.{self.metric}"

    @property
    def is_relative(self) -> bool:
        return self.relative_pct is not None

    def threshold(self, baseline: float | None) -> float | None:
        """The number the measured value is compared with (None if relative and no baseline)."""
        if not self.is_relative:
            return self.value
        if baseline is None:
            return None
        assert self.relative_pct is not None
        return baseline * (1 + self.relative_pct / 100.0)

    def holds(self, measured: float, threshold: float) -> bool:
        if math.isnan(measured):
            return False
        return OPERATORS[self.op](measured, threshold)


def parse_condition(text: str) -> Condition:
    match = _CONDITION.match(text)
    if not match:
        raise ConditionSyntaxError(
            f"cannot parse gate condition {text!r}: expected 'agent.metric OP value' with OP one of "
            f"{', '.join(OPERATORS)} and value a number, '+N%'/'-N%' or 'baseline' "
            "(e.g. 'unit-tests.changed_lines_coverage > 80', 'load.p95_ms <= +5%')"
        )
    raw = match.group("value")
    expression = f"{match.group('agent')}.{match.group('metric')} {match.group('op')} {raw}"
    if raw == "baseline":
        return Condition(expression, match.group("agent"), match.group("metric"), match.group("op"), None, 0.0)
    if raw.endswith("%"):
        return Condition(
            expression, match.group("agent"), match.group("metric"), match.group("op"), None, float(raw[:-1])
        )
    return Condition(expression, match.group("agent"), match.group("metric"), match.group("op"), float(raw))


def describe(metrics: Mapping[str, float]) -> str:
    return ", ".join(f"{k}={v:g}" for k, v in sorted(metrics.items()))
