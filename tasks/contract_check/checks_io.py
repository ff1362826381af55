"""Checks on what goes in and out of an operation: parameters, request bodies, responses
(status codes, content types, headers). Their schemas are diffed by the schema checks."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tasks.contract_check.model import CheckList, Hit, Level, Scope
from tasks.contract_check.pairs import BodyPair, ParameterPair, ParametersPair, ResponsePair, ResponsesPair

__all__ = ["CHECKS"]

CHECKS = CheckList()
check = CHECKS.register
ERR, WARN, INFO = Level.ERR, Level.WARN, Level.INFO


# -- parameters -----------------------------------------------------------------------------------


@check(WARN, Scope.PARAMETERS, "A parameter was removed: clients still send it and it is ignored or rejected.")
def parameter_removed(p: ParametersPair) -> Iterator[Hit]:
    for key in p.removed:
        yield Hit("parameter removed", where=p.where(key))


@check(ERR, Scope.PARAMETERS, "A new required parameter: existing calls do not send it.")
def required_parameter_added(p: ParametersPair) -> Iterator[Hit]:
    for key in p.added:
        if p.h[key].get("required") is True:
            yield Hit("required parameter added", where=p.where(key))


@check(INFO, Scope.PARAMETERS, "A new optional parameter.")
def optional_parameter_added(p: ParametersPair) -> Iterator[Hit]:
    for key in p.added:
        if p.h[key].get("required") is not True:
            yield Hit("optional parameter added", where=p.where(key))


@check(ERR, Scope.PARAMETERS, "A parameter moved to another location (query -> header...).")
def parameter_location_changed(p: ParametersPair) -> Iterator[Hit]:
    for old, new in p.moved:
        yield Hit(f"parameter {old[1]!r} moved from {old[0]} to {new[0]}", where=p.where(new))


@check(ERR, Scope.PARAMETERS, "A parameter was renamed (removed and one of the same type added in its location).")
def parameter_renamed(p: ParametersPair) -> Iterator[Hit]:
    for old, new in p.renamed:
        yield Hit(f"parameter {old[1]!r} removed and {new[1]!r} of the same type added: renamed?", where=p.where(old))


@check(ERR, Scope.PARAMETER, "An optional parameter became required.")
def parameter_made_required(p: ParameterPair) -> Iterator[Hit]:
    if p.h.get("required") is True and p.b.get("required") is not True:
        yield Hit("parameter made required")


@check(INFO, Scope.PARAMETER, "A required parameter became optional.")
def parameter_made_optional(p: ParameterPair) -> Iterator[Hit]:
    if p.key[0] != "path" and p.b.get("required") is True and p.h.get("required") is not True:
        yield Hit("parameter made optional")


@check(ERR, Scope.PARAMETER, "The parameter's serialization style changed (form, simple, deepObject...).")
def parameter_style_changed(p: ParameterPair) -> Iterator[Hit]:
    if p.style(p.b) != p.style(p.h):
        yield Hit(f"style {p.style(p.b)} -> {p.style(p.h)}")


@check(ERR, Scope.PARAMETER, "The parameter's explode flag changed: arrays and objects serialize differently.")
def parameter_explode_changed(p: ParameterPair) -> Iterator[Hit]:
    if p.explode(p.b) != p.explode(p.h):
        yield Hit(f"explode {str(p.explode(p.b)).lower()} -> {str(p.explode(p.h)).lower()}")


@check(INFO, Scope.PARAMETER, "The parameter was marked deprecated.")
def parameter_deprecated(p: ParameterPair) -> Iterator[Hit]:
    if p.h.get("deprecated") is True and p.b.get("deprecated") is not True:
        yield Hit("parameter deprecated")


@check(ERR, Scope.PARAMETER, "An empty value is no longer allowed (allowEmptyValue true -> false).")
def parameter_empty_value_disallowed(p: ParameterPair) -> Iterator[Hit]:
    if p.b.get("allowEmptyValue") is True and p.h.get("allowEmptyValue") is not True:
        yield Hit("empty value no longer allowed")


# -- request body ---------------------------------------------------------------------------------


def _media(key: str) -> str:
    return key.split(";", 1)[0].strip().lower()


def _content_diff(b: dict[str, Any], h: dict[str, Any]) -> tuple[list[str], list[str]]:
    mb, mh = {_media(k): k for k in b}, {_media(k): k for k in h}
    return [mb[k] for k in mb if k not in mh], [mh[k] for k in mh if k not in mb]


@check(ERR, Scope.REQUEST_BODY, "A required request body was added where there was none.")
def required_request_body_added(p: BodyPair) -> Iterator[Hit]:
    if p.b is None and p.h is not None and p.h.get("required") is True:
        yield Hit("required request body added", where="request")


@check(INFO, Scope.REQUEST_BODY, "An optional request body was added.")
def optional_request_body_added(p: BodyPair) -> Iterator[Hit]:
    if p.b is None and p.h is not None and p.h.get("required") is not True:
        yield Hit("optional request body added", where="request")


@check(ERR, Scope.REQUEST_BODY, "The request body became required.")
def request_body_made_required(p: BodyPair) -> Iterator[Hit]:
    if p.b is not None and p.h is not None and p.h.get("required") is True and p.b.get("required") is not True:
        yield Hit("request body made required", where="request")


@check(INFO, Scope.REQUEST_BODY, "The request body became optional.")
def request_body_made_optional(p: BodyPair) -> Iterator[Hit]:
    if p.b is not None and p.h is not None and p.b.get("required") is True and p.h.get("required") is not True:
        yield Hit("request body made optional", where="request")


@check(WARN, Scope.REQUEST_BODY, "The request body was removed: clients still send one.")
def request_body_removed(p: BodyPair) -> Iterator[Hit]:
    if p.b is not None and p.h is None:
        yield Hit("request body removed", where="request")


@check(ERR, Scope.REQUEST_BODY, "A request content type is no longer accepted.")
def request_content_type_removed(p: BodyPair) -> Iterator[Hit]:
    if p.b is not None and p.h is not None:
        for media in _content_diff(BodyPair.content(p.b), BodyPair.content(p.h))[0]:
            yield Hit(f"content type {media} no longer accepted", where=f"request {media}")


@check(INFO, Scope.REQUEST_BODY, "A request content type was added.")
def request_content_type_added(p: BodyPair) -> Iterator[Hit]:
    if p.b is not None and p.h is not None:
        for media in _content_diff(BodyPair.content(p.b), BodyPair.content(p.h))[1]:
            yield Hit(f"content type {media} accepted", where=f"request {media}")


# -- responses ------------------------------------------------------------------------------------


def _success(status: str) -> bool:
    return status[:1] in ("2", "3")


@check(ERR, Scope.RESPONSES, "A success (2xx/3xx) response status was removed: clients expecting it break.")
def response_success_status_removed(p: ResponsesPair) -> Iterator[Hit]:
    for status in p.b:
        if status not in p.h and _success(status):
            yield Hit(f"response status {status} removed", where=f"response {status}")


@check(WARN, Scope.RESPONSES, "An error (4xx/5xx/default) response status was removed.")
def response_status_removed(p: ResponsesPair) -> Iterator[Hit]:
    for status in p.b:
        if status not in p.h and not _success(status):
            yield Hit(f"response status {status} removed", where=f"response {status}")


@check(INFO, Scope.RESPONSES, "A response status was added.")
def response_status_added(p: ResponsesPair) -> Iterator[Hit]:
    for status in p.h:
        if status not in p.b:
            yield Hit(f"response status {status} added", where=f"response {status}")


@check(ERR, Scope.RESPONSE, "A response content type was removed: clients asking for it get something else.")
def response_content_type_removed(p: ResponsePair) -> Iterator[Hit]:
    for media in _content_diff(BodyPair.content(p.b), BodyPair.content(p.h))[0]:
        yield Hit(f"content type {media} removed", where=f"response {p.status} {media}")


@check(INFO, Scope.RESPONSE, "A response content type was added.")
def response_content_type_added(p: ResponsePair) -> Iterator[Hit]:
    for media in _content_diff(BodyPair.content(p.b), BodyPair.content(p.h))[1]:
        yield Hit(f"content type {media} added", where=f"response {p.status} {media}")


@check(ERR, Scope.RESPONSE, "A required response header was removed.")
def response_required_header_removed(p: ResponsePair) -> Iterator[Hit]:
    for name, header in p.headers_b.items():
        if name not in p.headers_h and header.get("required") is True:
            yield Hit("required header removed", where=f"response {p.status} header:{name}")


@check(WARN, Scope.RESPONSE, "An optional response header was removed.")
def response_header_removed(p: ResponsePair) -> Iterator[Hit]:
    for name, header in p.headers_b.items():
        if name not in p.headers_h and header.get("required") is not True:
            yield Hit("header removed", where=f"response {p.status} header:{name}")


@check(ERR, Scope.RESPONSE, "A required response header became optional.")
def response_header_made_optional(p: ResponsePair) -> Iterator[Hit]:
    for name, header in p.headers_b.items():
        head = p.headers_h.get(name)
        if head is not None and header.get("required") is True and head.get("required") is not True:
            yield Hit("header made optional", where=f"response {p.status} header:{name}")


@check(INFO, Scope.RESPONSE, "A response header was added.")
def response_header_added(p: ResponsePair) -> Iterator[Hit]:
    for name in p.headers_h:
        if name not in p.headers_b:
            yield Hit("header added", where=f"response {p.status} header:{name}")
