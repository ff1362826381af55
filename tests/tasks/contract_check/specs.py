"""Compact builders of small OpenAPI documents (plain dicts) for the contract-check tests.

request(schema)        POST /things whose JSON request body has `schema`
response(schema)       GET /things whose 200 JSON response has `schema`
params(*parameters)    GET /things with these parameters
operation(**fields)    GET /things with these operation fields (security, deprecated...)
document(**fields)     GET /things in a document with these top-level fields
paths({path: {method: op}})
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "document",
    "obj",
    "operation",
    "param",
    "params",
    "paths",
    "request",
    "response",
    "responses",
    "string",
]

OK = {"200": {"description": "ok"}}


def document(paths_: dict[str, Any] | None = None, *, version: str = "3.0.3", **fields: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "openapi": version,
        "info": {"title": "things", "version": "1.0.0"},
        "paths": paths_ if paths_ is not None else {"/things": {"get": {"responses": dict(OK)}}},
    }
    doc.update(fields)
    return doc


def paths(spec: dict[str, dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return document(
        {p: {m: {"responses": dict(OK), **op} for m, op in ops.items()} for p, ops in spec.items()}, **fields
    )


def operation(**fields: Any) -> dict[str, Any]:
    """GET /things with these operation fields; `doc` (a dict) adds top-level fields."""
    doc_fields = fields.pop("doc", {})
    return document({"/things": {"get": {"responses": dict(OK), **fields}}}, **doc_fields)


def param(name: str, where: str = "query", *, required: bool = False, **fields: Any) -> dict[str, Any]:
    fields.setdefault("schema", {"type": "integer"})
    return {"name": name, "in": where, **({"required": True} if required else {}), **fields}


def params(*parameters: dict[str, Any], path: str = "/things") -> dict[str, Any]:
    return document({path: {"get": {"parameters": list(parameters), "responses": dict(OK)}}})


def request(schema: Any = None, *, body: dict[str, Any] | None = None, version: str = "3.0.3") -> dict[str, Any]:
    """POST /things; `schema` goes in a required application/json body, or pass the whole `body`."""
    op: dict[str, Any] = {"responses": {"201": {"description": "created"}}}
    if body is not None:
        op["requestBody"] = body
    elif schema is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema}}}
    return document({"/things": {"post": op}}, version=version)


def responses(spec: dict[str, Any], version: str = "3.0.3") -> dict[str, Any]:
    """GET /things with these responses (status -> response object)."""
    return document({"/things": {"get": {"responses": spec}}}, version=version)


def response(schema: Any, *, version: str = "3.0.3", components: dict[str, Any] | None = None) -> dict[str, Any]:
    doc = responses({"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}, version)
    if components:
        doc["components"] = {"schemas": components}
    return doc


def string(**fields: Any) -> dict[str, Any]:
    return {"type": "string", **fields}


def obj(props: dict[str, Any], required: tuple[str, ...] | list[str] = (), **fields: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props, **fields}
    if required:
        schema["required"] = list(required)
    return schema
