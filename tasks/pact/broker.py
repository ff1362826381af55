"""Pacts from a Pact Broker (or PactFlow): fetched over its HAL API, verified like local files.

    GET  {broker}/                                   -> _links["pb:provider-pacts-for-verification"]
    POST {that href, provider filled in}             -> _embedded.pacts[]._links.self.href
         {"consumerVersionSelectors": [...], "includePendingStatus": false}
    GET  each pact URL                               -> the pact, with _links["pb:consumer-version"]

Each pact is saved into the agent's evidence before it is verified, so the run keeps exactly
what it verified and its consumer version (from `pb:consumer-version`). The token travels only
in the Authorization header: it is never written to evidence or logs, and error messages say
which environment variable held it, not what it held.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tasks.errors import QeflowError

__all__ = ["BrokerError", "BrokerPact", "fetch_pacts"]

DEFAULT_SELECTORS: list[dict[str, Any]] = [{"mainBranch": True}, {"deployedOrReleased": True}]
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class BrokerError(QeflowError):
    """The broker could not be reached, refused the token, or answered something unexpected."""


@dataclass(frozen=True)
class BrokerPact:
    url: str
    path: Path  # the saved copy in the evidence
    description: str  # the broker's shortDescription, e.g. "latest from main"


def _link(document: dict[str, Any], rel: str, where: str) -> str:
    link = document.get("_links", {}).get(rel)
    href = link.get("href") if isinstance(link, dict) else None
    if not isinstance(href, str):
        raise BrokerError(f"the broker's {where} has no {rel!r} link; is this a Pact Broker (2.80+) or PactFlow?")
    return href


def _request(client: httpx.Client, method: str, url: str, token_env: str, **kwargs: Any) -> dict[str, Any]:
    try:
        response = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        raise BrokerError(f"the Pact Broker at {url} is unreachable: {type(exc).__name__}: {exc}") from exc
    if response.status_code in (401, 403):
        raise BrokerError(
            f"the Pact Broker refused the token from ${token_env} ({response.status_code} on {method} {url}); "
            "check the token and its permissions"
        )
    if response.status_code >= 400:
        raise BrokerError(f"the Pact Broker answered {response.status_code} on {method} {url}: {response.text[:200]}")
    try:
        data = response.json()
    except ValueError as exc:
        raise BrokerError(f"the Pact Broker answered {method} {url} with something that is not JSON") from exc
    if not isinstance(data, dict):
        raise BrokerError(f"the Pact Broker answered {method} {url} with JSON that is not an object")
    return data


def fetch_pacts(
    broker_url: str,
    *,
    provider: str,
    token: str,
    token_env: str,
    selectors: list[dict[str, Any]] | None,
    dest: Path,
    timeout_s: float = 30.0,
) -> list[BrokerPact]:
    """Download the provider's pacts for verification into `dest`; return them."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/hal+json, application/json"}
    dest.mkdir(parents=True, exist_ok=True)
    with httpx.Client(headers=headers, timeout=timeout_s, follow_redirects=True) as client:
        index = _request(client, "GET", broker_url.rstrip("/") + "/", token_env)
        href = _link(index, "pb:provider-pacts-for-verification", "index").replace("{provider}", provider)
        body = {"consumerVersionSelectors": selectors or DEFAULT_SELECTORS, "includePendingStatus": False}
        listing = _request(client, "POST", href, token_env, json=body)
        pacts: list[BrokerPact] = []
        for index_no, item in enumerate(listing.get("_embedded", {}).get("pacts", []) or [], start=1):
            url = _link(item, "self", "pact listing")
            pact = _request(client, "GET", url, token_env)
            consumer = str(pact.get("consumer", {}).get("name", "consumer"))
            name = _UNSAFE.sub("-", f"{index_no:02d}-{consumer}-{provider}") + ".json"
            path = dest / name
            path.write_text(json.dumps(pact, indent=2) + "\n", encoding="utf-8")
            pacts.append(BrokerPact(url, path, str(item.get("shortDescription", ""))))
    return pacts
