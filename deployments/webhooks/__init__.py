"""The git webhook receiver: signed GitHub/GitLab deliveries in, Prefect events out.

    create_app(settings, *, sink=None, secret=None) -> Starlette   the ASGI app
    WebhookSettings                                                 QEFLOW_WEBHOOKS_* settings
    serve(settings)                                                 uvicorn in the foreground
    normalize_github / normalize_gitlab -> GitEvent | Ignored       pure payload normalisers

See README.md in this package for the contracts.
"""

from deployments.webhooks._app import create_app
from deployments.webhooks._dedup import DeliveryLedger, FileDeliveryLedger
from deployments.webhooks._model import EVENT_NAMES, GitEvent, Ignored
from deployments.webhooks._normalize import PayloadError, normalize_github, normalize_gitlab
from deployments.webhooks._serve import serve
from deployments.webhooks._settings import WebhookSettings, resolve_secret
from deployments.webhooks._sink import EventSink, PrefectEventSink, event_id, to_prefect_event
from deployments.webhooks._verify import github_signature

__all__ = [
    "EVENT_NAMES",
    "DeliveryLedger",
    "EventSink",
    "FileDeliveryLedger",
    "GitEvent",
    "Ignored",
    "PayloadError",
    "PrefectEventSink",
    "WebhookSettings",
    "create_app",
    "event_id",
    "github_signature",
    "normalize_github",
    "normalize_gitlab",
    "resolve_secret",
    "serve",
    "to_prefect_event",
]
