"""The verification worker's state endpoint: what it runs, and that failures answer 400.

A state change answered with 5xx is retried by the verifier with exponential back-off (about two
minutes per failing state with pact_ffi 0.5.12), so every failure must be a 4xx with the reason.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tasks.pact import _worker

MISSING = "provider state 'user 1 exists' has no fixture"


def states(**job: object) -> _worker.States:
    return _worker.States({"states": {}, "default_state": None, "state_change_url": None, "psql": None, **job})


def test_a_state_without_fixture_raises_with_the_ways_out() -> None:
    handler = states()
    with pytest.raises(_worker.StateError) as caught:
        handler.handle("user 1 exists", "setup", b"{}")
    assert MISSING in str(caught.value)
    assert "[agents.pact] states" in str(caught.value) and "state_change_url" in str(caught.value)
    assert handler.calls[0]["ok"] is False


def test_no_state_and_no_default_fixture_is_nothing_to_do() -> None:
    handler = states()
    handler.handle("", "setup", b"{}")
    assert handler.calls[0]["how"] == "none" and handler.calls[0]["ok"] is True


def test_teardown_is_ignored() -> None:
    handler = states(states={"s": "/x.sql"})
    handler.handle("s", "teardown", b"{}")
    assert handler.calls[0]["how"] == "ignored"


def test_a_fixture_without_a_database_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(_worker.DATABASE_ENV, raising=False)
    handler = states(states={"s": str(tmp_path / "s.sql")}, psql="/usr/bin/psql")
    with pytest.raises(_worker.StateError, match="no database"):
        handler.handle("s", "setup", b"{}")


def test_a_failing_state_change_url_is_reported() -> None:
    handler = states(state_change_url="http://127.0.0.1:9/_pact/state")
    with pytest.raises(_worker.StateError, match="unreachable"):
        handler.handle("anything", "setup", b"{}")


def test_the_endpoint_answers_400_with_the_reason() -> None:
    server = _worker._serve_states(states())
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/_qeflow/state"
        body = json.dumps({"state": "user 1 exists", "action": "setup", "params": {}}).encode()
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(request, timeout=5)
        assert caught.value.code == 400
        assert MISSING in json.loads(caught.value.read())["error"]
        ok = json.dumps({"state": "", "action": "setup"}).encode()
        with urllib.request.urlopen(urllib.request.Request(url, data=ok), timeout=5) as response:
            assert response.status == 200
    finally:
        server.shutdown()
        server.server_close()


def test_main_wants_one_job_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert _worker.main(["_worker.py"]) == 2
    assert "usage" in capsys.readouterr().err
