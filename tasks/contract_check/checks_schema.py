"""Checks on one schema node: type, format, enum, nullability, default, readOnly/writeOnly,
deprecation, anyOf/oneOf variants, allOf members and the discriminator.

Direction matters: a request schema describes what clients send (the server may only accept
more), a response schema what clients receive (the server may only send less).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tasks.contract_check.model import CheckList, Direction, Hit, Level, Scope
from tasks.contract_check.schema_pair import SchemaPair, Variants

__all__ = ["CHECKS"]

CHECKS = CheckList()
ERR, WARN, INFO = Level.ERR, Level.WARN, Level.INFO
REQ, RESP = Direction.REQUEST, Direction.RESPONSE


def check(level: Level, description: str, direction: Direction | None = None, *, on_wrap: bool = False):  # type: ignore[no-untyped-def]
    return CHECKS.register(level, Scope.SCHEMA, description, direction=direction, on_wrap=on_wrap)


def _types(types: frozenset[str] | None) -> str:
    return "|".join(sorted(types or ())) or "any"


def _values(values: list[Any]) -> str:
    return ", ".join(json.dumps(v, default=str) for v in values)


# -- type and format ------------------------------------------------------------------------------


@check(ERR, "A request field's type changed so that values clients send may be rejected.", REQ)
def request_type_changed(p: SchemaPair) -> Iterator[Hit]:
    if p.typed and not p.covers(p.types_h, p.types_b):
        yield Hit(f"type {_types(p.types_b)} -> {_types(p.types_h)}")


@check(INFO, "A request field accepts more types (e.g. integer -> number).", REQ)
def request_type_widened(p: SchemaPair) -> Iterator[Hit]:
    if p.typed and p.types_b != p.types_h and p.covers(p.types_h, p.types_b):
        yield Hit(f"type widened {_types(p.types_b)} -> {_types(p.types_h)}")


@check(ERR, "A response field's type changed so that clients may receive values they cannot read.", RESP)
def response_type_changed(p: SchemaPair) -> Iterator[Hit]:
    if p.typed and not p.covers(p.types_b, p.types_h):
        yield Hit(f"type {_types(p.types_b)} -> {_types(p.types_h)}")


@check(INFO, "A response field returns fewer types (e.g. number -> integer).", RESP)
def response_type_narrowed(p: SchemaPair) -> Iterator[Hit]:
    if p.typed and p.types_b != p.types_h and p.covers(p.types_b, p.types_h):
        yield Hit(f"type narrowed {_types(p.types_b)} -> {_types(p.types_h)}")


@check(ERR, "A request field's format was added or changed (values valid before may be rejected).", REQ)
def request_format_changed(p: SchemaPair) -> Iterator[Hit]:
    fb, fh = p.formats
    if not SchemaPair.wider_format(fh, fb):
        yield Hit(f"format {fb or 'none'} -> {fh}")


@check(INFO, "A request field's format was removed or widened (int32 -> int64, float -> double).", REQ)
def request_format_widened(p: SchemaPair) -> Iterator[Hit]:
    fb, fh = p.formats
    if fb is not None and fb != fh and SchemaPair.wider_format(fh, fb):
        yield Hit(f"format {fb} -> {fh or 'none'}")


@check(ERR, "A response field's format was removed or changed (clients parse it as before).", RESP)
def response_format_changed(p: SchemaPair) -> Iterator[Hit]:
    fb, fh = p.formats
    if fb is not None and not SchemaPair.wider_format(fb, fh):
        yield Hit(f"format {fb} -> {fh or 'none'}")


@check(INFO, "A response field's format was added or narrowed (int64 -> int32).", RESP)
def response_format_narrowed(p: SchemaPair) -> Iterator[Hit]:
    fb, fh = p.formats
    if fh is not None and fb != fh and SchemaPair.wider_format(fb, fh):
        yield Hit(f"format {fb or 'none'} -> {fh}")


# -- enum -----------------------------------------------------------------------------------------


@check(ERR, "A request enum value was removed: clients sending it are rejected.", REQ)
def request_enum_value_removed(p: SchemaPair) -> Iterator[Hit]:
    removed, _ = p.enum_diff()
    if removed:
        yield Hit(f"enum value(s) {_values(removed)} removed")


@check(INFO, "A request enum value was added.", REQ)
def request_enum_value_added(p: SchemaPair) -> Iterator[Hit]:
    _, added = p.enum_diff()
    if added:
        yield Hit(f"enum value(s) {_values(added)} added")


@check(ERR, "A request field is newly restricted to an enum.", REQ)
def request_enum_added(p: SchemaPair) -> Iterator[Hit]:
    eb, eh = p.enums
    if eb is None and eh is not None:
        yield Hit(f"restricted to enum {_values(list(eh.values()))}")


@check(ERR, "A response enum value was added: clients may not know it.", RESP)
def response_enum_value_added(p: SchemaPair) -> Iterator[Hit]:
    _, added = p.enum_diff()
    if added:
        yield Hit(f"enum value(s) {_values(added)} added")


@check(INFO, "A response enum value was removed (never sent any more).", RESP)
def response_enum_value_removed(p: SchemaPair) -> Iterator[Hit]:
    removed, _ = p.enum_diff()
    if removed:
        yield Hit(f"enum value(s) {_values(removed)} removed")


@check(WARN, "A response field's enum was removed: any value may now be returned.", RESP)
def response_enum_removed(p: SchemaPair) -> Iterator[Hit]:
    eb, eh = p.enums
    if eb is not None and eh is None and not p.retyped and "enum" not in p.h:
        yield Hit(f"enum {_values(list(eb.values()))} removed")


# -- nullability ----------------------------------------------------------------------------------


@check(ERR, "A response field may now be null (nullable: true, or 'null' added to its type).", RESP, on_wrap=True)
def response_property_made_nullable(p: SchemaPair) -> Iterator[Hit]:
    if p.nullable == (False, True):
        yield Hit("may now be null")


@check(INFO, "A response field is no longer null.", RESP, on_wrap=True)
def response_property_made_non_nullable(p: SchemaPair) -> Iterator[Hit]:
    if p.nullable == (True, False):
        yield Hit("no longer null")


@check(ERR, "A request field no longer accepts null.", REQ, on_wrap=True)
def request_property_made_non_nullable(p: SchemaPair) -> Iterator[Hit]:
    if p.nullable == (True, False):
        yield Hit("null no longer accepted")


@check(INFO, "A request field now accepts null.", REQ, on_wrap=True)
def request_property_made_nullable(p: SchemaPair) -> Iterator[Hit]:
    if p.nullable == (False, True):
        yield Hit("null now accepted")


# -- default, readOnly / writeOnly, deprecated ----------------------------------------------------


def _default(node: dict[str, Any]) -> str | None:
    return json.dumps(node["default"], sort_keys=True, default=str) if "default" in node else None


@check(ERR, "A request field's default value changed: clients omitting it get another behaviour.", REQ)
def request_default_changed(p: SchemaPair) -> Iterator[Hit]:
    db, dh = _default(p.b), _default(p.h)
    if db is not None and dh is not None and db != dh:
        yield Hit(f"default {db} -> {dh}")


@check(WARN, "A request field's default value was removed.", REQ)
def request_default_removed(p: SchemaPair) -> Iterator[Hit]:
    db, dh = _default(p.b), _default(p.h)
    if db is not None and dh is None:
        yield Hit(f"default {db} removed")


@check(INFO, "A request field got a default value.", REQ)
def request_default_added(p: SchemaPair) -> Iterator[Hit]:
    db, dh = _default(p.b), _default(p.h)
    if db is None and dh is not None:
        yield Hit(f"default {dh} added")


@check(INFO, "A response field's documented default changed.", RESP)
def response_default_changed(p: SchemaPair) -> Iterator[Hit]:
    db, dh = _default(p.b), _default(p.h)
    if db != dh:
        yield Hit(f"default {db or 'none'} -> {dh or 'none'}")


@check(ERR, "A request field became readOnly: clients may no longer send it.", REQ)
def request_property_made_read_only(p: SchemaPair) -> Iterator[Hit]:
    if p.h.get("readOnly") is True and p.b.get("readOnly") is not True:
        yield Hit("made readOnly")


@check(ERR, "A response field became writeOnly: it is no longer returned.", RESP)
def response_property_made_write_only(p: SchemaPair) -> Iterator[Hit]:
    if p.h.get("writeOnly") is True and p.b.get("writeOnly") is not True:
        yield Hit("made writeOnly")


@check(INFO, "A field (schema) was marked deprecated.")
def property_deprecated(p: SchemaPair) -> Iterator[Hit]:
    if p.h.get("deprecated") is True and p.b.get("deprecated") is not True:
        yield Hit("deprecated")


# -- anyOf / oneOf / allOf ------------------------------------------------------------------------


def _variants(found: Variants | None, side: str) -> Iterator[tuple[str, str]]:
    if found is not None:
        for item in found.removed if side == "removed" else found.added:
            yield found.keyword, Variants.describe(item)


@check(ERR, "A request anyOf/oneOf variant was removed: clients sending that shape are rejected.", REQ, on_wrap=True)
def request_variant_removed(p: SchemaPair) -> Iterator[Hit]:
    for keyword, name in _variants(p.union, "removed"):
        yield Hit(f"{keyword} variant {name} removed")


@check(INFO, "A request anyOf/oneOf variant was added.", REQ, on_wrap=True)
def request_variant_added(p: SchemaPair) -> Iterator[Hit]:
    for keyword, name in _variants(p.union, "added"):
        yield Hit(f"{keyword} variant {name} added")


@check(WARN, "A response anyOf/oneOf variant was added: clients may get a shape they do not know.", RESP, on_wrap=True)
def response_variant_added(p: SchemaPair) -> Iterator[Hit]:
    for keyword, name in _variants(p.union, "added"):
        yield Hit(f"{keyword} variant {name} added")


@check(INFO, "A response anyOf/oneOf variant was removed.", RESP, on_wrap=True)
def response_variant_removed(p: SchemaPair) -> Iterator[Hit]:
    for keyword, name in _variants(p.union, "removed"):
        yield Hit(f"{keyword} variant {name} removed")


@check(WARN, "A request allOf member was added: requests must satisfy one more schema.", REQ, on_wrap=True)
def request_all_of_member_added(p: SchemaPair) -> Iterator[Hit]:
    for _, name in _variants(p.all_of, "added"):
        yield Hit(f"allOf member {name} added")


@check(INFO, "A request allOf member was removed.", REQ, on_wrap=True)
def request_all_of_member_removed(p: SchemaPair) -> Iterator[Hit]:
    for _, name in _variants(p.all_of, "removed"):
        yield Hit(f"allOf member {name} removed")


@check(WARN, "A response allOf member was removed: what it guaranteed is no longer promised.", RESP, on_wrap=True)
def response_all_of_member_removed(p: SchemaPair) -> Iterator[Hit]:
    for _, name in _variants(p.all_of, "removed"):
        yield Hit(f"allOf member {name} removed")


@check(INFO, "A response allOf member was added.", RESP, on_wrap=True)
def response_all_of_member_added(p: SchemaPair) -> Iterator[Hit]:
    for _, name in _variants(p.all_of, "added"):
        yield Hit(f"allOf member {name} added")


# -- discriminator --------------------------------------------------------------------------------


def _discriminators(p: SchemaPair) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    db, dh = p.b.get("discriminator"), p.h.get("discriminator")
    return (db if isinstance(db, dict) else None), (dh if isinstance(dh, dict) else None)


@check(ERR, "The discriminator property name changed.")
def discriminator_property_changed(p: SchemaPair) -> Iterator[Hit]:
    db, dh = _discriminators(p)
    if db and dh and db.get("propertyName") != dh.get("propertyName"):
        yield Hit(f"discriminator {db.get('propertyName')!r} -> {dh.get('propertyName')!r}")


@check(ERR, "A discriminator mapping entry was removed or points elsewhere.")
def discriminator_mapping_changed(p: SchemaPair) -> Iterator[Hit]:
    db, dh = _discriminators(p)
    if db and dh:
        mb, mh = db.get("mapping") or {}, dh.get("mapping") or {}
        for value, target in mb.items():
            if value not in mh:
                yield Hit(f"discriminator value {value!r} no longer mapped")
            elif mh[value] != target:
                yield Hit(f"discriminator value {value!r} now maps to {mh[value]} (was {target})")


@check(WARN, "A discriminator was added.")
def discriminator_added(p: SchemaPair) -> Iterator[Hit]:
    db, dh = _discriminators(p)
    if db is None and dh is not None:
        yield Hit(f"discriminator {dh.get('propertyName')!r} added")


@check(WARN, "The discriminator was removed.")
def discriminator_removed(p: SchemaPair) -> Iterator[Hit]:
    db, dh = _discriminators(p)
    if db is not None and dh is None:
        yield Hit(f"discriminator {db.get('propertyName')!r} removed")
