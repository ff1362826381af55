"""Checks on validation keywords: lengths, ranges, patterns, item and property counts,
uniqueItems, multipleOf and additionalProperties.

Tightening a request constraint rejects requests that were valid (ERR); loosening a response
constraint lets the server send values clients were promised never to see (WARN). The opposite
moves are compatible and reported once per node as INFO (`request-constraint-relaxed`,
`response-constraint-tightened`).
"""

from __future__ import annotations

from collections.abc import Iterator

from tasks.contract_check.model import CheckList, Direction, Hit, Level, Scope
from tasks.contract_check.schema_pair import Bound, SchemaPair

__all__ = ["CHECKS"]

CHECKS = CheckList()
ERR, WARN, INFO = Level.ERR, Level.WARN, Level.INFO
REQ, RESP = Direction.REQUEST, Direction.RESPONSE

_UPPER = ("maxLength", "maximum", "maxItems", "maxProperties")
_LOWER = ("minLength", "minimum", "minItems", "minProperties")


def check(level: Level, description: str, direction: Direction):  # type: ignore[no-untyped-def]
    return CHECKS.register(level, Scope.SCHEMA, description, direction=direction)


def _fmt(bound: Bound | None, key: str) -> str:
    if bound is None:
        return "none"
    value = int(bound[0]) if bound[0].is_integer() else bound[0]
    return f"{value} (exclusive)" if bound[1] else str(value)


def _tightened(p: SchemaPair, key: str) -> Iterator[Hit]:
    b, h = p.limit(key)
    tighter = SchemaPair.tighter_upper if key in _UPPER else SchemaPair.tighter_lower
    if tighter(b, h):
        yield Hit(f"{key} {_fmt(b, key)} -> {_fmt(h, key)}")


def _loosened(p: SchemaPair, key: str) -> Iterator[Hit]:
    b, h = p.limit(key, implied=True)
    tighter = SchemaPair.tighter_upper if key in _UPPER else SchemaPair.tighter_lower
    if b is not None and tighter(h, b):
        yield Hit(f"{key} {_fmt(b, key)} -> {_fmt(h, key)}")
    elif b is not None and h is None:
        yield Hit(f"{key} {_fmt(b, key)} removed")


# -- requests: tightening breaks clients ----------------------------------------------------------


@check(ERR, "A request string's maxLength was lowered (or added).", REQ)
def request_max_length_decreased(p: SchemaPair) -> Iterator[Hit]:
    yield from _tightened(p, "maxLength")


@check(ERR, "A request string's minLength was raised (or added).", REQ)
def request_min_length_increased(p: SchemaPair) -> Iterator[Hit]:
    yield from _tightened(p, "minLength")


@check(ERR, "A request number's maximum was lowered, added, or made exclusive.", REQ)
def request_maximum_decreased(p: SchemaPair) -> Iterator[Hit]:
    yield from _tightened(p, "maximum")


@check(ERR, "A request number's minimum was raised, added, or made exclusive.", REQ)
def request_minimum_increased(p: SchemaPair) -> Iterator[Hit]:
    yield from _tightened(p, "minimum")


@check(ERR, "A request array's maxItems was lowered (or added).", REQ)
def request_max_items_decreased(p: SchemaPair) -> Iterator[Hit]:
    yield from _tightened(p, "maxItems")


@check(ERR, "A request array's minItems was raised (or added).", REQ)
def request_min_items_increased(p: SchemaPair) -> Iterator[Hit]:
    yield from _tightened(p, "minItems")


@check(ERR, "A request object's maxProperties was lowered (or added).", REQ)
def request_max_properties_decreased(p: SchemaPair) -> Iterator[Hit]:
    yield from _tightened(p, "maxProperties")


@check(ERR, "A request object's minProperties was raised (or added).", REQ)
def request_min_properties_increased(p: SchemaPair) -> Iterator[Hit]:
    yield from _tightened(p, "minProperties")


@check(ERR, "A pattern was added to a request string.", REQ)
def request_pattern_added(p: SchemaPair) -> Iterator[Hit]:
    if "pattern" not in p.b and "pattern" in p.h and not p.retyped:
        yield Hit(f"pattern {p.h['pattern']!r} added")


@check(ERR, "A request string's pattern changed.", REQ)
def request_pattern_changed(p: SchemaPair) -> Iterator[Hit]:
    if "pattern" in p.b and "pattern" in p.h and p.b["pattern"] != p.h["pattern"] and not p.retyped:
        yield Hit(f"pattern {p.b['pattern']!r} -> {p.h['pattern']!r}")


@check(ERR, "A request array now requires unique items.", REQ)
def request_unique_items_enabled(p: SchemaPair) -> Iterator[Hit]:
    if p.h.get("uniqueItems") is True and p.b.get("uniqueItems") is not True and not p.retyped:
        yield Hit("uniqueItems enabled")


@check(ERR, "A request number's multipleOf changed so that fewer values are accepted.", REQ)
def request_multiple_of_changed(p: SchemaPair) -> Iterator[Hit]:
    if p.multiple_of_tighter():
        yield Hit(f"multipleOf {p.b.get('multipleOf', 'none')} -> {p.h.get('multipleOf')}")


