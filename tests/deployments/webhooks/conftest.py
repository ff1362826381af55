"""Fixtures for receiver tests: a recording event sink and signed-request helpers."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from deployments.webhooks import GitEvent, WebhookSettings, create_app, event_id, github_signature

SECRET = "s3cr3t-webhook-key-Zq9"  # a test secret; tests assert it never leaks


@dataclass
class RecordingSink:
    """The fake at the emit seam: records events; `fail` makes the next emits raise."""

    events: list[GitEvent] = field(default_factory=list)
    fail: int = 0

    async def emit(self, event: GitEvent) -> str:
        await asyncio.sleep(0)  # let concurrent requests interleave here, as a real network call would
        if self.fail:
            self.fail -= 1
            raise ConnectionError("prefect server unreachable")
        self.events.append(event)
        return str(event_id(event))


def github_headers(body: bytes, *, event: str = "push", delivery: str = "gh-1", secret: str = SECRET) -> dict:
    return {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": delivery,
        "x-hub-signature-256": github_signature(secret, body),
        "user-agent": "GitHub-Hookshot/044aadd",
    }


def gitlab_headers(*, event: str = "Push Hook", token: str = SECRET, uuid: str | None = "gl-1") -> dict:
    headers = {"content-type": "application/json", "x-gitlab-event": event, "x-gitlab-token": token}
    if uuid is not None:
        headers["x-gitlab-event-uuid"] = uuid
    return headers


def dumps(payload: Any) -> bytes:
    return json.dumps(payload).encode()


@dataclass
class Receiver:
    """An app with a RecordingSink, called through httpx's ASGI transport."""

    sink: RecordingSink
    app: Any

    def post(self, path: str, body: bytes | Any, headers: dict[str, str]) -> httpx.Response:
        return asyncio.run(self.apost_many([(path, body, headers)]))[0]

    async def apost_many(self, requests: list[tuple[str, Any, dict[str, str]]]) -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as client:
            return list(await asyncio.gather(*(client.post(p, content=b, headers=h) for p, b, h in requests)))

    def get(self, path: str) -> httpx.Response:
        async def _get() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://receiver") as client:
                return await client.get(path)

        return asyncio.run(_get())


@pytest.fixture
def make_receiver() -> Callable[..., Receiver]:
    def make(**settings: Any) -> Receiver:
        sink = RecordingSink()
        app = create_app(WebhookSettings(**settings), sink=sink, secret=SECRET)
        return Receiver(sink, app)

    return make


@pytest.fixture
def receiver(make_receiver: Callable[..., Receiver]) -> Receiver:
    return make_receiver()
