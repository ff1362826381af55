"""Run schemathesis against one base URL and write what happened as JSON (a child process).

    python _engine.py REQUEST.json RESULT.json

The api-tests agent starts this file as a child process (argv, own process group), so that
schemathesis and Hypothesis keep their process-wide state (Hypothesis' storage directory, local
constants, schemathesis' hook and auth registries) out of the pipeline process, a timeout or a
cancel kills it cleanly, and the same request always runs with the same set of loaded modules and
hash seed (the agent sets PYTHONHASHSEED=0): with one worker and a fixed seed, the generated
requests are the same from run to run.

It imports neither qeflow nor pydantic: only the standard library, PyYAML (through schemathesis)
and schemathesis' public pieces — `schemathesis.openapi.from_path`, `schemathesis.Config`
(`SchemathesisConfig.from_dict`, the structure of a `schemathesis.toml`), `BaseSchema.include`,
and the engine (`schemathesis.engine.from_schema(schema).execute()`), whose events carry a
recorder per scenario with every case, request, response and check result.

REQUEST.json: spec_path, base_url, operations ([] = all), seed, max_examples, workers, checks,
phases, mode, coverage_mode, deadline_s, request_timeout_s.
RESULT.json: see `run()`; requests are recorded as sent (method, full URI, headers, body base64).
"""

from __future__ import annotations

import base64
import json
import sys
import threading
import time
import traceback
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

__all__ = ["build_config", "main", "run"]

MESSAGE_LIMIT = 2000
BODY_LIMIT = 4000


def build_config(request: dict[str, Any]) -> dict[str, Any]:
    """The schemathesis configuration (the structure of a schemathesis.toml) for one request.

    `max-time` is left out on purpose: with it, schemathesis keeps cycling the fuzzing and stateful
    phases until the time is used up, so the run would always last that long. The run is bounded
    by `max-examples` per operation instead, and `deadline_s` stops it early (see `run`).
    """
    enabled = set(request["phases"])
    checks: dict[str, Any] = {"enabled": False}
    for name in request["checks"]:
        checks[name] = {"enabled": True}
    return {
        "seed": request["seed"],
        "base-url": request["base_url"],
        "workers": request["workers"],
        "request-timeout": request["request_timeout_s"],
        "color": False,
        "cache": {"enabled": False},  # no replay of earlier runs' findings: every run starts clean
        "generation": {
            "max-examples": request["max_examples"],
            "database": "none",  # no Hypothesis example database anywhere
            "deterministic": True,
            "mode": request["mode"],
        },
        "phases": {
            "examples": {"enabled": "examples" in enabled},
            "coverage": {"enabled": "coverage" in enabled, "generation": {"mode": request["coverage_mode"]}},
            "fuzzing": {"enabled": "fuzzing" in enabled},
            "stateful": {"enabled": "stateful" in enabled},
        },
        "checks": checks,
    }


def _request_json(request: Any) -> dict[str, Any]:
    body = request.body
    return {
        "method": request.method,
        "uri": request.uri,
        "headers": {key: values[0] if values else "" for key, values in request.headers.items()},
        "body_b64": None if body is None else base64.b64encode(body).decode("ascii"),
    }


def _response_json(response: Any) -> dict[str, Any] | None:
    if response is None:
        return None
    content = response.content or b""
    return {
        "status": response.status_code,
        "headers": {key: values[0] if values else "" for key, values in response.headers.items()},
        "body": content[:BODY_LIMIT].decode("utf-8", errors="replace"),
        "body_truncated": len(content) > BODY_LIMIT,
        "elapsed_s": round(float(response.elapsed), 4),
    }


