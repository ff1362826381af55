"""Filling `{port}`, `{database_url}`, `{host}`, `{base_url}` and `{instance}` in commands and env.

One function for argv and env, so both behave the same: a placeholder known to qeflow is
replaced, an unknown brace pair (e.g. JSON in an argument) is left alone, and a known placeholder
whose value does not exist in this context (no `{port}` while migrating, no `{database_url}`
with `mode = "none"`) raises `Unavailable`, which callers turn into a clear error or, for the
migration's env, into dropping that variable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from tasks.config import PLACEHOLDERS

__all__ = ["Unavailable", "fill", "fill_argv", "fill_env"]

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class Unavailable(LookupError):
    """A known placeholder has no value in this context."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(name)


def fill(text: str, values: Mapping[str, str | None]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        value = values.get(name)
        if value is None:
            raise Unavailable(name)
        return value

    return _PLACEHOLDER.sub(replace, text)


def fill_argv(argv: list[str], values: Mapping[str, str | None]) -> list[str]:
    return [fill(arg, values) for arg in argv]


def fill_env(
    env: Mapping[str, str], values: Mapping[str, str | None], *, drop_unavailable: bool = False
) -> dict[str, str]:
    """Fill every value; with `drop_unavailable`, leave out variables that need a missing value."""
    filled: dict[str, str] = {}
    for key, text in env.items():
        try:
            filled[key] = fill(text, values)
        except Unavailable:
            if not drop_unavailable:
                raise
    return filled
