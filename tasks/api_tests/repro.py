"""Reproduction files for api-tests failures: a curl script and a standalone pytest file.

Both replay the request schemathesis sent, byte for byte (method, path and query as encoded on
the wire, headers, body), against `$BASE_URL` — by default the release that was tested. The
curl script is text for a human to paste into a POSIX shell (every value single-quoted; qeflow
never runs it). The pytest file asserts the condition of the failing check, so it fails while the
defect is there and passes once it is fixed:

    BASE_URL=http://127.0.0.1:3000 python -m pytest repro_1.py     # or: python repro_1.py

It needs httpx only, except for a response-schema failure, which is judged by schemathesis itself
against the copy of the spec saved beside it (`openapi.yaml`), exactly as in the run.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tasks.api_tests.results import RecordedRequest, UniqueFailure

__all__ = ["Repro", "curl_command", "render_curl", "render_pytest", "replay_headers", "request_target"]

# Headers the HTTP client sets by itself (or schemathesis adds for bookkeeping): not replayed.
_CLIENT_HEADERS = frozenset(
    {"content-length", "connection", "accept-encoding", "user-agent", "host", "x-schemathesis-testcaseid"}
)


def request_target(uri: str, base_url: str) -> str:
    """The path and query of `uri` below `base_url`, still percent-encoded as sent."""
    base = base_url.rstrip("/")
    if uri.startswith(base + "/") or uri == base or uri.startswith(base + "?"):
        target = uri[len(base) :]
    else:
        parts = urlsplit(uri)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
    return target if target.startswith("/") else "/" + target


def replay_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name.lower() not in _CLIENT_HEADERS}


def _inline_body(body: bytes | None) -> str | None:
    """The body as text a shell argument can carry, or None when it cannot (binary, NUL)."""
    if body is None:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text


def curl_command(request: RecordedRequest, base_url: str, *, body_file: str | None = None) -> str:
    """One curl command; the URL is `${BASE_URL:-<tested release>}` followed by the quoted target."""
    target = request_target(request.uri, base_url)
    url = f'"${{BASE_URL:-{base_url.rstrip("/")}}}"{shlex.quote(target)}'
    lines = [f"curl --globoff --silent --show-error --include --request {shlex.quote(request.method)} {url}"]
    for name, value in replay_headers(request.headers).items():
        lines.append(f"--header {shlex.quote(f'{name}: {value}')}")
    if request.body is not None:
        inline = _inline_body(request.body)
        if inline is not None:
            lines.append(f"--data-binary {shlex.quote(inline)}")
        else:
            lines.append(f"--data-binary @{shlex.quote(body_file or 'body.bin')}")
    return " \\\n  ".join(lines)


@dataclass(frozen=True)
class Repro:
    """Everything one reproduction needs."""

    number: int
    failure: UniqueFailure
    base_url: str  # the tested release: the default BASE_URL
    documented: dict[str, list[str]]  # status -> media types of the operation's responses
    spec_file: str = "openapi.yaml"  # the spec copy beside the file (response-schema failures)
    facts: dict[str, str] = field(default_factory=dict)  # seed, versions, sha: quoted in the header

    @property
    def stem(self) -> str:
        return f"repro_{self.number}"

    def body_files(self) -> dict[str, bytes]:
        """Bodies a shell argument cannot carry, written beside the curl script."""
        files = {}
        for index, request in enumerate([*self.failure.steps, self.failure.request]):
            if request.body is not None and _inline_body(request.body) is None:
                files[f"{self.stem}.body{index}.bin"] = request.body
        return files


def render_curl(repro: Repro) -> str:
    failure = repro.failure
    requests = [*failure.steps, failure.request]
    lines = [
        "#!/bin/sh",
        f"# api-tests failure {repro.number}: {failure.check} on {failure.operation} (HTTP {failure.status})",
        f"# {failure.title}",
        "# Replays the request(s) against $BASE_URL; the tested release was " + repro.base_url,
    ]
    if failure.steps:
        lines.append(f"# {len(failure.steps)} earlier request(s) of the stateful sequence come first.")
    for index, request in enumerate(requests):
        lines.append("")
        lines.append(curl_command(request, repro.base_url, body_file=f"{repro.stem}.body{index}.bin"))
    return "\n".join(lines) + "\n"


def _request_literal(request: RecordedRequest, base_url: str) -> str:
    return (
        "{"
        f'"method": {request.method!r}, '
        f'"target": {request_target(request.uri, base_url)!r}, '
        f'"headers": {replay_headers(request.headers)!r}, '
        f'"body": {request.body!r}'
        "}"
    )


_ASSERTIONS = {
    "not_a_server_error": """\
    assert response.status_code < 500, explain(response, "a status below 500")
