"""The ASGI app: `POST /webhooks/github`, `POST /webhooks/gitlab`, `GET /healthz`.

Each delivery goes through the same steps, and the first that fails answers:

    1. size       Content-Length, then the bytes actually streamed, against max_body_bytes -> 413
    2. signature  GitHub HMAC-SHA256 of the raw body / GitLab token, constant time           -> 401
    3. JSON       the body parses to an object                                               -> 400
    4. event      ping -> 200 pong; a type or action that starts nothing                      -> 202 ignored
    5. payload    the fields the event needs are there                                       -> 400
    6. dedup      a delivery id already emitted                                              -> 200 duplicate
    7. emit       the Prefect event is delivered                                 -> 200 emitted (503 if not)

Duplicates are recognised by a ledger: in memory, or in a SQLite file that survives restarts (dedup_path).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from deployments.webhooks._dedup import DeliveryLedger, FileDeliveryLedger
from deployments.webhooks._model import GitEvent, Ignored
from deployments.webhooks._normalize import PayloadError, normalize_github, normalize_gitlab
from deployments.webhooks._settings import WebhookSettings, resolve_secret
from deployments.webhooks._sink import EventSink, PrefectEventSink
from deployments.webhooks._verify import delivery_id, verify_github, verify_gitlab

__all__ = ["create_app"]

logger = logging.getLogger("qeflow.webhooks")


@dataclass(frozen=True)
class _Host:
    """What differs between git hosts: how a delivery is authenticated, typed, named and read."""

    name: str
    event_header: str
    delivery_headers: tuple[str, ...]
    verify: Callable[[str, bytes, Mapping[str, str]], bool]
    normalize: Callable[[str, Mapping[str, Any], str], GitEvent | Ignored]
    ping: str | None = None


_HOSTS = {
    "github": _Host(
        "github", "x-github-event", ("x-github-delivery",),
        lambda secret, body, headers: verify_github(secret, body, headers.get("x-hub-signature-256")),
        normalize_github, ping="ping",
    ),
    "gitlab": _Host(
        "gitlab", "x-gitlab-event", ("x-gitlab-event-uuid", "idempotency-key"),
        lambda secret, body, headers: verify_gitlab(secret, headers.get("x-gitlab-token")),
        normalize_gitlab,
    ),
}  # fmt: skip


@dataclass
class _Counters:
    emitted: int = 0
    duplicates: int = 0
    ignored: int = 0
    rejected: int = 0


class _TooLarge(Exception):
    pass


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(
    settings: WebhookSettings | None = None, *, sink: EventSink | None = None, secret: str | None = None
) -> Starlette:
    """The receiver. Reads the secret now (from `secret`, else settings' Secret block or env var).

    `sink` receives every event to emit; by default a `PrefectEventSink` opened for the app's
    lifetime (its lifespan), talking to `settings.prefect_api_url` or PREFECT_API_URL.
    """
    settings = settings or WebhookSettings()
    key = SecretStr(secret) if secret is not None else resolve_secret(settings)
    ledger: DeliveryLedger | FileDeliveryLedger = (
        FileDeliveryLedger(settings.dedup_path, settings.dedup_ttl_s)
        if settings.dedup_path
        else DeliveryLedger(settings.dedup_ttl_s, settings.dedup_max_entries)
    )
    counters = _Counters()
    target: EventSink = sink if sink is not None else PrefectEventSink(settings.prefect_api_url)

    def answer(status: int, body: dict[str, Any], host: str, delivery: str, outcome: str) -> JSONResponse:
        logger.info("webhook %s delivery=%.100s -> %s %s", host, delivery, status, outcome)
        return JSONResponse(body, status_code=status)

    async def receive(host: _Host, request: Request) -> JSONResponse:
        try:
            body = await _read_body(request, settings.max_body_bytes)
        except _TooLarge:
            counters.rejected += 1
            return answer(413, {"error": f"body over {settings.max_body_bytes} bytes"}, host.name, "-", "too large")
        delivery = delivery_id(request.headers, host.delivery_headers, body)
        if not host.verify(key.get_secret_value(), body, request.headers):
            counters.rejected += 1
            return answer(401, {"error": "missing or invalid signature"}, host.name, delivery, "bad signature")
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            counters.rejected += 1
            return answer(400, {"error": f"body is not JSON: {exc}"}, host.name, delivery, "malformed JSON")
        if not isinstance(payload, dict):
            counters.rejected += 1
            return answer(400, {"error": "body is not a JSON object"}, host.name, delivery, "not an object")
        event_type = request.headers.get(host.event_header, "")
        if host.ping is not None and event_type == host.ping:
            return answer(200, {"pong": True}, host.name, delivery, "ping")
        try:
            result = host.normalize(event_type, payload, delivery)
        except (PayloadError, ValueError, TypeError) as exc:  # ValueError: pydantic's, int("x"); TypeError: wrong shape
            counters.rejected += 1
            error = str(exc) if isinstance(exc, PayloadError) else f"payload has an unexpected shape: {exc}"
            return answer(400, {"error": error[:300]}, host.name, delivery, "incomplete payload")
        if isinstance(result, Ignored):
            counters.ignored += 1
            return answer(202, {"ignored": result.reason}, host.name, delivery, f"ignored {result.reason}")
        key_ = f"{host.name}:{delivery}"
        if not ledger.claim(key_):
            counters.duplicates += 1
            return answer(200, {"duplicate": True, "delivery": delivery}, host.name, delivery, "duplicate")
        try:
            emitted_id = await target.emit(result)
        except Exception:
            ledger.release(key_)  # let the host's redelivery through
            counters.rejected += 1
            logger.exception("webhook %s delivery=%.100s: emitting %s failed", host.name, delivery, result.name)
            return answer(503, {"error": "event not delivered to Prefect; retry"}, host.name, delivery, "emit failed")
        counters.emitted += 1
        body_out = {"emitted": result.name, "event_id": emitted_id, "delivery": delivery,
                    "resource": result.resource_id}  # fmt: skip
        return answer(200, body_out, host.name, delivery, result.name)

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", **asdict(counters)})

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if isinstance(target, contextlib.AbstractAsyncContextManager) or hasattr(target, "__aenter__"):
                await stack.enter_async_context(target)  # type: ignore[arg-type]
            yield

    routes = [
        *(
            Route(f"/webhooks/{name}", functools.partial(receive, host), methods=["POST"])
            for name, host in _HOSTS.items()
        ),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.ledger, app.state.counters, app.state.settings = ledger, counters, settings
    return app
