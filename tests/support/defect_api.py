"""Defects that only generated API tests catch (issue #3, part 5).

Each defect edits a copy of examples/users-service (see `tests.support.defects.make_service_repo`)
and returns its commit message. `DEFECTS` here is meant to be merged into
`tests.support.defects.DEFECTS`.

`server_error_on_unexpected_input`: the PostgreSQL repository casts LIMIT/OFFSET to `int` (int4),
a plausible "help the planner" change. openapi.yaml still allows any offset up to 2^53 - 1, and
the service's validation accepts it, so `GET /users?offset=2147483648` reaches PostgreSQL, which
raises 22003 (integer out of range): the error handler answers 500. The unit tests keep passing
(they run the in-memory repository, and the pg repository test with a fake pool checks the
parameters, not the SQL text), the integration tests only page with small offsets, and the spec
is unchanged: only requests with a large, schema-valid offset find it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

__all__ = ["DEFECTS", "server_error_on_unexpected_input"]

_LIST_SQL = "ORDER BY id LIMIT $2 OFFSET $3`"
_LIST_SQL_CAST = "ORDER BY id LIMIT $2::int OFFSET $3::int`"


def server_error_on_unexpected_input(service: Path) -> str:
    """GET /users answers 500 for an offset above 2^31 - 1, which the spec allows."""
    repo = service / "src" / "repo" / "pg.js"
    text = repo.read_text(encoding="utf-8")
    if _LIST_SQL not in text:
        raise RuntimeError(f"{repo}: the list query no longer contains {_LIST_SQL!r}; update this defect")
    repo.write_text(text.replace(_LIST_SQL, _LIST_SQL_CAST, 1), encoding="utf-8")
    return "perf: type the LIMIT/OFFSET parameters of the user list as int"


DEFECTS: dict[str, Callable[[Path], str]] = {
    "api-server-error": server_error_on_unexpected_input,
}
