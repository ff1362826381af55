"""The build phase subflow: post-merge integration tests, merged coverage, Pact verification, test data (8/15 min)."""

from flows.phase import PhaseMode, phase_flow

__all__ = ["build"]

# Sequential with memory: each agent reads what the earlier ones stored.
build = phase_flow(
    "build",
    PhaseMode(concurrent=False),
    "post-merge integration tests, merged coverage, Pact verification, test data (8/15 min).",
)
