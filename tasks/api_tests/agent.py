"""The `api-tests` agent (commit phase): generated API tests for the operations a change touches.

1. Select operations (selection.py): added or changed in the spec between base and head, or all
   of them when service code changed or there is no spec at base. None selected: nothing is
   released or run, and the report says why.
2. Release head into its own environment (default "api-tests": a database of the run's embedded
   PostgreSQL, migrated by the release), so destructive requests hurt nothing; optionally send
   `seed_requests` (test data).
3. Run schemathesis in a child process (_engine.py) against the first instance: fixed seed, one
   worker, `max_examples` per operation and phase, stopped at `timeout_s`. No Hypothesis database
   is written anywhere and the child's working and Hypothesis directories are a temporary
   directory, never the service repository.
4. Report per-response counts (5xx responses, schema / status / content-type violations), one
   finding per unique failure, and for each a curl script and a pytest file replaying it, each
   rerun against the release to confirm it reproduces (`replay`).

Outcomes: no spec at head, a release that fails, or a run that crashed: raise (an `error`
report). A failure found, an operation left untested, an engine error or a run cut short:
`failed`. The gate judges `server_errors` and `schema_violations`.

Evidence: api-tests.json (selection, seed, versions, counts, failures), schemathesis-request.json
and schemathesis-result.json (what the engine was asked and its raw result), schemathesis.log, a
copy of the spec tested, repro_<n>.py / repro_<n>.sh / repro_<n>.replay.log, seed-requests.json,
instance-<i>.log.
"""

from __future__ import annotations

import json
import posixpath
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from tasks.api_tests._digests import SpecError, documented_responses
from tasks.api_tests.repro import Repro, render_curl, render_pytest
from tasks.api_tests.results import RunSummary, UniqueFailure, summarize
from tasks.api_tests.selection import HeadSpec, Selection, spec_selection
from tasks.api_tests.settings import ApiTestsSettings, SeedRequest
from tasks.context import AgentContext
from tasks.environment import Release
from tasks.errors import QeflowError
from tasks.processes import run_command
from tasks.registry import AgentSpec
from tasks.report import AgentResult, Finding, Severity

__all__ = ["METRICS", "SPEC", "api_tests"]

NAME = "api-tests"
ENGINE = Path(__file__).with_name("_engine.py")
RESULT_FILE = "api-tests.json"
_KILL_GRACE_S = 30.0  # the child stops itself at timeout_s; it is killed this much later
_REPLAY_TIMEOUT_S = 60.0

METRICS: tuple[str, ...] = (
    "operations_selected",
    "operations_tested",
    "cases",
    "failures_total",
    "server_errors",
    "schema_violations",
    "status_violations",
    "content_type_violations",
    "engine_errors",
    "failures_reproduced",
    "seed",
    "release_s",
    "run_s",
    "duration_s",
)

_SEVERITY = {
    "critical": Severity.CRITICAL,
    "high": Severity.HIGH,
    "medium": Severity.MEDIUM,
    "low": Severity.LOW,
}


def _settings(ctx: AgentContext) -> ApiTestsSettings:
    return ctx.settings if isinstance(ctx.settings, ApiTestsSettings) else ApiTestsSettings()


def _seed(base_url: str, requests: list[SeedRequest], timeout_s: float) -> list[dict[str, Any]]:
    """Send the configured test data; any answer but 2xx is an error (the tests would mislead)."""
    sent = []
    with httpx.Client(timeout=timeout_s, trust_env=False) as client:
        for request in requests:
            response = client.request(request.method, base_url + request.path, json=request.body)
            sent.append({"method": request.method, "path": request.path, "status": response.status_code})
            if not response.is_success:
                raise QeflowError(
                    f"seed request {request.method} {request.path} answered {response.status_code}: "
                    f"{response.text[:300]}"
                )
    return sent


