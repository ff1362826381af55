"""Pacts from a Pact Broker: the HAL walk, the token (sent, never kept), and the agent using them.

The broker is a fake speaking the three calls qeflow makes (index, pacts for verification, the
pact); it answers 401 to any other token.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tasks.pact import SPEC, BrokerError, PactSettings, fetch_pacts
from tasks.report import Status
from tasks.runner import run_agent
from tests.tasks.pact.conftest import EXAMPLE_PACT, PactRun

TOKEN = "s3cret-broker-token-7f9a"
TOKEN_ENV = "QEFLOW_TEST_BROKER_TOKEN"


@pytest.fixture
def broker() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []
    pact = json.loads(EXAMPLE_PACT.read_text())

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, code: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/hal+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorised(self) -> bool:
            seen.append({"method": self.command, "path": self.path, "auth": self.headers.get("Authorization")})
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._reply(401, {"error": "unauthorised"})
                return False
            return True

        def do_GET(self) -> None:
            if not self._authorised():
                return
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/":
                href = base + "/pacts/provider/{provider}/for-verification"
                self._reply(200, {"_links": {"pb:provider-pacts-for-verification": {"href": href, "templated": True}}})
            elif self.path.endswith("/pact-version/abc"):
                links = {"pb:consumer-version": {"name": "1.4.0", "href": base + "/versions/1.4.0"}}
                self._reply(200, {**pact, "_links": links})
            else:
                self._reply(404, {})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
            if not self._authorised():
                return
            seen[-1]["body"] = body
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            url = base + "/pacts/provider/users-service/consumer/orders-service/pact-version/abc"
            self._reply(
                200,
                {"_embedded": {"pacts": [{"shortDescription": "latest from main", "_links": {"self": {"href": url}}}]}},
            )

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_fetches_the_providers_pacts_with_the_token(broker: tuple[str, list], tmp_path: Path) -> None:
    url, seen = broker
    pacts = fetch_pacts(url, provider="users-service", token=TOKEN, token_env=TOKEN_ENV, selectors=None, dest=tmp_path)
    assert [p.description for p in pacts] == ["latest from main"]
    saved = json.loads(pacts[0].path.read_text())
    assert saved["_links"]["pb:consumer-version"]["name"] == "1.4.0"
    assert [s["path"] for s in seen] == [
        "/",
        "/pacts/provider/users-service/for-verification",
        "/pacts/provider/users-service/consumer/orders-service/pact-version/abc",
    ]
    assert seen[1]["body"]["consumerVersionSelectors"] == [{"mainBranch": True}, {"deployedOrReleased": True}]
    assert TOKEN not in pacts[0].path.read_text()


def test_a_refused_token_names_the_variable_not_the_token(broker: tuple[str, list], tmp_path: Path) -> None:
    url, _ = broker
    with pytest.raises(BrokerError) as caught:
        fetch_pacts(url, provider="users-service", token="wrong", token_env=TOKEN_ENV, selectors=None, dest=tmp_path)
    assert f"${TOKEN_ENV}" in str(caught.value) and "401" in str(caught.value)
    assert "wrong" not in str(caught.value)


def test_an_unreachable_broker_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(BrokerError, match="unreachable"):
        fetch_pacts("http://127.0.0.1:9", provider="p", token=TOKEN, token_env=TOKEN_ENV, selectors=None, dest=tmp_path)


def test_the_agent_verifies_broker_pacts_and_keeps_the_token_out_of_the_evidence(
    broker: tuple[str, list], make_pact_run: Callable[..., PactRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = broker
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    settings = PactSettings(
        broker_url=url,
        broker_token_env=TOKEN_ENV,
        state_change_url="{base_url}/_pact/state",
        consumer_version_selectors=[{"branch": "main"}],
    )
    run = make_pact_run(pacts={}, settings=settings)  # no local pacts: the broker's only
    report = run_agent(SPEC, run.ctx)
    assert report.status is Status.PASSED, report.error
    assert report.metrics["verified"] == 3.0
    entry = report.details["matrix"][0]
    assert (entry["consumer_version"], entry["consumer_version_source"]) == ("1.4.0", "broker")
    assert entry["pact"].endswith("/pact-version/abc")
    assert seen[1]["body"]["consumerVersionSelectors"] == [{"branch": "main"}]
    for path in run.ctx.run.local.rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(encoding="utf-8", errors="replace"), path
    assert TOKEN not in report.model_dump_json()