class _Collector:
    """Turns engine events into plain data."""

    def __init__(self) -> None:
        self.cases: Counter[str] = Counter()
        self.by_phase: dict[str, Counter[str]] = defaultdict(Counter)
        self.statuses: dict[str, Counter[str]] = defaultdict(Counter)
        self.check_results: dict[str, Counter[str]] = defaultdict(Counter)
        self.failures: list[dict[str, Any]] = []
        self.errors: list[dict[str, Any]] = []
        self.skipped: dict[str, list[str]] = defaultdict(list)
        self.stop_reason = "unknown"
        self.running_time_s = 0.0

    def scenario(self, event: Any) -> None:
        recorder = event.recorder
        phase = event.phase.value
        if event.skip_reason:
            self.skipped[event.label or recorder.label].append(f"{phase}: {event.skip_reason}")
        for case_id, interaction in recorder.interactions.items():
            node = recorder.cases.get(case_id)
            label = node.value.operation.label if node is not None else recorder.label
            self.cases[label] += 1
            self.by_phase[label][phase] += 1
            status = interaction.response.status_code if interaction.response is not None else "no-response"
            self.statuses[label][str(status)] += 1
        for case_id, checks in recorder.checks.items():
            for check in checks:
                self.check_results[check.name][check.status.value] += 1
                if check.failure_info is None:
                    continue
                self.failures.append(self._failure(recorder, phase, case_id, check))

    def _failure(self, recorder: Any, phase: str, case_id: str, check: Any) -> dict[str, Any]:
        failure = check.failure_info.failure
        failing_id = failure.case_id or case_id
        node = recorder.cases.get(failing_id)
        operation = node.value.operation if node is not None else None
        interaction = recorder.interactions.get(failing_id)
        chain = [case.id for case in recorder.iter_chain_cases(case_id=failing_id)]
        steps = []
        for step_id in chain:
            if step_id == failing_id:
                continue
            step = recorder.interactions.get(step_id)
            if step is not None:
                steps.append(_request_json(step.request))
        return {
            "check": check.name,
            "code": getattr(failure, "code", ""),
            "title": failure.title,
            "message": (failure.message or "")[:MESSAGE_LIMIT],
            "severity": getattr(getattr(failure, "severity", None), "value", "medium"),
            "operation": operation.label if operation is not None else (failure.operation or recorder.label),
            "path_template": operation.path if operation is not None else None,
            "method": operation.method.upper() if operation is not None else None,
            "phase": phase,
            "case_id": failing_id,
            "request": None if interaction is None else _request_json(interaction.request),
            "response": None if interaction is None else _response_json(interaction.response),
            "steps": steps,
        }

    def error(self, label: str, phase: str | None, message: str) -> None:
        self.errors.append({"label": label, "phase": phase, "message": message[:MESSAGE_LIMIT]})


def _drain(stream: Any, collected: _Collector, events: Any) -> None:
    for event in stream:
        if isinstance(event, events.ScenarioFinished):
            if event.is_test_scenario:
                collected.scenario(event)
        elif isinstance(event, events.NonFatalError):
            collected.error(event.label, event.phase.value if event.phase else None, event.info.format())
        elif isinstance(event, events.FatalError):
            collected.error("(run)", None, "".join(traceback.format_exception(event.exception)))
        elif isinstance(event, events.EngineFinished):
            collected.stop_reason = event.stop_reason.value
            collected.running_time_s = round(event.running_time, 3)


def run(request: dict[str, Any]) -> dict[str, Any]:
    """Load the spec, select the operations, run every enabled phase; return the result document."""
    import hypothesis
    import schemathesis
    from schemathesis.engine import events, from_schema

    started = time.monotonic()
    config = schemathesis.Config.from_dict(build_config(request))
    schema = schemathesis.openapi.from_path(request["spec_path"], config=config)
    if request["operations"]:
        schema = schema.include(name=list(request["operations"]))
    known: list[str] = []
    invalid: list[dict[str, str]] = []
    for result in schema.get_all_operations():  # each an Ok(operation) or an Err(error)
        if hasattr(result, "ok"):
            known.append(result.ok().label)
        else:  # an operation schemathesis cannot parse: reported, not fatal
            err = result.err()
            invalid.append({"label": getattr(err, "path", None) or "?", "message": str(err)[:MESSAGE_LIMIT]})

    collected = _Collector()
    for item in invalid:
        collected.error(item["label"], None, item["message"])
    stream = from_schema(schema).execute()
    deadline_hit = threading.Event()

    def stop_at_deadline() -> None:
        deadline_hit.set()
        stream.stop()  # the engine finishes the current case and ends with EngineFinished

    timer = threading.Timer(float(request["deadline_s"]), stop_at_deadline)
    timer.daemon = True
    timer.start()
    try:
        _drain(stream, collected, events)
    finally:
        timer.cancel()
    return {
        "schemathesis_version": schemathesis.__version__,
        "hypothesis_version": hypothesis.__version__,
        "config": build_config(request),
        "operations_known": known,
        "cases": dict(collected.cases),
        "cases_by_phase": {label: dict(counts) for label, counts in collected.by_phase.items()},
        "statuses": {label: dict(counts) for label, counts in collected.statuses.items()},
        "check_results": {name: dict(counts) for name, counts in collected.check_results.items()},
        "failures": collected.failures,
        "errors": collected.errors,
        "skipped": dict(collected.skipped),
        "stop_reason": "deadline" if deadline_hit.is_set() else collected.stop_reason,
        "running_time_s": collected.running_time_s,
        "wall_s": round(time.monotonic() - started, 3),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: _engine.py REQUEST.json RESULT.json", file=sys.stderr)
        return 2
    request = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    result = run(request)
    target = Path(args[1])
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(target)
    print(
        f"schemathesis {result['schemathesis_version']}: {sum(result['cases'].values())} cases, "
        f"{len(result['failures'])} check failures, {len(result['errors'])} errors, stop: {result['stop_reason']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
