"""Checks on the document (servers, security schemes), paths, operations and security requirements."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tasks.contract_check.model import CheckList, Hit, Level, Scope
from tasks.contract_check.pairs import DocumentPair, OperationPair, SecurityPair

__all__ = ["CHECKS"]

CHECKS = CheckList()
check = CHECKS.register
ERR, WARN, INFO = Level.ERR, Level.WARN, Level.INFO


def _names(values: Any) -> str:
    return ", ".join(sorted(str(v) for v in values))


# -- document -------------------------------------------------------------------------------------


@check(INFO, Scope.DOCUMENT, "The document's OpenAPI version changed (e.g. 3.0.3 -> 3.1.0).")
def openapi_version_changed(p: DocumentPair) -> Iterator[Hit]:
    if str(p.b.get("openapi")) != str(p.h.get("openapi")):
        yield Hit(f"OpenAPI version {p.b.get('openapi')} -> {p.h.get('openapi')}", where="openapi")


def _servers(doc: dict[str, Any]) -> list[str]:
    return [str(s.get("url")) for s in doc.get("servers") or () if isinstance(s, dict)]


@check(WARN, Scope.DOCUMENT, "A server URL was removed: clients configured with it lose their endpoint.")
def server_removed(p: DocumentPair) -> Iterator[Hit]:
    head = _servers(p.h)
    for url in _servers(p.b):
        if url not in head:
            yield Hit(f"server {url} removed", where="servers")


@check(INFO, Scope.DOCUMENT, "A server URL was added.")
def server_added(p: DocumentPair) -> Iterator[Hit]:
    base = _servers(p.b)
    for url in _servers(p.h):
        if url not in base:
            yield Hit(f"server {url} added", where="servers")


def _schemes(doc: dict[str, Any]) -> dict[str, Any]:
    return dict((doc.get("components") or {}).get("securitySchemes") or {})


@check(WARN, Scope.DOCUMENT, "A security scheme was removed from components.securitySchemes.")
def security_scheme_removed(p: DocumentPair) -> Iterator[Hit]:
    head = _schemes(p.h)
    for name in _schemes(p.b):
        if name not in head:
            yield Hit(f"security scheme {name!r} removed", where=f"securitySchemes.{name}")


@check(INFO, Scope.DOCUMENT, "A security scheme was added to components.securitySchemes.")
def security_scheme_added(p: DocumentPair) -> Iterator[Hit]:
    base = _schemes(p.b)
    for name in _schemes(p.h):
        if name not in base:
            yield Hit(f"security scheme {name!r} added", where=f"securitySchemes.{name}")


_SCHEME_KEYS = ("type", "in", "name", "scheme", "openIdConnectUrl", "flows")


@check(ERR, Scope.DOCUMENT, "A security scheme changed how credentials are sent (type, in, name, scheme, flows).")
def security_scheme_changed(p: DocumentPair) -> Iterator[Hit]:
    base, head = _schemes(p.b), _schemes(p.h)
    for name in base.keys() & head.keys():
        b, h = base[name] or {}, head[name] or {}
        changed = [k for k in _SCHEME_KEYS if k != "flows" and b.get(k) != h.get(k)]
        flows_b, flows_h = b.get("flows") or {}, h.get("flows") or {}
        for flow in flows_b:
            fb, fh = flows_b[flow] or {}, flows_h.get(flow)
            if fh is None or any(fb.get(k) != fh.get(k) for k in ("authorizationUrl", "tokenUrl")):
                changed.append(f"flows.{flow}")
        if changed:
            what = ", ".join(sorted(changed))
            yield Hit(f"security scheme {name!r} changed: {what}", where=f"securitySchemes.{name}")


# -- paths and operations -------------------------------------------------------------------------


@check(ERR, Scope.OPERATION_SET, "A path was removed with all its operations.")
def path_removed(p: OperationPair) -> Iterator[Hit]:
    if p.h is None and not p.path_in_h:
        yield Hit(f"path {p.path_b} removed")


@check(ERR, Scope.OPERATION_SET, "An operation was removed from a path that still exists.")
def operation_removed(p: OperationPair) -> Iterator[Hit]:
    if p.h is None and p.path_in_h:
        yield Hit("operation removed")


@check(INFO, Scope.OPERATION_SET, "A new path was added.")
def path_added(p: OperationPair) -> Iterator[Hit]:
    if p.b is None and not p.path_in_b:
        yield Hit(f"path {p.path_h} added")


@check(INFO, Scope.OPERATION_SET, "A new operation was added to an existing path.")
def operation_added(p: OperationPair) -> Iterator[Hit]:
    if p.b is None and p.path_in_b:
        yield Hit("operation added")


@check(WARN, Scope.OPERATION, "The operationId changed: generated clients rename their method.")
def operation_id_changed(p: OperationPair) -> Iterator[Hit]:
    assert p.b is not None and p.h is not None
    old, new = p.b.get("operationId"), p.h.get("operationId")
    if old and old != new:
        yield Hit(f"operationId {old!r} -> {new!r}" if new else f"operationId {old!r} removed")


@check(INFO, Scope.OPERATION, "The operation was marked deprecated.")
def operation_deprecated(p: OperationPair) -> Iterator[Hit]:
    assert p.b is not None and p.h is not None
    if p.h.get("deprecated") is True and p.b.get("deprecated") is not True:
        yield Hit("operation deprecated")


@check(INFO, Scope.OPERATION, "The operation is no longer deprecated.")
def operation_reactivated(p: OperationPair) -> Iterator[Hit]:
    assert p.b is not None and p.h is not None
    if p.b.get("deprecated") is True and p.h.get("deprecated") is not True:
        yield Hit("operation no longer deprecated")


@check(INFO, Scope.OPERATION, "A path template variable was renamed (/users/{id} -> /users/{userId}).")
def path_parameter_renamed(p: OperationPair) -> Iterator[Hit]:
    if p.path_b != p.path_h:
        yield Hit(f"path template {p.path_b} -> {p.path_h}")


# -- security -------------------------------------------------------------------------------------


def _superseded(p: SecurityPair) -> list[tuple[frozenset[str], frozenset[str]]]:
    """(base alternative, head alternative that requires more): an alternative was tightened."""
    base, head = SecurityPair.alternatives(p.b), SecurityPair.alternatives(p.h)
    pairs = []
    for old in base:
        if old and old not in head:
            bigger = [new for new in head if new > old and new not in base]
            if bigger:
                pairs.append((old, min(bigger, key=len)))
    return pairs


@check(ERR, Scope.SECURITY, "Authentication became required, or an accepted way to authenticate needs one more scheme.")
def security_requirement_added(p: SecurityPair) -> Iterator[Hit]:
    if SecurityPair.open(p.b) and not SecurityPair.open(p.h):
        yield Hit(f"authentication now required: {' or '.join(_names(a) for a in map(frozenset, p.h))}", "security")
    for old, new in _superseded(p):
        yield Hit(f"requirement {{{_names(old)}}} now also needs {_names(new - old)}", "security")


@check(ERR, Scope.SECURITY, "A way to authenticate (a security requirement alternative) was removed.")
def security_alternative_removed(p: SecurityPair) -> Iterator[Hit]:
    head = SecurityPair.alternatives(p.h)
    tightened = {old for old, _ in _superseded(p)}
    if SecurityPair.open(p.b) or SecurityPair.open(p.h):
        return
    for old in SecurityPair.alternatives(p.b):
        if old and old not in head and old not in tightened:
            yield Hit(f"requirement {{{_names(old)}}} no longer accepted", "security")


@check(INFO, Scope.SECURITY, "A new way to authenticate was added.")
def security_alternative_added(p: SecurityPair) -> Iterator[Hit]:
    base = SecurityPair.alternatives(p.b)
    tightened = {new for _, new in _superseded(p)}
    if SecurityPair.open(p.b):
        return
    for new in SecurityPair.alternatives(p.h):
        if new and new not in base and new not in tightened:
            yield Hit(f"requirement {{{_names(new)}}} added", "security")


@check(INFO, Scope.SECURITY, "The operation no longer requires authentication.")
def security_removed(p: SecurityPair) -> Iterator[Hit]:
    if not SecurityPair.open(p.b) and SecurityPair.open(p.h):
        yield Hit("authentication no longer required", "security")


def _scope_changes(p: SecurityPair) -> Iterator[tuple[str, set[str], set[str]]]:
    base, head = SecurityPair.alternatives(p.b), SecurityPair.alternatives(p.h)
    for alt in base.keys() & head.keys():
        for scheme in sorted(alt):
            old, new = set(base[alt].get(scheme) or ()), set(head[alt].get(scheme) or ())
            yield scheme, new - old, old - new


@check(ERR, Scope.SECURITY, "A security scope (or role) was added to a requirement: old tokens lack it.")
def security_scope_added(p: SecurityPair) -> Iterator[Hit]:
    for scheme, added, _ in _scope_changes(p):
        if added:
            yield Hit(f"{scheme} now requires scope(s) {_names(added)}", "security")


@check(INFO, Scope.SECURITY, "A security scope was removed from a requirement.")
def security_scope_removed(p: SecurityPair) -> Iterator[Hit]:
    for scheme, _, removed in _scope_changes(p):
        if removed:
            yield Hit(f"{scheme} no longer requires scope(s) {_names(removed)}", "security")
