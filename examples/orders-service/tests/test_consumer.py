"""Unit tests of the client's error handling (no Pact, no network)."""

from __future__ import annotations

import httpx
import pytest
from consumer import InvalidUserError, UserAlreadyExistsError, UsersClient, UsersServiceError

USER = {
    "id": 3,
    "email": "a@b.co",
    "name": "A",
    "role": "member",
    "created_at": "2024-01-01T00:00:00.000Z",
    "updated_at": "2024-01-01T00:00:00.000Z",
}


def client_for(status: int, body: object) -> UsersClient:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, str):
            return httpx.Response(status, text=body)
        return httpx.Response(status, json=body)

    return UsersClient(
        "http://users", client=httpx.Client(base_url="http://users", transport=httpx.MockTransport(handler))
    )


def test_get_user_ok() -> None:
    assert client_for(200, USER).get_user(3).email == "a@b.co"


def test_get_user_unexpected_status() -> None:
    with pytest.raises(UsersServiceError) as exc:
        client_for(500, "oops").get_user(3)
    assert exc.value.status_code == 500
    assert exc.value.body == "oops"


def test_create_user_conflict() -> None:
    with pytest.raises(UserAlreadyExistsError):
        client_for(409, {"error": "email already exists"}).create_user("a@b.co", "A")


def test_create_user_invalid() -> None:
    details = [{"field": "email", "message": "must be a valid email address"}]
    with pytest.raises(InvalidUserError) as exc:
        client_for(400, {"error": "validation failed", "details": details}).create_user("bad", "A")
    assert exc.value.details == details


def test_create_user_unexpected_status() -> None:
    with pytest.raises(UsersServiceError):
        client_for(503, {"error": "x"}).create_user("a@b.co", "A")
