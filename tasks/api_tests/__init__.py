"""The `api-tests` agent (commit phase): schemathesis tests of the operations a change touches.

selection.py  which operations: spec diff between base and head, or all when code changed
_digests.py   digests of resolved operations ($refs followed, recursion handled)
settings.py   ApiTestsSettings: `[agents.api-tests]`
_engine.py    the child process that runs schemathesis and writes its result as JSON
results.py    per-response counts and unique failures from that result
repro.py      curl script and standalone pytest file replaying a failure
agent.py      the agent function and its SPEC
"""

from tasks.api_tests._digests import Loader, SpecError, documented_responses, load_document, operation_digests
from tasks.api_tests.agent import METRICS, SPEC, api_tests
from tasks.api_tests.repro import Repro, curl_command, render_curl, render_pytest, replay_headers, request_target
from tasks.api_tests.results import RecordedRequest, RunSummary, UniqueFailure, summarize, unique_failures
from tasks.api_tests.selection import (
    DEFAULT_IGNORED_CHANGES,
    HeadSpec,
    Selection,
    read_spec_at,
    select_operations,
    source_changes,
    spec_selection,
)
from tasks.api_tests.settings import (
    DEFAULT_CHECKS,
    DEFAULT_SEED,
    KNOWN_CHECKS,
    PHASE_NAMES,
    ApiTestsSettings,
    SeedRequest,
)

__all__ = [
    "DEFAULT_CHECKS",
    "DEFAULT_IGNORED_CHANGES",
    "DEFAULT_SEED",
    "KNOWN_CHECKS",
    "METRICS",
    "PHASE_NAMES",
    "SPEC",
    "ApiTestsSettings",
    "HeadSpec",
    "Loader",
    "RecordedRequest",
    "Repro",
    "RunSummary",
    "SeedRequest",
    "Selection",
    "SpecError",
    "UniqueFailure",
    "api_tests",
    "curl_command",
    "documented_responses",
    "load_document",
    "operation_digests",
    "read_spec_at",
    "render_curl",
    "render_pytest",
    "replay_headers",
    "request_target",
    "select_operations",
    "source_changes",
    "spec_selection",
    "summarize",
    "unique_failures",
]
