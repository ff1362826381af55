"""The receiver's answers, one per path through it, with the emitter faked at its seam."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import AsyncIterator, Callable

import pytest

from tests.deployments.webhooks.conftest import SECRET, Receiver, dumps, github_headers, gitlab_headers
from tests.deployments.webhooks.payloads import (
    MALFORMED_JSON,
    NOT_AN_OBJECT,
    NOT_UTF8,
    SHA_AFTER,
    github_ping,
    github_pull_request,
    github_push,
    gitlab_merge_request,
    gitlab_push,
    without,
)

GH, GL = "/webhooks/github", "/webhooks/gitlab"
FORGED_SIGNATURE = "sha256=" + "0" * 64


def test_signed_github_push_is_emitted(receiver: Receiver) -> None:
    body = dumps(github_push())
    response = receiver.post(GH, body, github_headers(body, delivery="72d3162e-cc78-11e3-81ab-4c9367dc0958"))
    assert response.status_code == 200, response.text
    assert response.json()["emitted"] == "git.push"
    assert response.json()["resource"] == "git.repo.Codertocat.users-service"
    [event] = receiver.sink.events
    assert (event.delivery, event.sha) == ("72d3162e-cc78-11e3-81ab-4c9367dc0958", SHA_AFTER)


def test_signed_gitlab_merge_request_is_emitted(receiver: Receiver) -> None:
    response = receiver.post(GL, dumps(gitlab_merge_request()), gitlab_headers(event="Merge Request Hook"))
    assert response.status_code == 200, response.text
    assert [e.name for e in receiver.sink.events] == ["git.pull_request"]


@pytest.mark.parametrize(
    "signature",
    [None, "", FORGED_SIGNATURE, "sha1=abc", "sha256=not-hex"],
    ids=["missing", "empty", "forged", "sha1", "junk"],
)
def test_github_delivery_without_a_valid_signature_is_401(receiver: Receiver, signature: str | None) -> None:
    body = dumps(github_push())
    headers = github_headers(body)
    del headers["x-hub-signature-256"]
    if signature is not None:
        headers["x-hub-signature-256"] = signature
    response = receiver.post(GH, body, headers)
    assert response.status_code == 401
    assert receiver.sink.events == []


def test_github_signature_of_another_body_is_401(receiver: Receiver) -> None:
    body = dumps(github_push())
    tampered = dumps(github_push(after="f" * 40))
    assert receiver.post(GH, tampered, github_headers(body)).status_code == 401
    assert receiver.sink.events == []


def test_github_signature_made_with_another_secret_is_401(receiver: Receiver) -> None:
    body = dumps(github_push())
    assert receiver.post(GH, body, github_headers(body, secret="not-the-secret")).status_code == 401


@pytest.mark.parametrize("token", [None, "", "wrong", SECRET + "x"], ids=["missing", "empty", "wrong", "longer"])
def test_gitlab_delivery_without_the_token_is_401(receiver: Receiver, token: str | None) -> None:
    headers = gitlab_headers()
    del headers["x-gitlab-token"]
    if token is not None:
        headers["x-gitlab-token"] = token
    assert receiver.post(GL, dumps(gitlab_push()), headers).status_code == 401
    assert receiver.sink.events == []


def test_body_over_the_limit_by_content_length_is_413(make_receiver: Callable[..., Receiver]) -> None:
    receiver = make_receiver(max_body_bytes=1024)
    payload = github_push()
    payload["head_commit"]["message"] = "x" * 2048
    body = dumps(payload)
    response = receiver.post(GH, body, github_headers(body))
    assert response.status_code == 413
    assert "1024" in response.json()["error"]
    assert receiver.sink.events == []


def test_body_over_the_limit_streamed_without_content_length_is_413(make_receiver: Callable[..., Receiver]) -> None:
    receiver = make_receiver(max_body_bytes=1024)
    body = b"x" * 4096

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(body), 512):
            yield body[i : i + 512]

    [response] = asyncio.run(receiver.apost_many([(GH, chunks(), github_headers(body))]))
    assert response.status_code == 413
    assert receiver.sink.events == []


def test_default_limit_is_one_mebibyte(receiver: Receiver) -> None:
    payload = github_push()
    payload["head_commit"]["message"] = "x" * (1024 * 1024)
    body = dumps(payload)
    assert receiver.post(GH, body, github_headers(body)).status_code == 413


@pytest.mark.parametrize(
    "body", [MALFORMED_JSON, NOT_AN_OBJECT, NOT_UTF8, b""], ids=["truncated", "array", "utf8", "empty"]
)
def test_malformed_json_is_400(receiver: Receiver, body: bytes) -> None:
    response = receiver.post(GH, body, github_headers(body))
    assert response.status_code == 400
    assert receiver.sink.events == []


def test_signed_payload_missing_a_needed_field_is_400_naming_it(receiver: Receiver) -> None:
    body = dumps(without(github_push(), "repository.clone_url"))
    response = receiver.post(GH, body, github_headers(body))
    assert response.status_code == 400
    assert "repository.clone_url" in response.json()["error"]


@pytest.mark.parametrize("event", ["issues", "release", "star"])
def test_unhandled_github_event_is_202_ignored(receiver: Receiver, event: str) -> None:
    body = dumps({"action": "created", "sender": {"login": "x"}})
    response = receiver.post(GH, body, github_headers(body, event=event))
    assert (response.status_code, response.json()) == (202, {"ignored": event})
    assert receiver.sink.events == []


def test_unhandled_gitlab_event_is_202_ignored(receiver: Receiver) -> None:
    response = receiver.post(GL, dumps(gitlab_push()), gitlab_headers(event="Tag Push Hook"))
    assert (response.status_code, response.json()) == (202, {"ignored": "Tag Push Hook"})


def test_pull_request_closed_without_merge_is_202_ignored(receiver: Receiver) -> None:
    body = dumps(github_pull_request(action="closed", merged=False))
    response = receiver.post(GH, body, github_headers(body, event="pull_request"))
    assert (response.status_code, response.json()) == (202, {"ignored": "pull_request.closed"})
    assert receiver.sink.events == []


def test_github_ping_is_200_pong(receiver: Receiver) -> None:
    body = dumps(github_ping())
    response = receiver.post(GH, body, github_headers(body, event="ping"))
    assert (response.status_code, response.json()) == (200, {"pong": True})


def test_unsigned_ping_is_still_401(receiver: Receiver) -> None:
    body = dumps(github_ping())
    assert receiver.post(GH, body, github_headers(body, event="ping", secret="wrong")).status_code == 401


def test_repeated_delivery_is_200_duplicate_and_not_re_emitted(receiver: Receiver) -> None:
    body = dumps(github_push())
    first = receiver.post(GH, body, github_headers(body, delivery="d-1"))
    again = receiver.post(GH, body, github_headers(body, delivery="d-1"))
    assert first.status_code == 200 and "emitted" in first.json()
    assert (again.status_code, again.json()["duplicate"]) == (200, True)
    assert len(receiver.sink.events) == 1


def test_concurrent_copies_of_a_delivery_emit_once(receiver: Receiver) -> None:
    body = dumps(github_push())
    responses = asyncio.run(receiver.apost_many([(GH, body, github_headers(body, delivery="same"))] * 20))
    assert sorted("duplicate" in r.json() for r in responses) == [False] + [True] * 19
    assert len(receiver.sink.events) == 1


def test_the_same_delivery_id_on_two_hosts_is_two_deliveries(receiver: Receiver) -> None:
    body = dumps(github_push())
    receiver.post(GH, body, github_headers(body, delivery="shared-id"))
    receiver.post(GL, dumps(gitlab_push()), gitlab_headers(uuid="shared-id"))
    assert [e.provider for e in receiver.sink.events] == ["github", "gitlab"]


def test_gitlab_delivery_id_falls_back_to_idempotency_key_then_body_hash(receiver: Receiver) -> None:
    body = dumps(gitlab_push())
    headers = gitlab_headers(uuid=None)
    receiver.post(GL, body, {**headers, "idempotency-key": "idem-7"})
    receiver.post(GL, body, headers)
    again = receiver.post(GL, body, headers)
    assert [e.delivery for e in receiver.sink.events] == ["idem-7", "sha256:" + hashlib.sha256(body).hexdigest()]
    assert again.json()["duplicate"] is True


def test_failed_emit_is_503_and_the_redelivery_is_accepted(receiver: Receiver) -> None:
    receiver.sink.fail = 1
    body = dumps(github_push())
    assert receiver.post(GH, body, github_headers(body, delivery="retry-me")).status_code == 503
    retry = receiver.post(GH, body, github_headers(body, delivery="retry-me"))
    assert retry.status_code == 200 and retry.json()["emitted"] == "git.push"
    assert len(receiver.sink.events) == 1


def test_unknown_host_and_wrong_method_are_refused(receiver: Receiver) -> None:
    assert receiver.post("/webhooks/bitbucket", b"{}", {}).status_code == 404
    assert receiver.get(GH).status_code == 405


def test_healthz_counts_outcomes(receiver: Receiver) -> None:
    body = dumps(github_push())
    receiver.post(GH, body, github_headers(body))
    receiver.post(GH, body, github_headers(body))
    receiver.post(GH, body, github_headers(body, secret="wrong"))
    receiver.post(GL, dumps(gitlab_push()), gitlab_headers(event="Issue Hook"))
    response = receiver.get("/healthz")
    assert response.json() == {"status": "ok", "emitted": 1, "duplicates": 1, "ignored": 1, "rejected": 1}


def test_secret_never_appears_in_logs_or_responses(receiver: Receiver, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    push, mr = dumps(github_push()), dumps(gitlab_merge_request())
    cases = [
        (GH, push, github_headers(push)),
        (GH, push, github_headers(push)),
        (GH, push, {**github_headers(push), "x-hub-signature-256": FORGED_SIGNATURE}),
        (GH, MALFORMED_JSON, github_headers(MALFORMED_JSON)),
        (GH, dumps(github_ping()), github_headers(dumps(github_ping()), event="ping")),
        (GL, mr, gitlab_headers(event="Merge Request Hook")),
        (GL, mr, gitlab_headers(event="Merge Request Hook", token=SECRET[:-1])),
        (GL, mr, gitlab_headers(event="Note Hook")),
    ]
    responses = [receiver.post(*case) for case in cases]
    receiver.sink.fail = 1
    responses.append(receiver.post(GH, push, github_headers(push, delivery="fails")))
    assert {r.status_code for r in responses} == {200, 202, 400, 401, 503}
    assert caplog.records, "the receiver logs each delivery"
    for text in [caplog.text, *(r.text for r in responses), *(str(r.headers) for r in responses)]:
        assert SECRET not in text
    assert SECRET not in repr(receiver.app.state.settings)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("pull_request", "not-an-object"),
        ("action", "closed"),
        ("number", "seven"),
        ("pull_request.head.sha", ""),
        ("repository", []),
    ],
)
def test_signed_payload_of_the_wrong_shape_is_400_not_500(receiver: Receiver, path: str, value: object) -> None:
    payload = github_pull_request()
    if path == "action":  # a closed PR whose pull_request is not an object
        payload["pull_request"] = "not-an-object"
    node = payload
    *parents, last = path.split(".")
    for key in parents:
        node = node[key]
    node[last] = value
    body = dumps(payload)
    response = receiver.post(GH, body, github_headers(body, event="pull_request"))
    assert response.status_code == 400, response.text
    assert receiver.sink.events == []
