"""Gates: conditions, their defaults, evaluation, and the gate task that raises GateFailed."""

from gates.baseline import Baseline, find_baseline
from gates.conditions import OPERATORS, Condition, ConditionSyntaxError, parse_condition
from gates.defaults import DEFAULT_CONDITIONS
from gates.errors import GateFailed
from gates.plan import phase_conditions, validate_gates
from gates.recheck import RecheckResult, recheck_run
from gates.task import gate_task
from gates.verdict import ConditionResult, GateVerdict, evaluate_gate

__all__ = [
    "DEFAULT_CONDITIONS",
    "OPERATORS",
    "Baseline",
    "Condition",
    "ConditionResult",
    "ConditionSyntaxError",
    "GateFailed",
    "GateVerdict",
    "RecheckResult",
    "evaluate_gate",
    "find_baseline",
    "gate_task",
    "parse_condition",
    "phase_conditions",
    "recheck_run",
    "validate_gates",
]
