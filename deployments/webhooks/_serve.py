"""Serving the receiver with uvicorn: `python -m deployments.webhooks` (or `serve(settings)`)."""

from __future__ import annotations

import logging

from deployments.webhooks._app import create_app
from deployments.webhooks._settings import WebhookSettings

__all__ = ["serve"]


def serve(settings: WebhookSettings | None = None) -> None:
    """Run the receiver in the foreground until SIGINT/SIGTERM (uvicorn handles both)."""
    import uvicorn

    settings = settings or WebhookSettings()
    app = create_app(settings)  # reads the secret now: a missing one fails before the port opens
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info", access_log=False)
