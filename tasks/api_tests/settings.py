"""`[agents.api-tests]` in qeflow.toml: the options of the api-tests agent."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tasks.api_tests.selection import DEFAULT_IGNORED_CHANGES
from tasks.config import AgentSettings

__all__ = ["DEFAULT_CHECKS", "DEFAULT_SEED", "KNOWN_CHECKS", "PHASE_NAMES", "ApiTestsSettings", "SeedRequest"]

DEFAULT_SEED = 20261204
# Response checks of schemathesis 4 (`schemathesis.checks.CHECKS`); a test keeps this list in step.
KNOWN_CHECKS: tuple[str, ...] = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "object_level_authorization",
)
DEFAULT_CHECKS: tuple[str, ...] = (
    "not_a_server_error",
    "response_schema_conformance",
    "status_code_conformance",
    "content_type_conformance",
)
PHASE_NAMES: tuple[str, ...] = ("examples", "coverage", "fuzzing", "stateful")

Phase = Literal["examples", "coverage", "fuzzing", "stateful"]
Mode = Literal["positive", "negative", "all"]


class SeedRequest(BaseModel):
    """A request sent to the fresh release before the tests, e.g. to create a user they can find."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    method: Literal["POST", "PUT", "PATCH"] = "POST"
    path: str = Field(pattern=r"^/", description="Path (and query) on the first instance, e.g. /users.")
    body: dict[str, Any] | list[Any] = Field(description="JSON body.")


class ApiTestsSettings(AgentSettings):
    """`[agents.api-tests]`: generated API tests (schemathesis) against a throwaway release of head."""

    spec: str = Field(default="openapi.yaml", min_length=1, description="OpenAPI document, relative to the service.")
    environment: str = Field(
        default="api-tests",
        description="Environment to release head into; its own database, since generated requests are destructive.",
    )
    select: Literal["changed", "all"] = Field(
        default="changed",
        description="changed: operations added or changed in the spec, or all of them when service code changed; "
        "all: every operation.",
    )
    ignore_changes: list[str] = Field(
        default_factory=lambda: list(DEFAULT_IGNORED_CHANGES),
        description="Service-relative glob patterns of files whose changes do not select every operation "
        "(tests, docs).",
    )
    checks: list[str] = Field(
        default_factory=lambda: list(DEFAULT_CHECKS), min_length=1, description="schemathesis checks to run."
    )
    phases: list[Phase] = Field(
        default_factory=lambda: list(PHASE_NAMES), min_length=1, description="schemathesis test phases to run."
    )
    mode: Mode = Field(default="all", description="Generate valid (positive), invalid (negative) requests, or both.")
    coverage_mode: Mode = Field(
        default="positive",
        description="Mode of the coverage phase (boundary values). Its negative half can spend seconds per string "
        "field that has both a format and a pattern (12 s on users-service), so it is off by default.",
    )
    max_examples: int = Field(default=50, ge=1, le=1000, description="Generated cases per operation and phase.")
    seed: int = Field(default=DEFAULT_SEED, ge=0, description="Random seed; recorded in the evidence.")
    workers: int = Field(
        default=1, ge=1, le=2, description="Concurrent schemathesis workers; only 1 gives a reproducible order."
    )
    request_timeout_s: float = Field(default=10.0, gt=0, le=300, description="Timeout of each generated request.")
    timeout_s: float = Field(
        default=120, gt=0, le=7200, description="Stop generating after this; what ran so far is reported."
    )
    seed_requests: list[SeedRequest] = Field(
        default_factory=list, description="JSON requests sent to the release before the tests (test data)."
    )
    replay: bool = Field(default=True, description="Rerun every reproduction file against the release to confirm it.")
    max_repros: int = Field(default=20, ge=0, le=200, description="Reproduction files written at most.")

    @field_validator("checks")
    @classmethod
    def _known_checks(cls, value: list[str]) -> list[str]:
        unknown = [name for name in value if name not in KNOWN_CHECKS]
        if unknown:
            raise ValueError(f"unknown check(s) {', '.join(unknown)}; schemathesis 4 has: {', '.join(KNOWN_CHECKS)}")
        return list(dict.fromkeys(value))

    @field_validator("spec")
    @classmethod
    def _relative_spec(cls, value: str) -> str:
        if value.startswith("/") or ".." in value.split("/"):
            raise ValueError("a path relative to the service directory, inside it (e.g. openapi.yaml)")
        return value
