"""The vocabulary of the contract diff: levels, directions, scopes, checks and changes.

A *check* is a small named function with a stable id (its name, kebab-cased), a default level and
a one-line description. The engine calls it with a *pair* (the same thing at base and at head:
an operation, a parameter, a schema node...) and the check yields `Hit`s. The engine turns hits
into `Change`s, which carry the operation, the location and the JSON path of the field.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tasks.errors import QeflowError
from tasks.report import Severity

__all__ = [
    "Check",
    "CheckList",
    "ContractError",
    "Direction",
    "Hit",
    "Level",
    "Scope",
]


class ContractError(QeflowError):
    """A contract document (or the ignore file) cannot be read, resolved or validated."""


class Level(enum.StrEnum):
    """How bad a change is for existing clients."""

    ERR = "ERR"  # breaks an existing client
    WARN = "WARN"  # may break some clients
    INFO = "INFO"  # compatible

    @property
    def severity(self) -> Severity:
        return _SEVERITY[self]

    @property
    def rank(self) -> int:
        return _RANK[self]


_SEVERITY = {Level.ERR: Severity.HIGH, Level.WARN: Severity.MEDIUM, Level.INFO: Severity.INFO}
_RANK = {Level.ERR: 0, Level.WARN: 1, Level.INFO: 2}


class Direction(enum.StrEnum):
    """Who produces the data a schema describes: the client (request) or the server (response)."""

    REQUEST = "request"
    RESPONSE = "response"


class Scope(enum.StrEnum):
    """What a check is given; see `tasks.contract_check.pairs` for each pair type."""

    DOCUMENT = "document"  # DocumentPair
    OPERATION_SET = "operation-set"  # OperationPair with base or head possibly missing
    OPERATION = "operation"  # OperationPair, both present
    SECURITY = "security"  # SecurityPair (effective requirements of one operation)
    PARAMETERS = "parameters"  # ParametersPair (every parameter of one operation)
    PARAMETER = "parameter"  # ParameterPair (one parameter present on both sides)
    REQUEST_BODY = "request-body"  # BodyPair (either side may be missing)
    RESPONSES = "responses"  # ResponsesPair (status code -> response)
    RESPONSE = "response"  # ResponsePair (one status present on both sides)
    SCHEMA = "schema"  # SchemaPair


@dataclass(frozen=True, slots=True)
class Hit:
    """One thing a check found. `where` extends the location (e.g. `parameter query:limit`);
    `path` extends the JSON path of a schema hit (e.g. the name of a removed property)."""

    text: str
    where: str = ""
    path: tuple[str, ...] = ()
    operation: str | None = None  # for document-level checks that name an operation


CheckFn = Callable[[Any], Iterable[Hit]]


@dataclass(frozen=True)
class Check:
    id: str
    level: Level
    scope: Scope
    description: str
    fn: CheckFn = field(repr=False)
    direction: Direction | None = None  # schema checks: only run for this direction
    on_wrap: bool = False  # schema checks: also run where one side is a union and the other not

    def __call__(self, pair: Any) -> Iterator[Hit]:
        yield from self.fn(pair)


class CheckList:
    """The checks of one module, in definition order. `register` is a decorator.

    The check id is the function name with dashes: `response_property_removed` ->
    `response-property-removed`. Nothing global is touched: `catalogue.py` lists the modules.
    """

    def __init__(self) -> None:
        self.checks: list[Check] = []

    def register(
        self,
        level: Level,
        scope: Scope,
        description: str,
        *,
        direction: Direction | None = None,
        on_wrap: bool = False,
    ) -> Callable[[CheckFn], Check]:
        def decorate(fn: CheckFn) -> Check:
            check = Check(fn.__name__.replace("_", "-"), level, scope, description, fn, direction, on_wrap)
            self.checks.append(check)
            return check

        return decorate

    def __iter__(self) -> Iterator[Check]:
        return iter(self.checks)
