"""Counting a schemathesis result: per-response counts and unique failures (canned engine output)."""

from __future__ import annotations

import base64
from typing import Any

from tasks.api_tests import summarize, unique_failures

BASE = "http://127.0.0.1:5000"


def occurrence(
    check: str = "not_a_server_error",
    *,
    operation: str = "GET /users",
    target: str = "/users?offset=9007199254740990",
    status: int = 500,
    phase: str = "fuzzing",
    body: bytes | None = None,
    severity: str = "critical",
    steps: int = 0,
) -> dict[str, Any]:
    method = operation.split()[0]
    request = {
        "method": method,
        "uri": BASE + target,
        "headers": {"Accept": "*/*"},
        "body_b64": None if body is None else base64.b64encode(body).decode(),
    }
    return {
        "check": check,
        "code": "ST101",
        "title": "Server error" if check == "not_a_server_error" else "Response violates schema",
        "message": "",
        "severity": severity,
        "operation": operation,
        "path_template": operation.split()[1],
        "method": method,
        "phase": phase,
        "case_id": "x",
        "request": request,
        "response": {"status": status, "headers": {}, "body": "", "body_truncated": False, "elapsed_s": 0.01},
        "steps": [request] * steps,
    }


def test_occurrences_of_one_failure_collapse_and_keep_the_smallest_request() -> None:
    failures = unique_failures(
        [
            occurrence(target="/users?limit=45&offset=6154162303&m=%19%F0%AA", phase="fuzzing"),
            occurrence(target="/users?offset=2147483648", phase="coverage"),
            occurrence(target="/users?limit=10&offset=9007199254740990", phase="stateful", steps=2),
        ]
    )
    (only,) = failures
    assert only.occurrences == 3
    assert only.phases == ["fuzzing", "coverage", "stateful"]
    assert only.request.uri == BASE + "/users?offset=2147483648"
    assert only.steps == []


def test_failures_differ_by_check_operation_and_status_and_sort_by_severity() -> None:
    failures = unique_failures(
        [
            occurrence("response_schema_conformance", status=200, severity="high"),
            occurrence(),
            occurrence(status=503),
            occurrence(operation="POST /users", target="/users", body=b"{}"),
            {**occurrence(), "request": None},  # run-level failure: nothing to replay, not a repro
        ]
    )
    assert [(f.check, f.operation, f.status) for f in failures] == [
        ("not_a_server_error", "GET /users", 500),
        ("not_a_server_error", "GET /users", 503),
        ("not_a_server_error", "POST /users", 500),
        ("response_schema_conformance", "GET /users", 200),
    ]
    assert failures[2].request.body == b"{}"


def test_summary_counts_responses_not_unique_failures() -> None:
    result = {
        "cases": {"GET /users": 54, "POST /users": 84, "GET /health": 0},
        "statuses": {"GET /users": {"200": 43, "500": 3, "400": 8}, "POST /users": {"201": 80, "503": 1, "409": 3}},
        "failures": [
            occurrence(),
            occurrence(phase="coverage"),
            occurrence("response_schema_conformance", status=200, severity="high"),
            occurrence("status_code_conformance", status=418, severity="medium"),
            occurrence("content_type_conformance", status=200, severity="medium"),
            occurrence("content_type_conformance", status=200, severity="medium", target="/users?a=1"),
        ],
        "errors": [{"label": "GET /health", "phase": "fuzzing", "message": "Unsatisfiable"}],
        "stop_reason": "completed",
    }
    summary = summarize(result)
    assert summary.cases == 138
    assert summary.server_errors == 4  # every 5xx response, whichever check (or none) flagged it
    assert (summary.schema_violations, summary.status_violations, summary.content_type_violations) == (1, 1, 2)
    assert len(summary.failures) == 4
    assert summary.tested(["GET /users", "POST /users", "GET /health"]) == ["GET /users", "POST /users"]
    assert summary.errors[0]["label"] == "GET /health"


def test_an_empty_result_counts_zero() -> None:
    summary = summarize({})
    assert (summary.cases, summary.server_errors, summary.failures, summary.stop_reason) == (0, 0, [], "unknown")
