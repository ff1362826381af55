"""Free TCP ports on the loopback interface, for databases and service instances.

Each environment and each instance gets its own port so that blue and green releases, base and
head revisions and parallel agents never collide. The port is found by binding port 0 and
closing the socket: another process may grab it before we use it, so callers that can detect
an "address in use" failure retry with a fresh port.
"""

from __future__ import annotations

import socket

__all__ = ["free_port"]


def free_port(host: str = "127.0.0.1") -> int:
    """Return a TCP port that was free on `host` a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