""",
    "status_code_conformance": """\
    assert documented_status(response.status_code) is not None, explain(
        response, f"one of the documented statuses {sorted(DOCUMENTED)}"
    )
""",
    "content_type_conformance": """\
    documented = documented_status(response.status_code)
    expected = DOCUMENTED.get(documented, []) if documented else []
    actual = response.headers.get("content-type", "").split(";")[0].strip().lower()
    assert not expected or any(media_type_matches(actual, e) for e in expected), explain(
        response, f"a Content-Type among {expected} (got {actual or 'none'!r})"
    )
""",
    "response_schema_conformance": """\
    import schemathesis  # judged by schemathesis itself, as in the run

    schema = schemathesis.openapi.from_path(SPEC, config=schemathesis.Config())
    try:
        schema[PATH_TEMPLATE][REQUEST["method"]].validate_response(response)
    except (AssertionError, BaseExceptionGroup) as exc:
        raise AssertionError(explain(response, f"a body conforming to the documented schema: {exc}")) from None
""",
}

_FALLBACK = """\
    # `{check}` cannot be judged outside schemathesis: assert the failing answer does not recur.
    assert response.status_code != {status!r}, explain(response, "not the status of the failure")
"""

_TEMPLATE = '''\
"""api-tests failure {number}: {check} on {operation} (HTTP {status}).

{title}{message}

Replays the request schemathesis sent and asserts what the check demands: this test fails
while the defect is there and passes once it is fixed. Run: {facts}.

    BASE_URL={base_url} python -m pytest {stem}.py
    BASE_URL={base_url} python {stem}.py
"""

from __future__ import annotations

import os
import pathlib
import sys
import traceback

import httpx

BASE_URL = os.environ.get("BASE_URL", {base_url!r}).rstrip("/")
SPEC = pathlib.Path(__file__).with_name({spec_file!r})
PATH_TEMPLATE = {path_template!r}
DOCUMENTED = {documented!r}  # status -> media types, from the spec
STEPS = [{steps}]  # earlier requests of a stateful sequence, replayed first
REQUEST = {request}


def send(client: httpx.Client, request: dict) -> httpx.Response:
    base = httpx.URL(BASE_URL)
    url = base.copy_with(raw_path=base.raw_path.rstrip(b"/") + request["target"].encode("ascii"))
    return client.request(request["method"], url, headers=request["headers"], content=request["body"])


def documented_status(status: int) -> str | None:
    for key in (str(status), f"{{str(status)[0]}}XX", f"{{str(status)[0]}}xx", "default"):
        if key in DOCUMENTED:
            return key
    return None


def media_type_matches(actual: str, expected: str) -> bool:
    expected = expected.split(";")[0].strip().lower()
    if expected in ("*/*", actual):
        return True
    major, _, minor = expected.partition("/")
    return minor == "*" and actual.split("/")[0] == major


def explain(response: httpx.Response, expected: str) -> str:
    return (
        f"{{REQUEST['method']}} {{REQUEST['target']}} answered {{response.status_code}}, expected {{expected}}\\n"
        f"{{response.text[:1000]}}"
    )


def test_{stem}() -> None:
    with httpx.Client(timeout=30, trust_env=False, follow_redirects=False) as client:
        for step in STEPS:
            send(client, step)
        response = send(client, REQUEST)
{assertion}

if __name__ == "__main__":
    try:
        test_{stem}()
    except AssertionError as exc:
        print(f"reproduced: {{exc}}", file=sys.stderr)
        sys.exit(1)
    except Exception:  # not an answer to judge (connection refused, ...): neither verdict
        traceback.print_exc()
        sys.exit(2)
    print("not reproduced: the response meets the check")
'''


def _docstring_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def render_pytest(repro: Repro) -> str:
    failure = repro.failure
    assertion = _ASSERTIONS.get(failure.check) or _FALLBACK.format(check=failure.check, status=failure.status)
    message = failure.message.strip()
    if len(message) > 600:
        message = message[:600] + " [...]"
    facts = ", ".join(f"{key} {value}" for key, value in repro.facts.items()) or "schemathesis"
    steps = ", ".join(_request_literal(step, repro.base_url) for step in failure.steps)
    return _TEMPLATE.format(
        number=repro.number,
        check=failure.check,
        operation=failure.operation,
        status=failure.status,
        title=_docstring_text(failure.title),
        message=("\n\n" + _docstring_text(message)) if message else "",
        facts=_docstring_text(facts),
        base_url=repro.base_url.rstrip("/"),
        stem=repro.stem,
        spec_file=repro.spec_file,
        path_template=failure.path_template or failure.operation.partition(" ")[2],
        documented=repro.documented,
        steps=steps,
        request=_request_literal(failure.request, repro.base_url),
        assertion=assertion,
    )
