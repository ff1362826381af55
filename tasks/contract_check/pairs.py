"""What checks are given: the same part of the API at base (`b`) and at head (`h`).

Every pair is plain data plus a few cached helpers, so a check stays a few lines. Nodes are
already resolved (`$ref` followed). Schema nodes get a `SchemaPair` (schema_pair.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from tasks.contract_check.schema_pair import Resolve, type_signature

__all__ = [
    "BodyPair",
    "DocumentPair",
    "OperationPair",
    "ParameterPair",
    "ParametersPair",
    "ResponsePair",
    "ResponsesPair",
    "SecurityPair",
]


@dataclass(frozen=True)
class DocumentPair:
    b: dict[str, Any]
    h: dict[str, Any]


@dataclass(frozen=True)
class OperationPair:
    """An operation at base and head; `b` or `h` is None when it exists on one side only."""

    name: str  # "GET /users/{id}" (head's path when it exists)
    method: str
    path_b: str | None
    path_h: str | None
    b: dict[str, Any] | None
    h: dict[str, Any] | None
    path_in_b: bool  # the path (template) exists at base
    path_in_h: bool


@dataclass(frozen=True)
class SecurityPair:
    """Effective security requirements (operation's own, else the document's)."""

    b: list[dict[str, list[str]]]
    h: list[dict[str, list[str]]]

    @staticmethod
    def alternatives(reqs: list[dict[str, list[str]]]) -> dict[frozenset[str], dict[str, list[str]]]:
        return {frozenset(req): req for req in reqs}

    @staticmethod
    def open(reqs: list[dict[str, list[str]]]) -> bool:
        """Callable without credentials: no requirement, or an empty (optional) alternative."""
        return not reqs or any(not req for req in reqs)


ParamKey = tuple[str, str]  # (in, name), header names lower-cased


@dataclass(frozen=True)
class ParametersPair:
    b: dict[ParamKey, dict[str, Any]]
    h: dict[ParamKey, dict[str, Any]]
    rb: Resolve
    rh: Resolve

    @staticmethod
    def where(key: ParamKey) -> str:
        return f"parameter {key[0]}:{key[1]}"

    @staticmethod
    def schema_sig(param: dict[str, Any], resolve: Resolve) -> object:
        schema = param.get("schema")
        if schema is None:
            for media in (param.get("content") or {}).values():
                schema = (media or {}).get("schema")
                break
        return type_signature(schema or {}, resolve)

    @cached_property
    def renamed(self) -> list[tuple[ParamKey, ParamKey]]:
        """(removed, added) pairs in the same location with the same schema type: a rename."""
        removed = [k for k in self.b if k not in self.h and k[0] != "path"]
        added = [k for k in self.h if k not in self.b and k[0] != "path"]
        pairs, used = [], set()
        for old in sorted(removed):
            for new in sorted(added):
                if new in used or new[0] != old[0]:
                    continue
                if self.schema_sig(self.b[old], self.rb) == self.schema_sig(self.h[new], self.rh):
                    pairs.append((old, new))
                    used.add(new)
                    break
        return pairs

    @cached_property
    def moved(self) -> list[tuple[ParamKey, ParamKey]]:
        """Same name, other location (query -> header...)."""
        pairs = []
        for old in sorted(k for k in self.b if k not in self.h):
            for new in sorted(k for k in self.h if k not in self.b):
                if new[1].lower() == old[1].lower() and new[0] != old[0]:
                    pairs.append((old, new))
                    break
        return pairs

    @cached_property
    def removed(self) -> list[ParamKey]:
        paired = {old for old, _ in [*self.renamed, *self.moved]}
        return [k for k in sorted(self.b) if k not in self.h and k not in paired and k[0] != "path"]

    @cached_property
    def added(self) -> list[ParamKey]:
        paired = {new for _, new in [*self.renamed, *self.moved]}
        return [k for k in sorted(self.h) if k not in self.b and k not in paired and k[0] != "path"]


@dataclass(frozen=True)
class ParameterPair:
    key: ParamKey
    b: dict[str, Any]
    h: dict[str, Any]

    def style(self, param: dict[str, Any]) -> str:
        default = "form" if self.key[0] in ("query", "cookie") else "simple"
        return str(param.get("style", default))

    def explode(self, param: dict[str, Any]) -> bool:
        return bool(param.get("explode", self.style(param) == "form"))


@dataclass(frozen=True)
class BodyPair:
    b: dict[str, Any] | None
    h: dict[str, Any] | None

    @staticmethod
    def content(body: dict[str, Any] | None) -> dict[str, Any]:
        return dict((body or {}).get("content") or {})


@dataclass(frozen=True)
class ResponsesPair:
    b: dict[str, Any]  # status -> resolved response
    h: dict[str, Any]


@dataclass(frozen=True)
class ResponsePair:
    status: str
    b: dict[str, Any]
    h: dict[str, Any]
    headers_b: dict[str, dict[str, Any]]  # lower-cased name -> resolved header
    headers_h: dict[str, dict[str, Any]]
