"""Consumer contract of orders-service against users-service (Pact V4).

Running this module regenerates
examples/users-service/pacts/orders-service-users-service.json
(or $PACT_DIR/orders-service-users-service.json when PACT_DIR is set).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from consumer import User, UsersClient
from pact import Pact, match

CONSUMER = "orders-service"
PROVIDER = "users-service"
PACT_DIR = Path(os.environ.get("PACT_DIR") or Path(__file__).resolve().parents[2] / "users-service" / "pacts")
PACT_FILE = PACT_DIR / f"{CONSUMER}-{PROVIDER}.json"

# Shapes as served by users-service (see examples/users-service/openapi.yaml).
ISO_UTC = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"
EMAIL = r"^[^\s@]+@[^\s@]+\.[^\s@]+$"
JSON_CONTENT_TYPE = match.regex("application/json; charset=utf-8", regex=r"^application/json(;.*)?$")


def user_body(user_id: int, email: str, name: str, role: str) -> dict[str, object]:
    return {
        "id": match.int(user_id),
        "email": match.regex(email, regex=EMAIL),
        "name": match.str(name),
        "role": match.regex(role, regex=r"^(admin|member)$"),
        "created_at": match.regex("2024-01-01T00:00:00.000Z", regex=ISO_UTC),
        "updated_at": match.regex("2024-01-01T00:00:00.000Z", regex=ISO_UTC),
    }


@pytest.fixture(scope="module", autouse=True)
def fresh_pact_file() -> Iterator[None]:
    """Start from an empty file: each test merges its interaction into it."""
    PACT_FILE.unlink(missing_ok=True)
    yield


@pytest.fixture
def pact() -> Iterator[Pact]:
    pact = Pact(CONSUMER, PROVIDER).with_specification("V4")
    yield pact
    pact.write_file(PACT_DIR)


def test_get_existing_user(pact: Pact) -> None:
    (
        pact.upon_receiving("a request for user 1")
        .given("user 1 exists")
        .with_request("GET", "/users/1")
        .with_header("Accept", "application/json")
        .will_respond_with(200)
        .with_header("Content-Type", JSON_CONTENT_TYPE)
        .with_body(user_body(1, "ada@example.com", "Ada Lovelace", "member"), content_type="application/json")
    )
    with pact.serve() as srv, UsersClient(str(srv.url)) as client:
        user = client.get_user(1)
    assert user == User(
        id=1,
        email="ada@example.com",
        name="Ada Lovelace",
        role="member",
        created_at="2024-01-01T00:00:00.000Z",
        updated_at="2024-01-01T00:00:00.000Z",
    )


def test_get_missing_user(pact: Pact) -> None:
    (
        pact.upon_receiving("a request for user 42, which does not exist")
        .given("no user 42")
        .with_request("GET", "/users/42")
        .with_header("Accept", "application/json")
        .will_respond_with(404)
        .with_header("Content-Type", JSON_CONTENT_TYPE)
        .with_body({"error": match.str("user not found")}, content_type="application/json")
    )
    with pact.serve() as srv, UsersClient(str(srv.url)) as client:
        assert client.get_user(42) is None


def test_create_user(pact: Pact) -> None:
    (
        pact.upon_receiving("a request to create a user")
        .with_request("POST", "/users")
        .with_header("Accept", "application/json")
        .with_header("Content-Type", "application/json")
        .with_body(
            {"email": "grace@example.com", "name": "Grace Hopper", "role": "admin"},
            content_type="application/json",
        )
        .will_respond_with(201)
        .with_header("Content-Type", JSON_CONTENT_TYPE)
        .with_body(
            {
                **user_body(7, "grace@example.com", "Grace Hopper", "admin"),
                # the server echoes what was stored: exact values
                "email": "grace@example.com",
                "name": "Grace Hopper",
                "role": "admin",
            },
            content_type="application/json",
        )
    )
    with pact.serve() as srv, UsersClient(str(srv.url)) as client:
        user = client.create_user("grace@example.com", "Grace Hopper", role="admin")
    assert user.id == 7
    assert (user.email, user.name, user.role) == ("grace@example.com", "Grace Hopper", "admin")
    assert user.created_at.endswith("Z")
