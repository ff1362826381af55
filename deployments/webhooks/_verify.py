"""Authenticating a delivery and naming it. Constant-time comparisons only."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

__all__ = ["delivery_id", "github_signature", "verify_github", "verify_gitlab"]


def github_signature(secret: str, body: bytes) -> str:
    """The `X-Hub-Signature-256` value GitHub sends for `body` (also what tests sign with)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify_github(secret: str, body: bytes, header: str | None) -> bool:
    """True when `header` is `sha256=<hex>` of HMAC-SHA256(secret, raw body)."""
    if not header:
        return False
    return hmac.compare_digest(github_signature(secret, body).encode(), header.strip().encode())


def verify_gitlab(secret: str, header: str | None) -> bool:
    """True when `X-Gitlab-Token` equals the secret (GitLab sends the token itself, not a MAC)."""
    if header is None:
        return False
    return hmac.compare_digest(secret.encode(), header.encode())


def delivery_id(headers: Mapping[str, str], names: tuple[str, ...], body: bytes) -> str:
    """The first of `names` present in `headers`, else `sha256:<hex of body>`."""
    for name in names:
        value = headers.get(name, "").strip()
        if value:
            return value
    return "sha256:" + hashlib.sha256(body).hexdigest()