@check(ERR, "A request object no longer accepts additional properties (additionalProperties: false).", REQ)
def request_additional_properties_disallowed(p: SchemaPair) -> Iterator[Hit]:
    if p.object_like and not SchemaPair.closed(p.b) and SchemaPair.closed(p.h):
        yield Hit("additionalProperties turned off")


@check(INFO, "Request constraints were relaxed (limits raised or removed, pattern/enum removed...).", REQ)
def request_constraint_relaxed(p: SchemaPair) -> Iterator[Hit]:
    relaxed = [hit.text for key in (*_UPPER, *_LOWER) for hit in _loosened(p, key)]
    if "pattern" in p.b and "pattern" not in p.h and not p.retyped:
        relaxed.append("pattern removed")
    if p.b.get("uniqueItems") is True and p.h.get("uniqueItems") is not True and not p.retyped:
        relaxed.append("uniqueItems disabled")
    if p.multiple_of_looser():
        relaxed.append(f"multipleOf {p.b.get('multipleOf')} -> {p.h.get('multipleOf', 'none')}")
    if p.object_like and SchemaPair.closed(p.b) and not SchemaPair.closed(p.h):
        relaxed.append("additionalProperties allowed")
    eb, eh = p.enums
    if eb is not None and eh is None and "enum" not in p.h and not p.retyped:
        relaxed.append("enum removed")
    if relaxed:
        yield Hit("relaxed: " + "; ".join(relaxed))


# -- responses: loosening lets the server send what clients never saw -----------------------------


@check(WARN, "A response string's maxLength was raised or removed.", RESP)
def response_max_length_increased(p: SchemaPair) -> Iterator[Hit]:
    yield from _loosened(p, "maxLength")


@check(WARN, "A response string's minLength was lowered or removed.", RESP)
def response_min_length_decreased(p: SchemaPair) -> Iterator[Hit]:
    yield from _loosened(p, "minLength")


@check(WARN, "A response number's maximum was raised or removed.", RESP)
def response_maximum_increased(p: SchemaPair) -> Iterator[Hit]:
    yield from _loosened(p, "maximum")


@check(WARN, "A response number's minimum was lowered or removed.", RESP)
def response_minimum_decreased(p: SchemaPair) -> Iterator[Hit]:
    yield from _loosened(p, "minimum")


@check(WARN, "A response array's maxItems was raised or removed.", RESP)
def response_max_items_increased(p: SchemaPair) -> Iterator[Hit]:
    yield from _loosened(p, "maxItems")


@check(WARN, "A response array's minItems was lowered or removed.", RESP)
def response_min_items_decreased(p: SchemaPair) -> Iterator[Hit]:
    yield from _loosened(p, "minItems")


@check(WARN, "A response string's pattern changed or was removed.", RESP)
def response_pattern_changed(p: SchemaPair) -> Iterator[Hit]:
    if "pattern" in p.b and p.b["pattern"] != p.h.get("pattern") and not p.retyped:
        yield Hit(f"pattern {p.b['pattern']!r} -> {p.h['pattern']!r}" if "pattern" in p.h else "pattern removed")


@check(WARN, "A response object may now carry undeclared properties (additionalProperties no longer false).", RESP)
def response_additional_properties_allowed(p: SchemaPair) -> Iterator[Hit]:
    if p.object_like and SchemaPair.closed(p.b) and not SchemaPair.closed(p.h):
        yield Hit("additionalProperties allowed")


@check(WARN, "Other response constraints were relaxed (maxProperties, minProperties, uniqueItems, multipleOf).", RESP)
def response_constraint_relaxed(p: SchemaPair) -> Iterator[Hit]:
    relaxed = [hit.text for key in ("maxProperties", "minProperties") for hit in _loosened(p, key)]
    if p.b.get("uniqueItems") is True and p.h.get("uniqueItems") is not True and not p.retyped:
        relaxed.append("uniqueItems disabled")
    if p.multiple_of_looser():
        relaxed.append(f"multipleOf {p.b.get('multipleOf')} -> {p.h.get('multipleOf', 'none')}")
    if relaxed:
        yield Hit("relaxed: " + "; ".join(relaxed))


@check(INFO, "Response constraints were tightened (the server promises more).", RESP)
def response_constraint_tightened(p: SchemaPair) -> Iterator[Hit]:
    tightened = [hit.text for key in (*_UPPER, *_LOWER) for hit in _tightened(p, key)]
    if "pattern" not in p.b and "pattern" in p.h and not p.retyped:
        tightened.append("pattern added")
    if p.h.get("uniqueItems") is True and p.b.get("uniqueItems") is not True and not p.retyped:
        tightened.append("uniqueItems enabled")
    if p.multiple_of_tighter():
        tightened.append(f"multipleOf {p.b.get('multipleOf', 'none')} -> {p.h.get('multipleOf')}")
    if p.object_like and not SchemaPair.closed(p.b) and SchemaPair.closed(p.h):
        tightened.append("additionalProperties turned off")
    eb, eh = p.enums
    if eb is None and eh is not None:
        tightened.append("restricted to an enum")
    if tightened:
        yield Hit("tightened: " + "; ".join(tightened))
