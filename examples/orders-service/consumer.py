"""Tiny client of users-service, as used by orders-service.

Only the parts of the users API that orders-service relies on are modelled:
reading a user (to attach it to an order) and creating one (guest checkout).
The consumer contract for these calls lives in tests/test_users_pact.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

DEFAULT_TIMEOUT = 5.0


class UsersServiceError(RuntimeError):
    """users-service answered with an unexpected status."""

    def __init__(self, status_code: int, body: Any) -> None:
        super().__init__(f"users-service answered {status_code}: {body!r}")
        self.status_code = status_code
        self.body = body


class UserAlreadyExistsError(UsersServiceError):
    """409: another user has this email."""


class InvalidUserError(UsersServiceError):
    """400: the user data was rejected; `details` lists the offending fields."""

    @property
    def details(self) -> list[dict[str, str]]:
        return list(self.body.get("details", [])) if isinstance(self.body, dict) else []


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    role: str
    created_at: str
    updated_at: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> User:
        return cls(
            id=int(data["id"]),
            email=str(data["email"]),
            name=str(data["name"]),
            role=str(data["role"]),
            created_at=str(data["created_at"]),
            updated_at=str(data["updated_at"]),
        )


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


class UsersClient:
    """Synchronous httpx client for users-service."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        client: httpx.Client | None = None,
    ) -> None:
        self._client = client or httpx.Client(
            base_url=str(base_url).rstrip("/"),
            timeout=timeout,
            headers={"Accept": "application/json"},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> UsersClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_user(self, user_id: int) -> User | None:
        """Return the user, or None when users-service answers 404."""
        response = self._client.get(f"/users/{int(user_id)}")
        if response.status_code == httpx.codes.NOT_FOUND:
            return None
        if response.status_code != httpx.codes.OK:
            raise UsersServiceError(response.status_code, _body(response))
        return User.from_json(response.json())

    def create_user(self, email: str, name: str, role: str = "member") -> User:
        """Create a user; raises UserAlreadyExistsError (409) or InvalidUserError (400)."""
        response = self._client.post("/users", json={"email": email, "name": name, "role": role})
        if response.status_code == httpx.codes.CREATED:
            return User.from_json(response.json())
        if response.status_code == httpx.codes.CONFLICT:
            raise UserAlreadyExistsError(response.status_code, _body(response))
        if response.status_code == httpx.codes.BAD_REQUEST:
            raise InvalidUserError(response.status_code, _body(response))
        raise UsersServiceError(response.status_code, _body(response))


def get_user(base_url: str, user_id: int) -> User | None:
    """One-shot helper: fetch a user from users-service at base_url."""
    with UsersClient(base_url) as client:
        return client.get_user(user_id)


def create_user(base_url: str, email: str, name: str, role: str = "member") -> User:
    """One-shot helper: create a user in users-service at base_url."""
    with UsersClient(base_url) as client:
        return client.create_user(email, name, role)
