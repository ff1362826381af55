from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.tasks.commit_status.fake_host import FakeGitHost, start

TOKEN = "ghp_" + "T0kenValue" * 4  # looks like a real token, so a leak is easy to spot
SHA = "0123456789abcdef0123456789abcdef01234567"


def _host(kind: str) -> Iterator[FakeGitHost]:
    host, server = start(kind, TOKEN)
    try:
        yield host
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def github() -> Iterator[FakeGitHost]:
    yield from _host("github")


@pytest.fixture
def gitlab() -> Iterator[FakeGitHost]:
    yield from _host("gitlab")


@pytest.fixture
def dead_url() -> str:
    """A local URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()
