"""The production phase subflow: canary error rate, latency vs baseline, 5xx, synthetic monitors (30/60 min)."""

from flows.phase import PhaseMode, phase_flow

__all__ = ["production"]

# Agents are independent of each other: run them all at once.
production = phase_flow(
    "production",
    PhaseMode(concurrent=True),
    "canary error rate, latency vs baseline, 5xx, synthetic monitors (30/60 min).",
)
