"""What a schemathesis run found, from the engine's result document (see `_engine.py`).

Counts are per response: `server_errors` is the number of 5xx responses, `schema_violations` the
number of responses that failed `response_schema_conformance`, and so on. Failures are grouped
into *unique* failures by (check, operation, status, failure code, title); each keeps its smallest
request (the easiest to read and replay) and how often it occurred.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RecordedRequest", "RunSummary", "UniqueFailure", "summarize", "unique_failures"]

SCHEMA_CHECK = "response_schema_conformance"
STATUS_CHECK = "status_code_conformance"
CONTENT_TYPE_CHECK = "content_type_conformance"


@dataclass(frozen=True)
class RecordedRequest:
    """A request exactly as it went out: method, full URI (already percent-encoded), headers, body."""

    method: str
    uri: str
    headers: dict[str, str]
    body: bytes | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RecordedRequest:
        raw = data.get("body_b64")
        return cls(
            method=str(data["method"]).upper(),
            uri=str(data["uri"]),
            headers={str(k): str(v) for k, v in (data.get("headers") or {}).items()},
            body=None if raw is None else base64.b64decode(raw),
        )

    def size(self) -> int:
        return len(self.uri) + len(self.body or b"")


@dataclass
class UniqueFailure:
    check: str
    operation: str  # "GET /users"
    method: str | None
    path_template: str | None  # "/users/{id}"
    status: int | None
    code: str
    title: str
    message: str
    severity: str  # schemathesis: critical | high | medium | low
    phase: str
    request: RecordedRequest
    steps: list[RecordedRequest]  # earlier requests of a stateful sequence
    response: dict[str, Any] | None
    occurrences: int = 1
    phases: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, int | None, str, str]:
        return (self.check, self.operation, self.status, self.code, self.title)


def _failure(entry: Mapping[str, Any]) -> UniqueFailure | None:
    if entry.get("request") is None:
        return None  # a check without a recorded request (run-level): nothing to replay
    response = entry.get("response")
    return UniqueFailure(
        check=str(entry["check"]),
        operation=str(entry["operation"]),
        method=entry.get("method"),
        path_template=entry.get("path_template"),
        status=None if response is None else int(response["status"]),
        code=str(entry.get("code") or ""),
        title=str(entry.get("title") or entry["check"]),
        message=str(entry.get("message") or ""),
        severity=str(entry.get("severity") or "medium"),
        phase=str(entry.get("phase") or ""),
        request=RecordedRequest.from_json(entry["request"]),
        steps=[RecordedRequest.from_json(step) for step in entry.get("steps") or []],
        response=response,
        phases=[str(entry.get("phase") or "")],
    )


def unique_failures(entries: list[Mapping[str, Any]]) -> list[UniqueFailure]:
    """Group failure occurrences; order: severity, then first occurrence."""
    groups: dict[tuple[str, str, int | None, str, str], UniqueFailure] = {}
    for entry in entries:
        failure = _failure(entry)
        if failure is None:
            continue
        known = groups.get(failure.key)
        if known is None:
            groups[failure.key] = failure
            continue
        known.occurrences += 1
        if failure.phase not in known.phases:
            known.phases.append(failure.phase)
        if (len(failure.steps), failure.request.size()) < (len(known.steps), known.request.size()):
            failure.occurrences, failure.phases = known.occurrences, known.phases
            groups[failure.key] = failure
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    return sorted(groups.values(), key=lambda f: rank.get(f.severity, 4))


@dataclass(frozen=True)
class RunSummary:
    cases: int
    cases_by_operation: dict[str, int]
    server_errors: int
    check_failures: dict[str, int]  # responses failing each check
    failures: list[UniqueFailure]
    errors: list[dict[str, Any]]
    stop_reason: str

    @property
    def schema_violations(self) -> int:
        return self.check_failures.get(SCHEMA_CHECK, 0)

    @property
    def status_violations(self) -> int:
        return self.check_failures.get(STATUS_CHECK, 0)

    @property
    def content_type_violations(self) -> int:
        return self.check_failures.get(CONTENT_TYPE_CHECK, 0)

    def tested(self, operations: list[str]) -> list[str]:
        return [op for op in operations if self.cases_by_operation.get(op, 0) > 0]


def summarize(result: Mapping[str, Any]) -> RunSummary:
    """Counts and unique failures of one engine result document."""
    cases = {str(k): int(v) for k, v in (result.get("cases") or {}).items()}
    server_errors = sum(
        int(count)
        for statuses in (result.get("statuses") or {}).values()
        for status, count in statuses.items()
        if status.isdigit() and int(status) >= 500
    )
    check_failures: dict[str, int] = {}
    for entry in result.get("failures") or []:
        check_failures[entry["check"]] = check_failures.get(entry["check"], 0) + 1
    return RunSummary(
        cases=sum(cases.values()),
        cases_by_operation=cases,
        server_errors=server_errors,
        check_failures=check_failures,
        failures=unique_failures(list(result.get("failures") or [])),
        errors=list(result.get("errors") or []),
        stop_reason=str(result.get("stop_reason") or "unknown"),
    )
