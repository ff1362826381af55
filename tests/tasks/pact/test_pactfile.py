"""Reading pact files: who they are between, their states, and the consumer version they carry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasks.errors import ReportError
from tasks.pact import consumer_version_in, find_pacts, read_pact, state_names

EXAMPLE = Path(__file__).resolve().parents[3] / "examples/users-service/pacts/orders-service-users-service.json"

NOT_JSON = "{consumer"
NOT_AN_OBJECT = "[]"
NO_PROVIDER = json.dumps({"consumer": {"name": "a"}, "interactions": []})
NO_INTERACTIONS = json.dumps({"consumer": {"name": "a"}, "provider": {"name": "b"}})


def test_reads_the_example_pact() -> None:
    pact = read_pact(EXAMPLE)
    assert (pact.consumer, pact.provider, pact.interactions) == ("orders-service", "users-service", 3)
    assert pact.states == ("user 1 exists", "no user 42")
    assert pact.spec_version == "4.0"
    assert pact.consumer_version is None
    assert pact.interaction_states()[2] == ("a request to create a user", [])


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (NOT_JSON, "not valid JSON"),
        (NOT_AN_OBJECT, "not a JSON object"),
        (NO_PROVIDER, "no provider.name"),
        (NO_INTERACTIONS, "no interactions"),
    ],
)
def test_what_is_not_a_pact_is_named(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ReportError, match=says) as caught:
        read_pact(path)
    assert caught.value.path == str(path)


def test_v2_provider_state_and_v3_messages_count() -> None:
    pact = {
        "interactions": [{"description": "a", "providerState": "s1"}],
        "messages": [{"description": "m", "providerStates": [{"name": "s2"}, {"name": "s1"}]}],
    }
    assert state_names(pact) == ("s1", "s2")


@pytest.mark.parametrize(
    ("pact", "version"),
    [
        ({"consumer": {"name": "c", "version": "1.2.3"}}, "1.2.3"),
        ({"consumer": {"name": "c"}, "metadata": {"consumerVersion": "abc"}}, "abc"),
        ({"consumer": {"name": "c"}, "_links": {"pb:consumer-version": {"name": "9f8e"}}}, "9f8e"),
        ({"consumer": {"name": "c"}}, None),
    ],
)
def test_consumer_version_in_the_pact(pact: dict, version: str | None) -> None:
    assert consumer_version_in(pact) == version


def test_find_pacts_does_not_descend_into_states(tmp_path: Path) -> None:
    (tmp_path / "states").mkdir()
    (tmp_path / "states" / "x.json").write_text("{}", encoding="utf-8")
    (tmp_path / "b.json").write_text("{}", encoding="utf-8")
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    (tmp_path / "notes.md").write_text("", encoding="utf-8")
    assert [p.name for p in find_pacts(tmp_path)] == ["a.json", "b.json"]
