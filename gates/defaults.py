"""The seed's gates (DESIGN.md table), as conditions per agent.

A phase's default gate is made of the conditions of the agents that run in it, so an agent's
conditions become active when the agent exists. `[gates.<phase>]` in qeflow.toml replaces
(`conditions = [...]`) or extends (`extra = [...]`) them. Phase time budgets are not conditions:
they live in `[phases.<phase>]` (target warns, max fails).
"""

from __future__ import annotations

__all__ = ["DEFAULT_CONDITIONS"]

DEFAULT_CONDITIONS: dict[str, tuple[str, ...]] = {
    # commit: changed-lines unit coverage > 80%; no API contract break; no critical finding
    "unit-tests": (
        "unit-tests.changed_lines_coverage > 80",
        "unit-tests.failed == 0",
        "unit-tests.tests >= 1",  # zero tests is not a pass
        "unit-tests.exit_code == 0",  # a runner that exits non-zero with green tests is broken
    ),
    "contract-check": ("contract-check.breaking_changes == 0",),
    "static-analysis": ("static-analysis.new_critical == 0",),
    "api-tests": ("api-tests.server_errors == 0", "api-tests.schema_violations == 0"),
    # build: integration tests pass; coverage > 85% incl. integration; contracts; test data
    "integration-tests": ("integration-tests.failed == 0", "integration-tests.tests >= 1"),
    "coverage": ("coverage.line_coverage > 85",),
    "pact": ("pact.failed == 0", "pact.verified >= 1"),
    "test-data": ("test-data.violations == 0", "test-data.invalid_payloads == 0", "test-data.tables_failed == 0"),
    # integration: p95 < 100 ms, p99 < 500 ms at 1000 concurrent; no critical vuln; recovery
    "load": ("load.p95_ms < 100", "load.p99_ms < 500", "load.concurrency >= 1000"),
    "security": ("security.critical == 0",),
    "chaos": ("chaos.unrecovered == 0",),
    # staging: journeys pass; no visual regression; readiness > 90%; rollback plan validated
    "e2e": ("e2e.failed == 0",),
    "visual": ("visual.regressions == 0",),
    "readiness": ("readiness.score > 90",),
    "rollback-drill": ("rollback-drill.validated == 1",),
    # production canary: error rate < 0.1%; latency within 5%; no rise in 5xx; synthetics pass
    "canary": (
        "canary.error_rate_pct < 0.1",
        "canary.p95_ms <= +5%",
        "canary.server_errors_delta <= 0",
    ),
    "synthetic": ("synthetic.failed == 0",),
}
