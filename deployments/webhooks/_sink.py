"""Where normalised events go: the `EventSink` seam and its Prefect implementation.

Tests pass their own sink (anything with `async def emit(event: GitEvent) -> str`); the served
receiver uses `PrefectEventSink`, which sends through Prefect's websocket events client.
"""

from __future__ import annotations

import asyncio
import uuid
from types import TracebackType
from typing import Protocol, runtime_checkable

from deployments.webhooks._model import GitEvent

__all__ = ["EventSink", "PrefectEventSink", "event_id", "to_prefect_event"]

_NAMESPACE = uuid.UUID("5d1f7a52-1c3e-4f0e-9a4e-6a0c2b1f9e11")  # fixed: the same delivery -> the same event id


def event_id(event: GitEvent) -> uuid.UUID:
    """Deterministic Prefect event id of a delivery (the Prefect server stores an id at most once)."""
    return uuid.uuid5(_NAMESPACE, f"{event.provider}:{event.delivery}")


def to_prefect_event(event: GitEvent):  # -> prefect.events.Event; imported lazily (prefect is slow to import)
    from prefect.events import Event

    return Event(
        id=event_id(event),
        event=event.name,
        resource={
            "prefect.resource.id": event.resource_id,
            "prefect.resource.name": f"{event.owner}/{event.repo}",
            "git.provider": event.provider,
            # A label, because triggers match labels, not payloads: a merged GitHub PR arrives as
            # both a closed PR and a push to the default branch, and a trigger wants just one.
            "git.source": event.source,
        },
        payload=event.payload(),
    )


@runtime_checkable
class EventSink(Protocol):
    async def emit(self, event: GitEvent) -> str:
        """Deliver `event`; return its Prefect event id. Raise if it could not be delivered."""
        ...


class PrefectEventSink:
    """Emits to a Prefect server over one websocket, one event at a time.

    `checkpoint_every=1` makes the client wait for the server's pong after each event, so a 2xx
    from the receiver means the Prefect server has read the event (a ~0.5 ms round trip on
    localhost); the lock is needed because Prefect's client keeps per-connection state that
    concurrent emits would interleave. Use as an async context manager (the app's lifespan does).
    """

    def __init__(self, api_url: str | None = None, reconnection_attempts: int = 3) -> None:
        self._api_url, self._attempts = api_url, reconnection_attempts
        self._lock = asyncio.Lock()
        self._client = None

    async def __aenter__(self) -> PrefectEventSink:
        from prefect.events.clients import PrefectEventsClient, get_events_client

        if self._api_url:
            client = PrefectEventsClient(api_url=self._api_url, reconnection_attempts=self._attempts,
                                         checkpoint_every=1)  # fmt: skip
        else:
            client = get_events_client(reconnection_attempts=self._attempts, checkpoint_every=1)
        self._client = await client.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.__aexit__(exc_type, exc, tb)

    async def emit(self, event: GitEvent) -> str:
        if self._client is None:
            raise RuntimeError("PrefectEventSink is not open (use it as an async context manager)")
        prefect_event = to_prefect_event(event)
        async with self._lock:
            await self._client.emit(prefect_event)
        return str(prefect_event.id)
