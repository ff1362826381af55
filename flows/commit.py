"""The commit phase subflow: pre-merge unit tests, API contract breaks, static analysis (budget 3/5 min)."""

from flows.phase import PhaseMode, phase_flow

__all__ = ["commit"]

# Agents are independent of each other: run them all at once.
commit = phase_flow(
    "commit", PhaseMode(concurrent=True), "pre-merge unit tests, API contract breaks, static analysis (budget 3/5 min)."
)
