"""The `pact` agent (build phase): the provider verified against every consumer's pact.

Head is released into its own environment (`pact`: a fresh database of the run's embedded
PostgreSQL, migrations, health-checked instances); each consumer pact — from the service's
pacts directory (`[service] pacts_dir`) and, when configured, a Pact Broker — is replayed
against the first instance by pact-python's Verifier (the Pact FFI), in a child process
(`_worker.py` says why). Before each interaction its provider state is set up by an SQL fixture
or the service's state-change endpoint (`states.py`). The build gate checks `pact.failed == 0`
and `pact.verified >= 1`.

Outcomes:
- no pacts directory and no broker: nothing to verify, said plainly, verified = 0 (the gate's
  `verified >= 1` then fails unless the team turns the agent off);
- a pacts directory without a single pact for this provider, an unreadable pact, a configured
  fixture file that does not exist, a broker that cannot be read: error;
- an interaction that fails (a mismatch, a failed or missing provider state, no result): failed,
  with every mismatch (expected vs actual) as a finding and in pact-results.json.

Evidence: pact-results.json (per pact: consumer, versions, each interaction's outcome and
mismatches, the state plan), per pact a directory with the verifier's own output (output.txt,
results.json, verifier.log) and its state changes (states.json), and matrix.json: the
verification matrix entries of this run (`matrix.py`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from tasks.config import AgentSettings
from tasks.context import AgentContext
from tasks.environment import Environment, fill_env, find_bindir
from tasks.errors import EnvironmentError_, QeflowError, ReportError
from tasks.pact.broker import fetch_pacts
from tasks.pact.matrix import MATRIX_FILE, MatrixEntry
from tasks.pact.pactfile import PactFile, find_pacts, git_version, read_pact
from tasks.pact.results import InteractionOutcome, outcomes
from tasks.pact.states import StatePlan, plan_states
from tasks.processes import run_command
from tasks.registry import AgentSpec
from tasks.report import AgentResult, Finding, Severity

__all__ = ["METRICS", "SPEC", "PactSettings", "pact"]

NAME = "pact"
RESULTS_FILE = "pact-results.json"
WORKER = Path(__file__).with_name("_worker.py")
DATABASE_ENV = "QEFLOW_PACT_DATABASE_URL"  # the worker reads the database URL from here

METRICS: tuple[str, ...] = ("pacts", "interactions", "verified", "failed", "consumers", "pending_failed", "verify_s")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PactSettings(AgentSettings):
    """`[agents.pact]` in qeflow.toml."""

    environment: str = Field(default="pact", description="Environment (database) head is released into.")
    pacts_dir: str | None = Field(
        default=None, description="Directory of consumer pacts, relative to the service; default: [service] pacts_dir."
    )
    states: dict[str, str] = Field(
        default_factory=dict,
        description="Provider state name -> SQL fixture (relative to the service directory), run against the "
        "environment's database before each interaction in that state. Unlisted states use "
        "<pacts_dir>/states/<slug>.sql when it exists.",
    )
    default_state: str | None = Field(
        default=None,
        description="SQL fixture for interactions without a provider state; default: "
        "<pacts_dir>/states/default.sql when it exists.",
    )
    state_change_url: str | None = Field(
        default=None,
        description="The service's state-change endpoint for states without a fixture, POSTed "
        '{"state", "params", "action"}; placeholders {base_url}, {host}, {port}, e.g. "{base_url}/_pact/state".',
    )
    broker_url: str | None = Field(default=None, description="Pact Broker (or PactFlow) to fetch pacts from.")
    broker_token_env: str = Field(
        default="PACT_BROKER_TOKEN",
        description="Name of the environment variable holding the broker token (the token never goes in "
        "qeflow.toml, evidence or logs).",
    )
    consumer_version_selectors: list[dict[str, Any]] | None = Field(
        default=None,
        description="Broker consumer version selectors; default: [{mainBranch = true}, {deployedOrReleased = true}].",
    )
    request_timeout_ms: int = Field(default=5000, ge=100, le=600_000, description="Per-request timeout.")

    @field_validator("broker_token_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if not _ENV_NAME.match(value):
            raise ValueError(
                "the NAME of an environment variable (e.g. PACT_BROKER_TOKEN), not a token; "
                f"got {len(value)} characters"
            )
        return value


@dataclass(frozen=True)
class _Pact:
    """A pact to verify and where its consumer version came from."""

    file: PactFile
    label: str  # path relative to the service directory, or the broker URL
    consumer_version: str
    version_source: str


# --- gathering pacts -------------------------------------------------------------------------


def _local_pacts(ctx: AgentContext, directory: Path, rel_dir: str, provider: str) -> tuple[list[_Pact], list[Finding]]:
    files = find_pacts(directory)
    where = f"{rel_dir} (at {ctx.git.short_head})"
    if not files:
        raise QeflowError(
            f"the pacts directory {where} exists but holds no pact (*.json): add the consumers' pacts, "
            f"remove the directory, or turn the agent off ([agents.pact] enabled = false)"
        )
    pacts: list[_Pact] = []
    findings: list[Finding] = []
    others: list[str] = []
    for path in files:
        pact = read_pact(path)
        label = f"{rel_dir.rstrip('/')}/{path.name}"
        if pact.provider != provider:
            others.append(f"{path.name} ({pact.consumer} -> {pact.provider})")
            findings.append(
                Finding(
                    rule="pact-other-provider",
                    severity=Severity.INFO,
                    message=f"not verified: the pact is for provider {pact.provider!r}, this service is {provider!r}",
                    location=label,
                )
            )
            continue
        version, source = pact.consumer_version, "pact"
        if version is None:
            repo_path = "/".join(p for p in (ctx.git.service_path, label) if p)
            version, source = git_version(ctx.git.repo, ctx.git.head, repo_path), "git"
        pacts.append(_Pact(pact, label, version or "unknown", source if version else "unknown"))
    if not pacts:
        raise QeflowError(
            f"the pacts directory {where} holds no pact for provider {provider!r} (found: {', '.join(others)})"
        )
    return pacts, findings


def _broker_pacts(ctx: AgentContext, settings: PactSettings, provider: str) -> list[_Pact]:
    assert settings.broker_url is not None
    token = os.environ.get(settings.broker_token_env, "")
    if not token:
        raise QeflowError(
            f"[agents.pact] broker_url is set but the environment variable ${settings.broker_token_env} "
            "(broker_token_env) is empty: export the broker token there, or remove broker_url"
        )
    fetched = fetch_pacts(
        settings.broker_url,
        provider=provider,
        token=token,
        token_env=settings.broker_token_env,
        selectors=settings.consumer_version_selectors,
        dest=ctx.evidence_path("broker-pacts"),
    )
    pacts = []
    for item in fetched:
        pact = read_pact(item.path)
        version = pact.consumer_version
        pacts.append(_Pact(pact, item.url, version or "unknown", "broker" if version else "unknown"))
    return pacts


# --- verifying -------------------------------------------------------------------------------


def _psql() -> str | None:
    try:
        return str(find_bindir() / "psql")
    except EnvironmentError_:
        return shutil.which("psql")


def _verify(
    ctx: AgentContext,
    settings: PactSettings,
    item: _Pact,
    index: int,
    *,
    base_url: str,
    plan: StatePlan,
    environment: Environment,
    psql: str | None,
) -> tuple[list[InteractionOutcome], dict[str, Any], list[Path]]:
    out = ctx.evidence_path(f"verify-{index:02d}-{re.sub(r'[^A-Za-z0-9._-]+', '-', item.file.consumer)}")
    out.mkdir(parents=True, exist_ok=True)
    job = {
        "provider": item.file.provider,
        "base_url": base_url,
        "pact": str(item.file.path),
        "out": str(out),
        "states": {name: str(path) for name, path in plan.fixtures.items()},
        "default_state": str(plan.default) if plan.default else None,
        "state_change_url": plan.url,
        "psql": psql,
        "request_timeout_ms": settings.request_timeout_ms,
    }
    job_path = out / "job.json"
    job_path.write_text(json.dumps(job, indent=2) + "\n", encoding="utf-8")
    env = {"PACT_DO_NOT_TRACK": "true"}
    if environment.database_url:
        env[DATABASE_ENV] = environment.database_url
    log_path = out / "verifier.log"
    result = run_command(
        [sys.executable, str(WORKER), str(job_path)],
        cwd=out,
        log_path=log_path,
        env=env,
        timeout_s=settings.timeout_s,
        cancel=ctx.cancel,
    )
    if result.timed_out or result.cancelled:
        raise QeflowError(f"pact verification of {item.label} did not finish: {result.describe()}")
    results_path = out / "results.json"
    if result.returncode not in (0, 1) or not results_path.is_file():
        raise ReportError(
            f"the verifier wrote no results ({result.describe()}):\n{result.tail(15)}", path=str(results_path)
        )
    results = json.loads(results_path.read_text(encoding="utf-8"))
    calls = json.loads((out / "states.json").read_text(encoding="utf-8")) if (out / "states.json").is_file() else []
    found = outcomes(results, consumer=item.file.consumer, expected=item.file.interaction_states(), state_calls=calls)
    files = [p for p in (job_path, log_path, out / "output.txt", results_path, out / "states.json") if p.is_file()]
    return found, {"exit_code": result.returncode, "state_changes": calls}, files


# --- results ---------------------------------------------------------------------------------


def _findings(item: _Pact, found: list[InteractionOutcome]) -> list[Finding]:
    findings = []
    for outcome in found:
        if outcome.ok:
            continue
        for mismatch in outcome.mismatches or []:
            findings.append(
                Finding(
                    rule="pact-pending-mismatch" if outcome.pending else "pact-mismatch",
                    severity=Severity.LOW if outcome.pending else Severity.HIGH,
                    message=f"{outcome.consumer}: {outcome.description!r}: {mismatch.describe()}",
                    location=f"{item.label}: {outcome.description}",
                )
            )
    return findings


def _first_failure(found: list[InteractionOutcome]) -> str:
    for outcome in found:
        if not outcome.ok and not outcome.pending and outcome.mismatches:
            return f"{outcome.consumer} {outcome.description!r}: {outcome.mismatches[0].describe()}"[:240]
    return ""


def _no_pacts(rel_dir: str) -> AgentResult:
    message = f"no pacts to verify: the pacts directory {rel_dir} does not exist and no broker_url is configured"
    return AgentResult(
        metrics={"pacts": 0.0, "interactions": 0.0, "verified": 0.0, "failed": 0.0, "consumers": 0.0},
        findings=[Finding(rule="no-pacts", severity=Severity.MEDIUM, message=message)],
        summary=message + " (verified = 0)",
    )


# --- the agent -------------------------------------------------------------------------------


@dataclass
class _Run:
    """What verifying every pact produced."""

    report: list[dict[str, Any]]
    outcomes: list[InteractionOutcome]
    entries: list[MatrixEntry]
    findings: list[Finding]
    evidence: list[Path]

    def count(self, *, ok: bool, pending: bool | None = None) -> int:
        return sum(1 for o in self.outcomes if o.ok == ok and (pending is None or o.pending == pending))


def _verify_all(
    ctx: AgentContext, settings: PactSettings, pacts: list[_Pact], plan: StatePlan, environment: Environment
) -> tuple[_Run, str]:
    release = environment.release(ctx.git.head)
    first = release.instances[0]
    if plan.url:
        values = {"base_url": first.base_url, "host": "127.0.0.1", "port": str(first.port)}
        url = fill_env({"state_change_url": plan.url}, values)["state_change_url"]
        plan = StatePlan(plan.fixtures, plan.origin, plan.default, url, plan.unresolved)
    psql = _psql() if (plan.fixtures or plan.default) else None
    run = _Run([], [], [], [], [])
    try:
        for index, item in enumerate(pacts, start=1):
            found, extra, files = _verify(
                ctx, settings, item, index, base_url=first.base_url, plan=plan, environment=environment, psql=psql
            )
            verified = sum(1 for o in found if o.ok)
            failed = sum(1 for o in found if not o.ok and not o.pending)
            run.outcomes += found
            run.evidence += files
            run.findings += _findings(item, found)
            run.report.append(
                {
                    "pact": item.label,
                    "consumer": item.file.consumer,
                    "consumer_version": item.consumer_version,
                    "consumer_version_source": item.version_source,
                    "provider": item.file.provider,
                    "specification": item.file.spec_version,
                    "verified": verified,
                    "failed": failed,
                    "interactions": [o.to_json() for o in found],
                    **extra,
                }
            )
            run.entries.append(
                MatrixEntry(
                    consumer=item.file.consumer,
                    consumer_version=item.consumer_version,
                    consumer_version_source=item.version_source,
                    provider=item.file.provider,
                    provider_version=ctx.git.head,
                    result="verified" if failed == 0 and found else "failed",
                    interactions=len(found),
                    verified=verified,
                    failed=failed,
                    pact=item.label,
                    verified_at=datetime.now(UTC).isoformat(),
                    run_id=ctx.run.run_id,
                )
            )
    finally:
        environment.stop()  # nothing after this agent uses the pact environment
    return run, first.base_url


def pact(ctx: AgentContext) -> AgentResult:
    settings = ctx.settings if isinstance(ctx.settings, PactSettings) else PactSettings()
    provider = ctx.config.service.name
    rel_dir = settings.pacts_dir or ctx.config.service.pacts_dir
    service_dir = ctx.workspace.checkout(ctx.git.head, timeout_s=settings.timeout_s)
    directory = service_dir / rel_dir

    pacts: list[_Pact] = []
    findings: list[Finding] = []
    if directory.is_dir():
        pacts, findings = _local_pacts(ctx, directory, rel_dir, provider)
    if settings.broker_url:
        pacts += _broker_pacts(ctx, settings, provider)
    if not pacts:
        return _no_pacts(rel_dir)

    plan = plan_states(
        [state for item in pacts for state in item.file.states],
        service_dir=service_dir,
        pacts_dir=rel_dir,
        configured=settings.states,
        default_state=settings.default_state,
        url=settings.state_change_url,
        config_file=str(ctx.config.path),
    )
    findings += [
        Finding(
            rule="provider-state-missing",
            severity=Severity.HIGH,
            message=f"provider state {name!r} has no SQL fixture and no state_change_url is set: its interactions fail",
        )
        for name in plan.unresolved
    ]
    if ctx.environments is None:
        raise QeflowError("pact needs environments, and this run has none")
    started = datetime.now(UTC)
    run, base_url = _verify_all(ctx, settings, pacts, plan, ctx.environments.get(settings.environment))
    verify_s = (datetime.now(UTC) - started).total_seconds()

    results_path = ctx.evidence_path(RESULTS_FILE)
    document = {
        "provider": provider,
        "provider_version": ctx.git.head,
        "base_url": base_url,
        "environment": settings.environment,
        "states": plan.to_json(service_dir),
        "pacts": run.report,
    }
    results_path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    matrix_path = ctx.evidence_path(MATRIX_FILE)
    matrix = {"entries": [e.to_json() for e in run.entries]}
    matrix_path.write_text(json.dumps(matrix, indent=2) + "\n", encoding="utf-8")

    consumers = sorted({item.file.consumer for item in pacts})
    verified, failed = run.count(ok=True), run.count(ok=False, pending=False)
    summary = (
        f"{verified}/{len(run.outcomes)} interactions verified from {len(pacts)} pact(s) of "
        f"{len(consumers)} consumer(s) ({', '.join(consumers)}) against {ctx.git.short_head}"
    )
    if failed:
        summary += f"; {failed} failed, first: {_first_failure(run.outcomes)}"
    return AgentResult(
        metrics={
            "pacts": float(len(pacts)),
            "interactions": float(len(run.outcomes)),
            "verified": float(verified),
            "failed": float(failed),
            "consumers": float(len(consumers)),
            "pending_failed": float(run.count(ok=False, pending=True)),
            "verify_s": round(verify_s, 3),
        },
        findings=findings + run.findings,
        evidence=[ctx.rel(p) for p in (results_path, matrix_path, *run.evidence)],
        summary=summary,
        failed=failed > 0,
        details={"consumers": consumers, "base_url": base_url, "matrix": matrix["entries"]},
    )


SPEC = AgentSpec(
    name=NAME,
    phase="build",
    fn=pact,
    settings=PactSettings,
    description="Releases head into a pact environment and verifies it against every consumer pact "
    "(pacts directory and Pact Broker) with pact-python's Verifier, setting provider states by SQL "
    "fixture or state-change URL; records the verification matrix.",
    metrics=METRICS,
)
