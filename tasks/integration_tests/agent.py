"""The `integration-tests` agent (build phase): the head revision released into the integration
environment, then the service's integration test command run against it.

The release is real: a database of the run's embedded PostgreSQL cluster, the service's
migrations, `instances` processes of head on free ports, each health-checked. The test command
gets the environment's URLs through placeholders in `env` and writes JUnit XML, which is the
only source of the counts. Zero tests is a failure, not a pass. The coverage report the command
writes (`coverage`, optional) is kept in the evidence for the `coverage` agent to merge; when it
is missing the report says so in a finding, and nothing fails.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
from pydantic import Field, field_validator

from tasks.config import AgentSettings, service_relative
from tasks.context import AgentContext
from tasks.environment import Environment, fill_env
from tasks.errors import EnvironmentError_, QeflowError, ReportError
from tasks.processes import run_command
from tasks.registry import AgentSpec
from tasks.report import AgentResult, Finding, Severity
from tasks.unit_tests.junit import read_junit

__all__ = ["SPEC", "IntegrationTestsSettings", "integration_tests"]

NAME = "integration-tests"
METRICS = ("tests", "passed", "failed", "skipped", "exit_code", "command_s", "instances", "release_s")


class IntegrationTestsSettings(AgentSettings):
    """`[agents.integration-tests]` in qeflow.toml."""

    environment: str = Field(default="integration", description="Environment (database) to release head into.")
    command: list[str] = Field(
        default_factory=lambda: ["npm", "run", "test:integration"],
        description="argv of the integration test command, run in the service directory of head's checkout.",
    )
    junit: list[str] = Field(
        default_factory=lambda: ["reports/integration-junit.xml"],
        min_length=1,
        description="JUnit XML files the command writes, relative to the service directory.",
    )
    coverage: str | None = Field(
        default="coverage-integration/lcov.info",
        description="Coverage report (LCOV or Cobertura) the command writes, relative to the service "
        "directory; kept as evidence for the coverage agent. Optional: a missing file is a finding.",
    )
    v8_report: list[str] | None = Field(
        default=None,
        description="Node services: when set, the released instances run with NODE_V8_COVERAGE, are "
        "stopped after the tests (so they write it), and this argv turns it into LCOV at "
        '{report_dir}/lcov.info, e.g. ["node_modules/.bin/c8", "report", "--temp-directory", '
        '"{v8_dir}", "--reporter", "lcov", "--report-dir", "{report_dir}"]. The result is '
        "merged into this agent's coverage report, so the coverage agent counts lines only the "
        "running service executed.",
    )
    env: dict[str, str] = Field(
        default_factory=lambda: {"DATABASE_URL": "{database_url}", "BASE_URL": "{base_url}"},
        description="Environment of the command; {database_url}, {base_url}, {host} and {port} refer to "
        "the integration environment and the first instance of the release.",
    )

    @field_validator("command")
    @classmethod
    def _argv(cls, value: list[str]) -> list[str]:
        if not value or not all(value):
            raise ValueError('a command as a non-empty list of strings (argv), e.g. ["npm", "test"]')
        return value

    @field_validator("coverage")
    @classmethod
    def _inside_service(cls, value: str | None) -> str | None:
        return None if value is None else service_relative(value)


def _check_health(base_urls: list[str], health_path: str) -> None:
    """The release says it is healthy; ask each instance again, as a client would."""
    with httpx.Client(timeout=5.0) as client:
        for url in base_urls:
            response = client.get(url + health_path)
            if response.status_code != 200:
                raise EnvironmentError_(f"{url}{health_path} answered {response.status_code} after the release")


def _instance_coverage(
    ctx: AgentContext, environment: Environment, service_dir: Path, v8_dir: Path, argv: list[str], notes: list[Finding]
) -> Path | None:
    """Stop the instances (Node writes NODE_V8_COVERAGE at exit) and convert their V8 data to LCOV."""
    environment.stop()
    if not v8_dir.is_dir() or not any(v8_dir.glob("*.json")):
        notes.append(
            Finding(
                rule="instance-coverage-missing",
                severity=Severity.INFO,
                message=f"the instances wrote no V8 coverage into {ctx.rel(v8_dir)}",
            )
        )
        return None
    report_dir = ctx.evidence_dir / "instances-coverage"
    filled = [a.replace("{v8_dir}", str(v8_dir)).replace("{report_dir}", str(report_dir)) for a in argv]
    result = run_command(
        filled, cwd=service_dir, log_path=ctx.evidence_path("v8-report.log"), timeout_s=120, cancel=ctx.cancel
    )
    lcov = report_dir / "lcov.info"
    if not result.ok or not lcov.is_file():
        notes.append(
            Finding(
                rule="instance-coverage-missing",
                severity=Severity.MEDIUM,
                message=f"converting the instances' V8 coverage failed: {result.describe()}",
            )
        )
        return None
    return lcov


def _with_instances(ctx: AgentContext, kept: Path | None, instance_lcov: Path, notes: list[Finding]) -> Path:
    """The test run's LCOV and the instances' in one tracefile (LCOV allows a file twice: hits add up)."""
    merged = ctx.evidence_path("integration-and-instances-lcov.info")
    parts = [instance_lcov.read_text(encoding="utf-8")]
    if kept is not None:
        text = kept.read_text(encoding="utf-8")
        if text.lstrip().startswith("<"):
            notes.append(
                Finding(
                    rule="instance-coverage-not-merged",
                    severity=Severity.INFO,
                    message="the test run's report is Cobertura; the instances' LCOV is kept apart",
                )
            )
            return kept
        parts.insert(0, text)
    merged.write_text("\n".join(p.rstrip("\n") for p in parts) + "\n", encoding="utf-8")
    return merged


def integration_tests(ctx: AgentContext) -> AgentResult:
    settings = ctx.settings if isinstance(ctx.settings, IntegrationTestsSettings) else IntegrationTestsSettings()
    if ctx.environments is None:
        raise QeflowError("integration-tests needs environments, and this run has none")
    environment = ctx.environments.get(settings.environment)
    v8_dir = ctx.evidence_dir / "v8-instances" if settings.v8_report else None
    t0 = time.monotonic()
    release = environment.release(ctx.git.head, {"NODE_V8_COVERAGE": str(v8_dir)} if v8_dir else None)
    release_s = time.monotonic() - t0
    _check_health(release.base_urls, ctx.config.service.health_path)
    first = release.instances[0]
    env = fill_env(
        settings.env,
        {
            "database_url": environment.database_url,
            "base_url": first.base_url,
            "host": "127.0.0.1",
            "port": str(first.port),
            "instance": "0",
        },
    )
    service_dir = release.service_dir
    junit_paths = [service_dir / p for p in settings.junit]
    coverage_path = service_dir / settings.coverage if settings.coverage else None
    for stale in [*junit_paths, *([coverage_path] if coverage_path else [])]:
        stale.unlink(missing_ok=True)

    log_path = ctx.evidence_path("command.log")
    result = run_command(
        settings.command,
        cwd=service_dir,
        log_path=log_path,
        env=env,
        timeout_s=settings.timeout_s,
        cancel=ctx.cancel,
    )
    if result.timed_out or result.cancelled:
        raise QeflowError(f"integration tests did not finish: {result.describe()}")
    evidence: list[Path] = [log_path]
    for path in junit_paths:
        if path.is_file():
            evidence.append(Path(shutil.copy2(path, ctx.evidence_dir / path.name)))
    coverage_kept: Path | None = None
    if coverage_path is not None and coverage_path.is_file():
        coverage_kept = Path(shutil.copy2(coverage_path, ctx.evidence_dir / coverage_path.name))
        evidence.append(coverage_kept)
    notes: list[Finding] = []
    if v8_dir is not None and settings.v8_report:
        instance_lcov = _instance_coverage(ctx, environment, service_dir, v8_dir, settings.v8_report, notes)
        if instance_lcov is not None:
            evidence.append(instance_lcov)
            coverage_kept = _with_instances(ctx, coverage_kept, instance_lcov, notes)
            evidence.append(coverage_kept)
    for instance in release.instances:
        if instance.log_path.is_file():
            evidence.append(Path(shutil.copy2(instance.log_path, ctx.evidence_dir / f"instance-{instance.index}.log")))
    try:
        junit = read_junit(junit_paths)
    except ReportError as exc:
        raise ReportError(f"{exc} (the test command {result.describe()})", path=exc.path) from exc

    findings = [
        Finding(rule="test-failed", severity=Severity.HIGH, message=f.message or "failed", location=f.test_id)
        for f in junit.failures
    ]
    if coverage_path is not None and coverage_kept is None:
        findings.append(
            Finding(
                rule="coverage-missing",
                severity=Severity.INFO,
                message=f"no coverage report at {settings.coverage} after the run: merged coverage will lack it",
            )
        )
    findings.extend(notes)
    failed = junit.failed > 0 or junit.tests == 0 or result.returncode != 0
    summary = (
        f"{junit.tests} integration tests against {len(release.instances)} instance(s) of "
        f"{ctx.git.head[:10]}: {junit.passed} passed, {junit.failed} failed, {junit.skipped} skipped"
    )
    if junit.tests == 0:
        summary += " — no test ran, which is a failure"
    elif result.returncode != 0 and junit.failed == 0:
        summary += f" — but the command exited {result.returncode}"
    return AgentResult(
        metrics={
            "tests": float(junit.tests),
            "passed": float(junit.passed),
            "failed": float(junit.failed),
            "skipped": float(junit.skipped),
            "exit_code": float(result.returncode if result.returncode is not None else -1),
            "command_s": round(result.duration_s, 3),
            "instances": float(len(release.instances)),
            "release_s": round(release_s, 3),
        },
        findings=findings,
        evidence=[ctx.rel(p) for p in evidence],
        summary=summary,
        failed=failed,
        details={
            "environment": settings.environment,
            "base_urls": release.base_urls,
            "sha": release.sha,
            "checkout": str(service_dir),  # coverage paths are relative to it
            "coverage_report": ctx.rel(coverage_kept) if coverage_kept else None,
        },
    )


SPEC = AgentSpec(
    name=NAME,
    phase="build",
    fn=integration_tests,
    settings=IntegrationTestsSettings,
    description="Releases head into the integration environment (embedded PostgreSQL, migrations, "
    "health-checked instances) and runs the service's integration tests against it.",
    metrics=METRICS,
)
