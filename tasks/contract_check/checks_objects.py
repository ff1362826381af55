"""Checks on object properties: removed, renamed, added, required or optional.

`required` is read per direction: a readOnly property is not required in a request, a writeOnly
one not in a response. A property removed while one of the same type (or the same `$ref`) was
added in the same object is reported once, as a rename hint.
"""

from __future__ import annotations

from collections.abc import Iterator

from tasks.contract_check.model import CheckList, Direction, Hit, Level, Scope
from tasks.contract_check.schema_pair import SchemaPair, prop_token

__all__ = ["CHECKS"]

CHECKS = CheckList()
ERR, WARN, INFO = Level.ERR, Level.WARN, Level.INFO
REQ, RESP = Direction.REQUEST, Direction.RESPONSE


def check(level: Level, description: str, direction: Direction):  # type: ignore[no-untyped-def]
    return CHECKS.register(level, Scope.SCHEMA, description, direction=direction)


# -- responses ------------------------------------------------------------------------------------


@check(ERR, "A response property was removed: clients reading it break.", RESP)
def response_property_removed(p: SchemaPair) -> Iterator[Hit]:
    for name in p.removed_props:
        yield Hit(f"property {name!r} removed", path=(prop_token(name),))


@check(ERR, "A response property was removed and one of the same type added in its object: renamed.", RESP)
def response_property_renamed(p: SchemaPair) -> Iterator[Hit]:
    for old, new in p.renamed:
        yield Hit(f"property {old!r} removed and {new!r} of the same type added: renamed?", path=(prop_token(old),))


@check(ERR, "A required response property became optional: clients relying on it may not get it.", RESP)
def response_property_made_optional(p: SchemaPair) -> Iterator[Hit]:
    req_b, req_h = p.required
    for name in p.common_props:
        if name in req_b and name not in req_h:
            yield Hit(f"property {name!r} made optional", path=(prop_token(name),))


@check(INFO, "An optional response property became required (always returned).", RESP)
def response_property_made_required(p: SchemaPair) -> Iterator[Hit]:
    req_b, req_h = p.required
    for name in p.common_props:
        if name in req_h and name not in req_b:
            yield Hit(f"property {name!r} made required", path=(prop_token(name),))


@check(INFO, "A response property was added.", RESP)
def response_property_added(p: SchemaPair) -> Iterator[Hit]:
    _, req_h = p.required
    for name in p.added_props:
        kind = "required" if name in req_h else "optional"
        yield Hit(f"{kind} property {name!r} added", path=(prop_token(name),))


# -- requests -------------------------------------------------------------------------------------


@check(WARN, "A request property was removed (clients still send it; the object stays open).", REQ)
def request_property_removed(p: SchemaPair) -> Iterator[Hit]:
    if not SchemaPair.closed(p.h):
        for name in p.removed_props:
            yield Hit(f"property {name!r} removed", path=(prop_token(name),))


@check(ERR, "A request property was removed from a closed object (additionalProperties: false): sending it fails.", REQ)
def request_property_rejected(p: SchemaPair) -> Iterator[Hit]:
    if SchemaPair.closed(p.h):
        for name in p.removed_props:
            yield Hit(f"property {name!r} removed and no longer accepted", path=(prop_token(name),))


@check(ERR, "A request property was removed and one of the same type added in its object: renamed.", REQ)
def request_property_renamed(p: SchemaPair) -> Iterator[Hit]:
    for old, new in p.renamed:
        yield Hit(f"property {old!r} removed and {new!r} of the same type added: renamed?", path=(prop_token(old),))


@check(ERR, "A new required request property: existing requests do not send it.", REQ)
def request_required_property_added(p: SchemaPair) -> Iterator[Hit]:
    _, req_h = p.required
    for name in p.added_props:
        if name in req_h:
            yield Hit(f"required property {name!r} added", path=(prop_token(name),))


@check(INFO, "A new optional request property.", REQ)
def request_optional_property_added(p: SchemaPair) -> Iterator[Hit]:
    _, req_h = p.required
    for name in p.added_props:
        if name not in req_h:
            yield Hit(f"optional property {name!r} added", path=(prop_token(name),))


@check(ERR, "An optional request property became required.", REQ)
def request_property_made_required(p: SchemaPair) -> Iterator[Hit]:
    req_b, req_h = p.required
    for name in p.common_props:
        if name in req_h and name not in req_b:
            yield Hit(f"property {name!r} made required", path=(prop_token(name),))


@check(INFO, "A required request property became optional.", REQ)
def request_property_made_optional(p: SchemaPair) -> Iterator[Hit]:
    req_b, req_h = p.required
    for name in p.common_props:
        if name in req_b and name not in req_h:
            yield Hit(f"property {name!r} made optional", path=(prop_token(name),))
