"""For every check of the catalogue: a (base, head) pair where it fires and one where it must not.

The "quiet" pair is a near miss: the opposite move, the same move in the other direction, or a
neighbouring change that another check owns.
"""

from __future__ import annotations

from typing import Any

from tests.tasks.contract_check.specs import (
    document,
    obj,
    operation,
    param,
    params,
    paths,
    request,
    response,
    responses,
    string,
)

Pair = tuple[dict[str, Any], dict[str, Any]]

R, S, P, OP = request, response, params, operation
INT, NUM = {"type": "integer"}, {"type": "number"}
ARR = {"type": "array", "items": {"type": "string"}}


def servers(*urls: str) -> dict[str, Any]:
    return document(servers=[{"url": u} for u in urls])


def schemes(**defs: Any) -> dict[str, Any]:
    return document(components={"securitySchemes": defs})


API_KEY = {"type": "apiKey", "in": "header", "name": "X-Key"}
OAUTH = {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://auth.example/token", "scopes": {}}}}


def sec(*alternatives: dict[str, list[str]]) -> dict[str, Any]:
    return operation(
        security=list(alternatives), doc={"components": {"securitySchemes": {"key": API_KEY, "oauth": OAUTH}}}
    )


def body(required: bool | None = True, *media: str) -> dict[str, Any]:
    content = {m: {"schema": {"type": "object"}} for m in media or ("application/json",)}
    return request(body={"content": content, **({} if required is None else {"required": required})})


def resp_codes(*codes: str) -> dict[str, Any]:
    return responses({c: {"description": c} for c in codes})


def resp_media(*media: str) -> dict[str, Any]:
    return responses({"200": {"description": "ok", "content": {m: {"schema": string()} for m in media}}})


def resp_header(**headers: Any) -> dict[str, Any]:
    return responses({"200": {"description": "ok", "headers": headers}})


H_REQ = {"required": True, "schema": string()}
H_OPT = {"schema": string()}


def variants(kind: str, *schemas: Any, direction: str = "response") -> dict[str, Any]:
    build = S if direction == "response" else R
    return build({kind: list(schemas)})


A = obj({"a": string()})
B = obj({"b": INT}, ["b"])
PET = {
    "Cat": obj({"kind": string(), "meow": string()}),
    "Dog": obj({"kind": string(), "bark": string()}),
    "Pet": {
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {"propertyName": "kind"},
    },
}


def pets(**discriminator: Any) -> dict[str, Any]:
    components = {k: dict(v) for k, v in PET.items()}
    if discriminator.get("propertyName") is None:
        components["Pet"].pop("discriminator")
    else:
        components["Pet"]["discriminator"] = discriminator
    return S({"$ref": "#/components/schemas/Pet"}, components=components)


CAT, DOG = "#/components/schemas/Cat", "#/components/schemas/Dog"


def both(build: Any, base: Any, head: Any) -> Pair:
    return build(base), build(head)


CASES: dict[str, tuple[Pair, Pair]] = {
    # -- document ------------------------------------------------------------------------------
    "openapi-version-changed": (
        (document(version="3.0.3"), document(version="3.1.0")),
        (document(version="3.0.3"), document(version="3.0.3")),
    ),
    "server-removed": (
        (servers("http://a", "http://b"), servers("http://a")),
        (servers("http://a"), servers("http://a", "http://b")),
    ),
    "server-added": (
        (servers("http://a"), servers("http://a", "http://b")),
        (servers("http://a", "http://b"), servers("http://a")),
    ),
    "security-scheme-removed": ((schemes(key=API_KEY), schemes()), (schemes(), schemes(key=API_KEY))),
    "security-scheme-added": ((schemes(), schemes(key=API_KEY)), (schemes(key=API_KEY), schemes())),
    "security-scheme-changed": (
        (schemes(key=API_KEY), schemes(key={**API_KEY, "name": "X-Api-Key"})),
        (schemes(key=API_KEY), schemes(key={**API_KEY, "description": "the key"})),
    ),
    # -- paths and operations ------------------------------------------------------------------
    "path-removed": (
        (paths({"/a": {"get": {}}, "/b": {"get": {}}}), paths({"/a": {"get": {}}})),
        (paths({"/a": {"get": {}, "post": {}}}), paths({"/a": {"get": {}}})),
    ),
    "operation-removed": (
        (paths({"/a": {"get": {}, "post": {}}}), paths({"/a": {"get": {}}})),
        (paths({"/a": {"get": {}}, "/b": {"get": {}}}), paths({"/a": {"get": {}}})),
    ),
    "path-added": (
        (paths({"/a": {"get": {}}}), paths({"/a": {"get": {}}, "/b": {"get": {}}})),
        (paths({"/a": {"get": {}}}), paths({"/a": {"get": {}, "post": {}}})),
    ),
    "operation-added": (
        (paths({"/a": {"get": {}}}), paths({"/a": {"get": {}, "post": {}}})),
        (paths({"/a": {"get": {}}}), paths({"/a": {"get": {}}, "/b": {"get": {}}})),
    ),
    "operation-id-changed": (
        (OP(operationId="listThings"), OP(operationId="getThings")),
        (OP(operationId="listThings"), OP(operationId="listThings", summary="List")),
    ),
    "operation-deprecated": ((OP(), OP(deprecated=True)), (OP(deprecated=True), OP(deprecated=True))),
    "operation-reactivated": ((OP(deprecated=True), OP()), (OP(), OP(deprecated=True))),
    "path-parameter-renamed": (
        (
            P(param("id", "path", required=True), path="/things/{id}"),
            P(param("tid", "path", required=True), path="/things/{tid}"),
        ),
        (
            P(param("id", "path", required=True), path="/things/{id}"),
            P(param("id", "path", required=True), path="/things/{id}"),
        ),
    ),
    # -- security ------------------------------------------------------------------------------
    "security-requirement-added": ((sec(), sec({"key": []})), (sec({"key": []}), sec({"key": []}, {"oauth": []}))),
    "security-alternative-removed": (
        (sec({"key": []}, {"oauth": []}), sec({"key": []})),
        (sec({"key": []}), sec({"key": []}, {"oauth": []})),
    ),
    "security-alternative-added": ((sec({"key": []}), sec({"key": []}, {"oauth": []})), (sec(), sec({"key": []}))),
    "security-removed": ((sec({"key": []}), sec()), (sec({"oauth": []}), sec({"oauth": ["read"]}))),
    "security-scope-added": (
        (sec({"oauth": ["read"]}), sec({"oauth": ["read", "write"]})),
        (sec({"oauth": ["read", "write"]}), sec({"oauth": ["read"]})),
    ),
    "security-scope-removed": (
        (sec({"oauth": ["read", "write"]}), sec({"oauth": ["read"]})),
        (sec({"oauth": ["read"]}), sec({"oauth": ["read", "write"]})),
    ),
    # -- parameters ----------------------------------------------------------------------------
    "parameter-removed": ((P(param("limit")), P()), (P(), P(param("limit")))),
    "required-parameter-added": ((P(), P(param("q", required=True))), (P(), P(param("q")))),
    "optional-parameter-added": ((P(), P(param("q"))), (P(), P(param("q", required=True)))),
    "parameter-location-changed": (
        (P(param("x")), P(param("x", "header"))),
        (P(param("x")), P(param("x"), param("y", "header"))),
    ),
    "parameter-renamed": (
        (P(param("limit")), P(param("size"))),
        (P(param("limit")), P(param("size", schema=string()))),
    ),
    "parameter-made-required": (
        (P(param("limit")), P(param("limit", required=True))),
        (P(param("limit", required=True)), P(param("limit"))),
    ),
    "parameter-made-optional": (
        (P(param("limit", required=True)), P(param("limit"))),
        (P(param("limit")), P(param("limit", required=True))),
    ),
    "parameter-style-changed": (
        (P(param("ids", style="form")), P(param("ids", style="pipeDelimited"))),
        (P(param("ids")), P(param("ids", style="form"))),
    ),
    "parameter-explode-changed": (
        (P(param("ids")), P(param("ids", explode=False))),
        (P(param("ids")), P(param("ids", explode=True))),
    ),
    "parameter-deprecated": (
        (P(param("q")), P(param("q", deprecated=True))),
        (P(param("q", deprecated=True)), P(param("q"))),
    ),
    "parameter-empty-value-disallowed": (
        (P(param("q", allowEmptyValue=True)), P(param("q"))),
        (P(param("q")), P(param("q", allowEmptyValue=True))),
    ),
    # -- request body --------------------------------------------------------------------------
    "required-request-body-added": ((R(), body(True)), (R(), body(False))),
    "optional-request-body-added": ((R(), body(False)), (R(), body(True))),
    "request-body-made-required": ((body(False), body(True)), (body(True), body(True))),
    "request-body-made-optional": ((body(True), body(None)), (body(None), body(True))),
    "request-body-removed": ((body(True), R()), (R(), body(False))),
    "request-content-type-removed": (
        (body(True, "application/json", "application/x-www-form-urlencoded"), body(True, "application/json")),
        (body(True, "application/json"), body(True, "application/json", "application/x-www-form-urlencoded")),
    ),
    "request-content-type-added": (
        (body(True, "application/json"), body(True, "application/json", "text/csv")),
        (body(True, "application/json"), body(True, "application/json; charset=utf-8")),
    ),
    # -- responses -----------------------------------------------------------------------------
    "response-success-status-removed": (
        (resp_codes("200", "404"), resp_codes("404")),
        (resp_codes("200", "404"), resp_codes("200")),
    ),
    "response-status-removed": (
        (resp_codes("200", "404"), resp_codes("200")),
        (resp_codes("200", "404"), resp_codes("404")),
    ),
    "response-status-added": (
        (resp_codes("200"), resp_codes("200", "404")),
        (resp_codes("200", "404"), resp_codes("200")),
    ),
    "response-content-type-removed": (
        (resp_media("application/json", "text/csv"), resp_media("application/json")),
        (resp_media("application/json"), resp_media("application/json", "text/csv")),
    ),
    "response-content-type-added": (
        (resp_media("application/json"), resp_media("application/json", "text/csv")),
        (resp_media("application/json", "text/csv"), resp_media("application/json")),
    ),
    "response-required-header-removed": (
        (resp_header(**{"X-Rate": H_REQ}), resp_header()),
        (resp_header(**{"X-Rate": H_OPT}), resp_header()),
    ),
    "response-header-removed": (
        (resp_header(**{"X-Rate": H_OPT}), resp_header()),
        (resp_header(**{"X-Rate": H_REQ}), resp_header()),
    ),
    "response-header-made-optional": (
        (resp_header(**{"X-Rate": H_REQ}), resp_header(**{"X-Rate": H_OPT})),
        (resp_header(**{"X-Rate": H_OPT}), resp_header(**{"X-Rate": H_REQ})),
    ),
    "response-header-added": (
        (resp_header(), resp_header(**{"X-Rate": H_OPT})),
        (resp_header(), resp_header(**{"Content-Type": H_OPT})),
    ),
    # -- schema: type and format ---------------------------------------------------------------
    "request-type-changed": (both(R, string(), INT), both(S, string(), INT)),
    "request-type-widened": (both(R, INT, NUM), both(R, NUM, INT)),
    "response-type-changed": (both(S, string(), INT), both(R, string(), INT)),
    "response-type-narrowed": (both(S, NUM, INT), both(S, INT, NUM)),
    "request-format-changed": (both(R, string(), string(format="email")), both(R, string(format="email"), string())),
    "request-format-widened": (
        both(R, {**INT, "format": "int32"}, {**INT, "format": "int64"}),
        both(R, {**INT, "format": "int64"}, {**INT, "format": "int32"}),
    ),
    "response-format-changed": (
        both(S, {**INT, "format": "int32"}, {**INT, "format": "int64"}),
        both(S, {**INT, "format": "int64"}, {**INT, "format": "int32"}),
    ),
    "response-format-narrowed": (both(S, string(), string(format="date")), both(S, string(format="date"), string())),
    # -- schema: enum --------------------------------------------------------------------------
    "request-enum-value-removed": (
        both(R, string(enum=["a", "b"]), string(enum=["a"])),
        both(R, string(enum=["a"]), string(enum=["a", "b"])),
    ),
    "request-enum-value-added": (
        both(R, string(enum=["a"]), string(enum=["a", "b"])),
        both(R, string(enum=["a", "b"]), string(enum=["a"])),
    ),
    "request-enum-added": (both(R, string(), string(enum=["a"])), both(R, string(enum=["a"]), string())),
    "response-enum-value-added": (
        both(S, string(enum=["a"]), string(enum=["a", "b"])),
        both(R, string(enum=["a"]), string(enum=["a", "b"])),
    ),
    "response-enum-value-removed": (
        both(S, string(enum=["a", "b"]), string(enum=["a"])),
        both(S, string(enum=["a"]), string(enum=["a", "b"])),
    ),
    "response-enum-removed": (both(S, string(enum=["a"]), string()), both(S, string(), string(enum=["a"]))),
    # -- schema: nullability -------------------------------------------------------------------
    "response-property-made-nullable": (
        both(S, string(), string(nullable=True)),
        both(S, string(nullable=True), string()),
    ),
    "response-property-made-non-nullable": (
        both(S, string(nullable=True), string()),
        both(S, string(), string(nullable=True)),
    ),
    "request-property-made-non-nullable": (
        both(R, string(nullable=True), string()),
        both(R, string(), string(nullable=True)),
    ),
    "request-property-made-nullable": (
        both(R, string(), string(nullable=True)),
        both(R, string(nullable=True), string()),
    ),
    # -- schema: default, readOnly/writeOnly, deprecated ---------------------------------------
    "request-default-changed": (
        both(R, {**INT, "default": 20}, {**INT, "default": 10}),
        both(R, {**INT, "default": 20}, {**INT, "default": 20, "description": "page size"}),
    ),
    "request-default-removed": (both(R, {**INT, "default": 20}, INT), both(R, INT, {**INT, "default": 20})),
    "request-default-added": (both(R, INT, {**INT, "default": 20}), both(R, {**INT, "default": 20}, INT)),
    "response-default-changed": (
        both(S, string(default="a"), string(default="b")),
        both(S, string(default="a"), string(default="a")),
    ),
    "request-property-made-read-only": (
        both(R, obj({"id": INT}), obj({"id": {**INT, "readOnly": True}})),
        both(S, obj({"id": INT}), obj({"id": {**INT, "readOnly": True}})),
    ),
    "response-property-made-write-only": (
        both(S, obj({"pw": string()}), obj({"pw": string(writeOnly=True)})),
        both(R, obj({"pw": string()}), obj({"pw": string(writeOnly=True)})),
    ),
    "property-deprecated": (
        both(S, obj({"a": string()}), obj({"a": string(deprecated=True)})),
        both(S, obj({"a": string(deprecated=True)}), obj({"a": string()})),
    ),
    # -- schema: variants and allOf ------------------------------------------------------------
    "request-variant-removed": (
        (variants("oneOf", string(), INT, direction="request"), variants("oneOf", string(), direction="request")),
        (variants("oneOf", string(), direction="request"), variants("oneOf", string(), INT, direction="request")),
    ),
    "request-variant-added": (
        (variants("oneOf", string(), direction="request"), variants("oneOf", string(), INT, direction="request")),
        (variants("oneOf", string(), INT, direction="request"), variants("oneOf", string(), direction="request")),
    ),
    "response-variant-added": (
        (variants("anyOf", string()), variants("anyOf", string(), INT)),
        (variants("anyOf", string(), INT), variants("anyOf", string())),
    ),
    "response-variant-removed": (
        (variants("anyOf", string(), INT), variants("anyOf", string())),
        (variants("anyOf", string()), variants("anyOf", string(), INT)),
    ),
    "request-all-of-member-added": (
        (variants("allOf", A, direction="request"), variants("allOf", A, B, direction="request")),
        (variants("allOf", A, B, direction="request"), variants("allOf", A, direction="request")),
    ),
    "request-all-of-member-removed": (
        (variants("allOf", A, B, direction="request"), variants("allOf", A, direction="request")),
        (variants("allOf", A, direction="request"), variants("allOf", A, B, direction="request")),
    ),
    "response-all-of-member-removed": (
        (variants("allOf", A, B), variants("allOf", A)),
        (variants("allOf", A), variants("allOf", A, B)),
    ),
    "response-all-of-member-added": (
        (variants("allOf", A), variants("allOf", A, B)),
        (variants("allOf", A, B), variants("allOf", A)),
    ),
    # -- schema: discriminator -----------------------------------------------------------------
    "discriminator-property-changed": (
        (pets(propertyName="kind"), pets(propertyName="type")),
        (pets(propertyName="kind"), pets(propertyName="kind")),
    ),
    "discriminator-mapping-changed": (
        (pets(propertyName="kind", mapping={"cat": CAT, "dog": DOG}), pets(propertyName="kind", mapping={"cat": CAT})),
        (pets(propertyName="kind", mapping={"cat": CAT}), pets(propertyName="kind", mapping={"cat": CAT, "dog": DOG})),
    ),
    "discriminator-added": ((pets(), pets(propertyName="kind")), (pets(propertyName="kind"), pets())),
    "discriminator-removed": ((pets(propertyName="kind"), pets()), (pets(), pets(propertyName="kind"))),
    # -- constraints: requests -----------------------------------------------------------------
    "request-max-length-decreased": (
        both(R, string(maxLength=10), string(maxLength=5)),
        both(R, string(maxLength=5), string(maxLength=10)),
    ),
    "request-min-length-increased": (
        both(R, string(minLength=1), string(minLength=2)),
        both(R, string(minLength=2), string(minLength=1)),
    ),
    "request-maximum-decreased": (
        both(R, {**INT, "maximum": 10}, {**INT, "maximum": 5}),
        both(R, {**INT, "maximum": 5}, {**INT, "maximum": 10}),
    ),
    "request-minimum-increased": (
        both(R, {**INT, "minimum": 1}, {**INT, "minimum": 2}),
        both(R, {**INT, "minimum": 2}, {**INT, "minimum": 1}),
    ),
    "request-max-items-decreased": (
        both(R, {**ARR, "maxItems": 10}, {**ARR, "maxItems": 5}),
        both(R, {**ARR, "maxItems": 5}, ARR),
    ),
    "request-min-items-increased": (both(R, ARR, {**ARR, "minItems": 1}), both(R, {**ARR, "minItems": 1}, ARR)),
    "request-max-properties-decreased": (
        both(R, obj({}), obj({}, maxProperties=3)),
        both(R, obj({}, maxProperties=3), obj({})),
    ),
    "request-min-properties-increased": (
        both(R, obj({}, minProperties=1), obj({}, minProperties=2)),
        both(R, obj({}, minProperties=2), obj({}, minProperties=1)),
    ),
    "request-pattern-added": (both(R, string(), string(pattern="^a")), both(R, string(pattern="^a"), string())),
    "request-pattern-changed": (
        both(R, string(pattern="^a"), string(pattern="^b")),
        both(R, string(), string(pattern="^a")),
    ),
    "request-unique-items-enabled": (
        both(R, ARR, {**ARR, "uniqueItems": True}),
        both(R, {**ARR, "uniqueItems": True}, ARR),
    ),
    "request-multiple-of-changed": (
        both(R, {**INT, "multipleOf": 2}, {**INT, "multipleOf": 4}),
        both(R, {**INT, "multipleOf": 4}, {**INT, "multipleOf": 2}),
    ),
    "request-additional-properties-disallowed": (
        both(R, obj({"a": string()}), obj({"a": string()}, additionalProperties=False)),
        both(R, obj({"a": string()}, additionalProperties=False), obj({"a": string()})),
    ),
    "request-constraint-relaxed": (
        both(R, string(maxLength=5), string(maxLength=10)),
        both(R, string(maxLength=10), string(maxLength=5)),
    ),
    # -- constraints: responses ----------------------------------------------------------------
    "response-max-length-increased": (
        both(S, string(maxLength=5), string(maxLength=10)),
        both(S, string(maxLength=10), string(maxLength=5)),
    ),
    "response-min-length-decreased": (
        both(S, string(minLength=2), string(minLength=1)),
        both(S, string(minLength=1), string(minLength=2)),
    ),
    "response-maximum-increased": (
        both(S, {**INT, "maximum": 5}, {**INT, "maximum": 10}),
        both(S, {**INT, "maximum": 10}, {**INT, "maximum": 5}),
    ),
    "response-minimum-decreased": (
        both(S, {**INT, "minimum": 2}, INT),
        both(S, {**INT, "minimum": 1}, {**INT, "minimum": 2}),
    ),
    "response-max-items-increased": (
        both(S, {**ARR, "maxItems": 5}, {**ARR, "maxItems": 10}),
        both(S, {**ARR, "maxItems": 10}, {**ARR, "maxItems": 5}),
    ),
    "response-min-items-decreased": (
        both(S, {**ARR, "minItems": 2}, {**ARR, "minItems": 1}),
        both(S, {**ARR, "minItems": 1}, {**ARR, "minItems": 2}),
    ),
    "response-pattern-changed": (
        both(S, string(pattern="^a"), string(pattern="^b")),
        both(S, string(), string(pattern="^a")),
    ),
    "response-additional-properties-allowed": (
        both(S, obj({"a": string()}, additionalProperties=False), obj({"a": string()})),
        both(S, obj({"a": string()}), obj({"a": string()}, additionalProperties=False)),
    ),
    "response-constraint-relaxed": (
        both(S, {**ARR, "uniqueItems": True}, ARR),
        both(S, ARR, {**ARR, "uniqueItems": True}),
    ),
    "response-constraint-tightened": (
        both(S, string(maxLength=10), string(maxLength=5)),
        both(S, string(maxLength=5), string(maxLength=10)),
    ),
    # -- objects: responses --------------------------------------------------------------------
    "response-property-removed": (
        both(S, obj({"a": string(), "b": INT}), obj({"a": string()})),
        both(S, obj({"a": string()}), obj({"a": string(), "b": INT})),
    ),
    "response-property-renamed": (
        both(S, obj({"name": string()}), obj({"full_name": string()})),
        both(S, obj({"name": string()}), obj({"count": INT})),
    ),
    "response-property-made-optional": (
        both(S, obj({"a": string()}, ["a"]), obj({"a": string()})),
        both(S, obj({"a": string()}), obj({"a": string()}, ["a"])),
    ),
    "response-property-made-required": (
        both(S, obj({"a": string()}), obj({"a": string()}, ["a"])),
        both(S, obj({"a": string()}, ["a"]), obj({"a": string()})),
    ),
    "response-property-added": (
        both(S, obj({"a": string()}), obj({"a": string(), "b": INT})),
        both(S, obj({"a": string(), "b": INT}), obj({"a": string()})),
    ),
    # -- objects: requests ---------------------------------------------------------------------
    "request-property-removed": (
        both(R, obj({"a": string(), "b": INT}), obj({"a": string()})),
        both(
            R,
            obj({"a": string(), "b": INT}, additionalProperties=False),
            obj({"a": string()}, additionalProperties=False),
        ),
    ),
    "request-property-rejected": (
        both(
            R,
            obj({"a": string(), "b": INT}, additionalProperties=False),
            obj({"a": string()}, additionalProperties=False),
        ),
        both(R, obj({"a": string(), "b": INT}), obj({"a": string()})),
    ),
    "request-property-renamed": (
        both(R, obj({"name": string()}), obj({"full_name": string()})),
        both(R, obj({"name": string()}), obj({"count": INT})),
    ),
    "request-required-property-added": (
        both(R, obj({"a": string()}), obj({"a": string(), "b": INT}, ["b"])),
        both(R, obj({"a": string()}), obj({"a": string(), "b": INT})),
    ),
    "request-optional-property-added": (
        both(R, obj({"a": string()}), obj({"a": string(), "b": INT})),
        both(R, obj({"a": string()}), obj({"a": string(), "b": INT}, ["b"])),
    ),
    "request-property-made-required": (
        both(R, obj({"a": string()}), obj({"a": string()}, ["a"])),
        both(R, obj({"a": string()}, ["a"]), obj({"a": string()})),
    ),
    "request-property-made-optional": (
        both(R, obj({"a": string()}, ["a"]), obj({"a": string()})),
        both(R, obj({"a": string()}), obj({"a": string()}, ["a"])),
    ),
}
