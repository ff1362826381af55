"""The diff engine: walks two OpenAPI documents side by side and runs the checks on each pair.

Operations are matched by method and path template (variable names aside). For each operation it
compares security, parameters, the request body and the responses (content types, headers), and
diffs every schema in the direction it travels, request (client -> server) or response, with
`SchemaDiffer` (schemas.py). Each change names its operation, its location and the JSON path of
the field; the same change is recorded once per location.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tasks.contract_check.catalogue import CATALOGUE, Catalogue
from tasks.contract_check.loader import Document
from tasks.contract_check.model import Check, Direction, Level, Scope
from tasks.contract_check.pairs import (
    BodyPair,
    DocumentPair,
    OperationPair,
    ParameterPair,
    ParametersPair,
    ResponsePair,
    ResponsesPair,
    SecurityPair,
)
from tasks.contract_check.schemas import SchemaDiffer

__all__ = ["Change", "ContractDiff", "changed_operations", "diff_documents", "operation_names"]

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE_VAR = re.compile(r"\{[^}/]*\}")


@dataclass(frozen=True)
class Change:
    """One finding of the diff, before ignore rules: check id, level in force, where, what."""

    check: str
    level: Level
    operation: str | None
    location: str
    text: str  # what changed, e.g. "property 'name' removed (schema User)"
    path: str = ""  # JSON path of the field, "" when the change is not in a schema

    @property
    def message(self) -> str:
        return f"[{self.level}] {self.location}: {self.text}" if self.location else f"[{self.level}] {self.text}"

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "level": str(self.level),
            "operation": self.operation,
            "location": self.location,
            "path": self.path,
            "text": self.text,
            "message": self.message,
        }


@dataclass
class ContractDiff:
    changes: list[Change]
    operations_base: list[str]
    operations_head: list[str]
    added: list[str]
    changed: list[str]
    removed: list[str]
    checks_run: list[str]
    diff_s: float = 0.0


class _Differ:
    def __init__(self, base: Document, head: Document, catalogue: Catalogue):
        self.base, self.head, self.catalogue = base, head, catalogue
        self.schemas = SchemaDiffer(base, head, catalogue)
        self.changes: list[Change] = []
        self._seen: set[tuple[str, str, str]] = set()

    # -- recording ------------------------------------------------------------------------------
    def emit(self, checks: Iterable[Check], pair: Any, operation: str | None, where: str = "") -> None:
        for item in checks:
            for hit in item(pair):
                self.record(item.id, operation or hit.operation, [where, hit.where], hit.text)

    def record(self, check_id: str, operation: str | None, wheres: list[str], text: str, path: str = "") -> None:
        location = " ".join(w for w in [operation or "", *wheres, path] if w)
        key = (check_id, location, text)
        if key in self._seen:
            return
        self._seen.add(key)
        self.changes.append(Change(check_id, self.catalogue.level(check_id), operation, location, text, path))

    # -- schemas --------------------------------------------------------------------------------
    def schema(self, b: Any, h: Any, direction: Direction, operation: str, where: str) -> None:
        for hit in self.schemas.diff(b, h, direction):
            self.record(hit.check, operation, [where], hit.text, hit.path)


# -- operations -----------------------------------------------------------------------------------


def _norm(path: str) -> str:
    return _TEMPLATE_VAR.sub("{}", path)


def _operations(doc: Document) -> dict[tuple[str, str], tuple[str, dict[str, Any], dict[str, Any]]]:
    found = {}
    for path, raw_item in (doc.root.get("paths") or {}).items():
        item, _ = doc.resolve(raw_item)
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                found[(_norm(str(path)), method)] = (str(path), item, op)
    return found


def operation_names(doc: Document) -> list[str]:
    return [f"{m.upper()} {path}" for (_, m), (path, _, _) in sorted(_operations(doc).items())]


def _params(doc: Document, item: dict[str, Any], op: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*(item.get("parameters") or ()), *(op.get("parameters") or ())]:
        param, _ = doc.resolve(raw)
        if isinstance(param, dict) and "name" in param and "in" in param:
            where, name = str(param["in"]), str(param["name"])
            found[(where, name.lower() if where == "header" else name)] = param
    return found


def _param_schema(param: dict[str, Any]) -> Any:
    if "schema" in param:
        return param["schema"]
    for media in (param.get("content") or {}).values():
        return (media or {}).get("schema")
    return None


def _security(doc: Document, op: dict[str, Any]) -> list[dict[str, list[str]]]:
    reqs = op["security"] if "security" in op else doc.root.get("security")
    return [dict(r) for r in reqs or () if isinstance(r, dict)]


def _responses(doc: Document, op: dict[str, Any]) -> dict[str, Any]:
    return {str(code): doc.resolve(resp)[0] for code, resp in (op.get("responses") or {}).items()}


def _headers(doc: Document, response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {}
    for name, raw in (response.get("headers") or {}).items():
        if str(name).lower() != "content-type":
            header, _ = doc.resolve(raw)
            found[str(name).lower()] = header if isinstance(header, dict) else {}
    return found


def _media_schemas(content: dict[str, Any]) -> dict[str, Any]:
    return {k.split(";", 1)[0].strip().lower(): (v or {}).get("schema") for k, v in content.items()}


def _diff_operation(d: _Differ, pair: OperationPair, item_b: dict[str, Any], item_h: dict[str, Any]) -> None:
    base, head, cat, name = d.base, d.head, d.catalogue, pair.name
    assert pair.b is not None and pair.h is not None
    d.emit(cat.for_scope(Scope.OPERATION), pair, name)
    d.emit(cat.for_scope(Scope.SECURITY), SecurityPair(_security(base, pair.b), _security(head, pair.h)), name)

    params = ParametersPair(_params(base, item_b, pair.b), _params(head, item_h, pair.h), base.resolve, head.resolve)
    d.emit(cat.for_scope(Scope.PARAMETERS), params, name)
    for key, param_h in params.h.items():
        param_b = params.b.get(key)
        if param_b is None:
            continue
        where = ParametersPair.where(key)
        d.emit(cat.for_scope(Scope.PARAMETER), ParameterPair(key, param_b, param_h), name, where)
        sb, sh = _param_schema(param_b), _param_schema(param_h)
        if sb is not None and sh is not None:
            d.schema(sb, sh, Direction.REQUEST, name, where)

    body_b = base.resolve(pair.b["requestBody"])[0] if "requestBody" in pair.b else None
    body_h = head.resolve(pair.h["requestBody"])[0] if "requestBody" in pair.h else None
    d.emit(cat.for_scope(Scope.REQUEST_BODY), BodyPair(body_b, body_h), name)
    if body_b is not None and body_h is not None:
        media_b, media_h = _media_schemas(BodyPair.content(body_b)), _media_schemas(BodyPair.content(body_h))
        for media, schema_h in media_h.items():
            if media_b.get(media) is not None and schema_h is not None:
                d.schema(media_b[media], schema_h, Direction.REQUEST, name, f"request {media}")

    resp_b, resp_h = _responses(base, pair.b), _responses(head, pair.h)
    d.emit(cat.for_scope(Scope.RESPONSES), ResponsesPair(resp_b, resp_h), name)
    for status, rh in resp_h.items():
        rb = resp_b.get(status)
        if not isinstance(rb, dict) or not isinstance(rh, dict):
            continue
        headers_b, headers_h = _headers(base, rb), _headers(head, rh)
        d.emit(cat.for_scope(Scope.RESPONSE), ResponsePair(status, rb, rh, headers_b, headers_h), name)
        media_b, media_h = _media_schemas(BodyPair.content(rb)), _media_schemas(BodyPair.content(rh))
        for media, schema_h in media_h.items():
            if media_b.get(media) is not None and schema_h is not None:
                d.schema(media_b[media], schema_h, Direction.RESPONSE, name, f"response {status} {media}")
        for header, hh in headers_h.items():
            hb = headers_b.get(header)
            if hb is not None and hb.get("schema") is not None and hh.get("schema") is not None:
                d.schema(hb["schema"], hh["schema"], Direction.RESPONSE, name, f"response {status} header:{header}")


def diff_documents(base: Document, head: Document, catalogue: Catalogue = CATALOGUE) -> ContractDiff:
    """Every change between two documents, as `Change`s with the catalogue's levels in force."""
    t0 = time.perf_counter()
    d = _Differ(base, head, catalogue)
    d.emit(catalogue.for_scope(Scope.DOCUMENT), DocumentPair(base.root, head.root), None)
    ops_b, ops_h = _operations(base), _operations(head)
    paths_b = {norm for norm, _ in ops_b} | {_norm(str(p)) for p in base.root.get("paths") or ()}
    paths_h = {norm for norm, _ in ops_h} | {_norm(str(p)) for p in head.root.get("paths") or ()}
    added, changed, removed = [], [], []
    for key in sorted(ops_b.keys() | ops_h.keys()):
        norm, method = key
        found_b, found_h = ops_b.get(key), ops_h.get(key)
        name = f"{method.upper()} {(found_h or found_b)[0]}"  # type: ignore[index]
        pair = OperationPair(
            name,
            method,
            found_b[0] if found_b else None,
            found_h[0] if found_h else None,
            found_b[2] if found_b else None,
            found_h[2] if found_h else None,
            norm in paths_b,
            norm in paths_h,
        )
        before = len(d.changes)
        d.emit(catalogue.for_scope(Scope.OPERATION_SET), pair, name)
        if found_b is None:
            added.append(name)
        elif found_h is None:
            removed.append(name)
        else:
            _diff_operation(d, pair, found_b[1], found_h[1])
            if len(d.changes) > before:
                changed.append(name)
    return ContractDiff(
        changes=d.changes,
        operations_base=operation_names(base),
        operations_head=operation_names(head),
        added=added,
        changed=changed,
        removed=removed,
        checks_run=list(catalogue),
        diff_s=time.perf_counter() - t0,
    )


def _as_document(doc: Document | dict[str, Any]) -> Document:
    if isinstance(doc, Document):
        return doc
    return Document(file="openapi", root=doc, files={"openapi": doc})


def changed_operations(
    base_doc: Document | dict[str, Any] | None, head_doc: Document | dict[str, Any]
) -> tuple[list[str], list[str], list[str]]:
    """(added, changed, removed) operations as ["GET /users/{id}", ...]; with no base document,
    every head operation is added. A changed operation has at least one change of any level."""
    head = _as_document(head_doc)
    if base_doc is None:
        return operation_names(head), [], []
    result = diff_documents(_as_document(base_doc), head)
    return result.added, result.changed, result.removed
