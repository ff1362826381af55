"""The staging phase subflow: E2E journeys, visual regression, readiness score, rollback drill (10/20 min)."""

from flows.phase import PhaseMode, phase_flow

__all__ = ["staging"]

# Agents are independent of each other: run them all at once.
staging = phase_flow(
    "staging",
    PhaseMode(concurrent=True),
    "E2E journeys, visual regression, readiness score, rollback drill (10/20 min).",
)
