"""The integration phase subflow: load at 1000 concurrent requests, SAST/DAST, chaos faults (15/30 min)."""

from flows.phase import PhaseMode, phase_flow

__all__ = ["integration"]

# Agents are independent of each other: run them all at once.
integration = phase_flow(
    "integration", PhaseMode(concurrent=True), "load at 1000 concurrent requests, SAST/DAST, chaos faults (15/30 min)."
)