def _engine_request(settings: ApiTestsSettings, spec_path: Path, base_url: str, operations: list[str]) -> dict:
    return {
        "spec_path": str(spec_path),
        "base_url": base_url,
        "operations": operations,
        "seed": settings.seed,
        "max_examples": settings.max_examples,
        "workers": settings.workers,
        "checks": list(settings.checks),
        "phases": list(settings.phases),
        "mode": settings.mode,
        "coverage_mode": settings.coverage_mode,
        "deadline_s": settings.timeout_s,
        "request_timeout_s": settings.request_timeout_s,
    }


def _run_engine(ctx: AgentContext, request: dict) -> dict[str, Any]:
    """Run _engine.py in a scratch directory; return its result document."""
    request_path = ctx.evidence_path("schemathesis-request.json")
    result_path = ctx.evidence_path("schemathesis-result.json")
    request_path.write_text(json.dumps(request, indent=1) + "\n", encoding="utf-8")
    result_path.unlink(missing_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="qeflow-api-tests-"))
    try:
        outcome = run_command(
            # -P: the script's directory stays off sys.path, so its siblings cannot shadow a library.
            [sys.executable, "-P", str(ENGINE), str(request_path), str(result_path)],
            cwd=scratch,
            log_path=ctx.evidence_path("schemathesis.log"),
            env={
                "PYTHONHASHSEED": "0",  # set iteration order, hence generation order, is fixed
                "HYPOTHESIS_STORAGE_DIRECTORY": str(scratch / "hypothesis"),
                "PYTHONDONTWRITEBYTECODE": "1",
                "NO_COLOR": "1",
            },
            timeout_s=float(request["deadline_s"]) + _KILL_GRACE_S,
            cancel=ctx.cancel,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if not outcome.ok or not result_path.is_file():
        raise QeflowError(f"schemathesis did not finish: {outcome.describe()}\n{outcome.tail(30)}")
    result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
    return result


def _replay(path: Path, base_url: str, ctx: AgentContext) -> tuple[str, Path]:
    """Run a reproduction file against the release: reproduced | not-reproduced | error, and its log."""
    log_path = path.with_suffix(".replay.log")
    outcome = run_command(
        [sys.executable, path.name],
        cwd=path.parent,
        log_path=log_path,
        env={"BASE_URL": base_url, "PYTHONDONTWRITEBYTECODE": "1"},
        timeout_s=_REPLAY_TIMEOUT_S,
        cancel=ctx.cancel,
    )
    # The file exits 1 when the check's assertion fails, 0 when it holds, 2 on anything else.
    # (A timeout or cancel leaves no return code: an error too.)
    return {0: "not-reproduced", 1: "reproduced"}.get(outcome.returncode, "error"), log_path


def _write_repros(
    ctx: AgentContext,
    settings: ApiTestsSettings,
    failures: list[UniqueFailure],
    head: HeadSpec,
    base_url: str,
    facts: dict[str, str],
) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    for number, failure in enumerate(failures[: settings.max_repros], start=1):
        try:
            documented = documented_responses(head.document, failure.operation, head.load, head.name)
        except SpecError:
            documented = {}
        repro = Repro(number, failure, base_url, documented, spec_file=head.name, facts=facts)
        pytest_file = ctx.evidence_path(f"{repro.stem}.py")
        pytest_file.write_text(render_pytest(repro), encoding="utf-8")
        curl_file = ctx.evidence_path(f"{repro.stem}.sh")
        curl_file.write_text(render_curl(repro), encoding="utf-8")
        files = [pytest_file, curl_file]
        for name, content in repro.body_files().items():
            target = ctx.evidence_path(name)
            target.write_bytes(content)
            files.append(target)
        replayed = "not-replayed"
        if settings.replay:
            replayed, log_path = _replay(pytest_file, base_url, ctx)
            files.append(log_path)
        records.append({"number": number, "files": [ctx.rel(p) for p in files], "replay": replayed})
    return records


def _finding(failure: UniqueFailure, repro: dict[str, Any] | None) -> Finding:
    target = failure.request.uri.split("://", 1)[-1].partition("/")[2]
    where = f" (replay: {repro['replay']}; {Path(repro['files'][0]).name})" if repro else ""
    times = f", {failure.occurrences}x" if failure.occurrences > 1 else ""
    message = f"{failure.title}: {failure.request.method} /{target} answered {failure.status}{times}{where}"
    detail = failure.message.strip().splitlines()[0] if failure.message.strip() else ""
    if detail:
        message += f" — {detail}"
    return Finding(
        rule=failure.check,
        severity=_SEVERITY.get(failure.severity, Severity.MEDIUM),
        message=message[:500],
        location=failure.operation,
    )


def _summary_line(selection: Selection, summary: RunSummary, tested: list[str], seed: int, max_repros: int) -> str:
    found = len(summary.failures)
    text = (
        f"{len(tested)}/{len(selection.operations)} operation(s) ({selection.rule}): {summary.cases} requests, "
        f"{found} unique failure(s); {summary.server_errors} 5xx, {summary.schema_violations} schema, "
        f"{summary.status_violations} status, {summary.content_type_violations} content-type violation(s); "
        f"seed {seed}"
    )
    if found > max_repros:
        text += f"; reproductions for the first {max_repros} only (max_repros)"
    if summary.stop_reason != "completed":
        text += f" — run stopped early ({summary.stop_reason})"
    return text


def _nothing_to_test(ctx: AgentContext, settings: ApiTestsSettings, selection: Selection, t0: float) -> AgentResult:
    path = ctx.run.write_json(
        f"{ctx.phase}/{ctx.agent}/{RESULT_FILE}",
        {"selection": selection.to_json(), "seed": settings.seed, "ran": False},
    )
    metrics = dict.fromkeys(METRICS, 0.0)
    metrics.update(seed=float(settings.seed), duration_s=round(time.monotonic() - t0, 3))
    return AgentResult(
        metrics=metrics,
        evidence=[ctx.rel(path)],
        summary=f"nothing to test: {selection.reason}",
        details={"selection": selection.to_json()},
    )


def api_tests(ctx: AgentContext) -> AgentResult:
    settings = _settings(ctx)
    t0 = time.monotonic()
    selection, head = spec_selection(ctx.git, settings.spec, settings.select, settings.ignore_changes)
    if not selection.operations:
        return _nothing_to_test(ctx, settings, selection, t0)
    if ctx.environments is None:
        raise QeflowError("api-tests needs environments, and this run has none")

    environment = ctx.environments.get(settings.environment)
    release: Release = environment.release(ctx.git.head)
    release_s = time.monotonic() - t0
    base_url = release.instances[0].base_url
    evidence: list[Path] = []
    seeded = _seed(base_url, settings.seed_requests, settings.request_timeout_s) if settings.seed_requests else []
    if seeded:
        evidence.append(ctx.run.write_json(f"{ctx.phase}/{ctx.agent}/seed-requests.json", seeded))
    spec_path = release.service_dir / settings.spec
    spec_copy = ctx.evidence_path(posixpath.basename(settings.spec))
    shutil.copy2(spec_path, spec_copy)

    t_run = time.monotonic()
    result = _run_engine(ctx, _engine_request(settings, spec_path, base_url, selection.operations))
    run_s = time.monotonic() - t_run
    summary = summarize(result)
    if summary.cases == 0 and summary.errors:
        raise QeflowError(f"schemathesis sent no request: {summary.errors[0]['message'][:500]}")

    facts = {
        "seed": str(settings.seed),
        "schemathesis": str(result.get("schemathesis_version")),
        "head": ctx.git.short_head,
    }
    repros = _write_repros(ctx, settings, summary.failures, head, base_url, facts)
    tested = summary.tested(selection.operations)
    untested = [op for op in selection.operations if op not in tested]

    findings = [_finding(f, repros[i] if i < len(repros) else None) for i, f in enumerate(summary.failures)]
    for error in summary.errors:
        findings.append(
            Finding(
                rule="api-test-error",
                severity=Severity.HIGH,
                message=f"schemathesis could not test it: {error['message'].strip().splitlines()[0][:300]}",
                location=error["label"],
            )
        )
    findings.extend(
        Finding(rule="operation-untested", severity=Severity.MEDIUM, message="no request was sent", location=op)
        for op in untested
    )

    for instance in release.instances:
        if instance.log_path.is_file():
            evidence.append(Path(shutil.copy2(instance.log_path, ctx.evidence_dir / f"instance-{instance.index}.log")))
    reproduced = sum(1 for record in repros if record["replay"] == "reproduced")
    metrics = {
        "operations_selected": float(len(selection.operations)),
        "operations_tested": float(len(tested)),
        "cases": float(summary.cases),
        "failures_total": float(len(summary.failures)),
        "server_errors": float(summary.server_errors),
        "schema_violations": float(summary.schema_violations),
        "status_violations": float(summary.status_violations),
        "content_type_violations": float(summary.content_type_violations),
        "engine_errors": float(len(summary.errors)),
        "failures_reproduced": float(reproduced),
        "seed": float(settings.seed),
        "release_s": round(release_s, 3),
        "run_s": round(run_s, 3),
        "duration_s": round(time.monotonic() - t0, 3),
    }
    document = {
        "selection": selection.to_json(),
        "seed": settings.seed,
        "schemathesis_version": result.get("schemathesis_version"),
        "hypothesis_version": result.get("hypothesis_version"),
        "environment": settings.environment,
        "sha": release.sha,
        "base_url": base_url,
        "stop_reason": summary.stop_reason,
        "operations": {
            op: {
                "cases": summary.cases_by_operation.get(op, 0),
                "by_phase": result.get("cases_by_phase", {}).get(op, {}),
                "statuses": result.get("statuses", {}).get(op, {}),
                "skipped": result.get("skipped", {}).get(op, []),
            }
            for op in selection.operations
        },
        "cases": summary.cases,
        "check_failures": summary.check_failures,
        "failures": [
            {
                "check": f.check,
                "operation": f.operation,
                "status": f.status,
                "code": f.code,
                "title": f.title,
                "message": f.message,
                "severity": f.severity,
                "phases": f.phases,
                "occurrences": f.occurrences,
                "request": {"method": f.request.method, "uri": f.request.uri},
                "repro": repros[i] if i < len(repros) else None,
            }
            for i, f in enumerate(summary.failures)
        ],
        "errors": summary.errors,
        "metrics": metrics,
    }
    result_json = ctx.run.write_json(f"{ctx.phase}/{ctx.agent}/{RESULT_FILE}", document)
    evidence = [
        result_json,
        ctx.evidence_path("schemathesis-request.json"),
        ctx.evidence_path("schemathesis-result.json"),
        ctx.evidence_path("schemathesis.log"),
        spec_copy,
        *(ctx.run.local / path for record in repros for path in record["files"]),
        *evidence,
    ]
    failed = bool(summary.failures or summary.errors or untested or summary.stop_reason != "completed")
    return AgentResult(
        metrics=metrics,
        findings=findings,
        evidence=[ctx.rel(path) for path in evidence],
        summary=_summary_line(selection, summary, tested, settings.seed, settings.max_repros),
        failed=failed,
        details={
            "selection": selection.to_json(),
            "environment": settings.environment,
            "base_url": base_url,
            "sha": release.sha,
            "schemathesis_version": result.get("schemathesis_version"),
        },
    )


SPEC = AgentSpec(
    name=NAME,
    phase="commit",
    fn=api_tests,
    settings=ApiTestsSettings,
    description="Generates API tests from the OpenAPI spec (schemathesis, fixed seed) for the operations the "
    "change touches, runs them against head released into a throwaway environment, and keeps a curl and a "
    "pytest reproduction of every failure.",
    metrics=METRICS,
)
