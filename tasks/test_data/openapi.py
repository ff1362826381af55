"""An OpenAPI 3.0/3.1 document: its operations' JSON request bodies, $refs, and validators.

- `$ref`s are followed within the document and to other files relative to it (`a.yaml#/X`).
- Validation uses jsonschema with a `referencing.Registry` holding each document, so recursive
  schemas validate without being inlined. OpenAPI 3.0 is not JSON Schema: its schemas are
  validated as Draft 4 (boolean `exclusiveMinimum`) after `nullable: true` becomes a `null` type
  (or a `null` enum member), and a request does not carry `readOnly` properties, so they leave
  `required`. OpenAPI 3.1 schemas are Draft 2020-12 as they stand.
- Formats are checked (`email`, `date-time`, `date`, `uuid`, `ipv4`, ...), with jsonschema's
  FormatChecker.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlparse

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from tasks.errors import QeflowError

__all__ = ["ApiDocument", "OpenApiError", "Operation"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_JSON_MEDIA = re.compile(r"^application/(?:[\w.+-]+\+)?json(?:\s*;.*)?$", re.IGNORECASE)


class OpenApiError(QeflowError):
    """The API document cannot be read as OpenAPI 3.x; the message names the file and why."""


@dataclass(frozen=True)
class Operation:
    """One operation with a JSON request body."""

    name: str  # operationId, or method_path when there is none; the payload file's stem
    method: str
    path: str
    media_type: str
    uri: str  # the document holding the body schema
    pointer: str  # JSON pointer of the body schema in that document
    required: bool


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _file_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "operation"


def _convert_30(node: Any) -> Any:
    """OpenAPI 3.0 schema keywords -> JSON Schema (Draft 4): nullable, readOnly in requests."""
    if isinstance(node, list):
        return [_convert_30(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _convert_30(v) for k, v in node.items()}
    props = out.get("properties")
    if isinstance(props, dict) and isinstance(out.get("required"), list):
        read_only = {k for k, v in props.items() if isinstance(v, dict) and v.get("readOnly") is True}
        if read_only:
            out["required"] = [r for r in out["required"] if r not in read_only]
            if not out["required"]:
                del out["required"]
    if out.pop("nullable", False) is True and "$ref" not in out:
        if "enum" in out and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        elif kind is None and "enum" not in out:
            rest = dict(out)
            return {"anyOf": [rest, {"type": "null"}]}
    return out


class ApiDocument:
    """A loaded OpenAPI document and the files its $refs reach."""

    def __init__(self, path: Path):
        self.path = Path(path).resolve()
        self.uri = self.path.as_uri()
        self._raw: dict[str, Any] = {}
        root = self.load(self.uri)
        if not isinstance(root, dict) or "openapi" not in root:
            found = "Swagger 2.0" if isinstance(root, dict) and "swagger" in root else "no `openapi` key"
            raise OpenApiError(f"{self.path}: not an OpenAPI 3.x document ({found})")
        self.version = str(root["openapi"])
        self.is_30 = self.version.startswith("3.0")
        self.root = root
        self._registry: Registry | None = None

    # -- documents and references ------------------------------------------------------------

    def load(self, uri: str) -> Any:
        base, _ = urldefrag(uri)
        if base not in self._raw:
            parsed = urlparse(base)
            if parsed.scheme != "file":
                raise OpenApiError(f"{self.path}: $ref to {base} is not a local file; only local $refs are followed")
            file = Path(unquote(parsed.path))
            try:
                text = file.read_text(encoding="utf-8")
            except OSError as exc:
                raise OpenApiError(f"{self.path}: cannot read {file}: {exc}") from exc
            try:
                self._raw[base] = json.loads(text) if file.suffix == ".json" else yaml.safe_load(text)
            except (yaml.YAMLError, json.JSONDecodeError) as exc:
                raise OpenApiError(f"{file}: not valid YAML/JSON: {exc}") from exc
        return self._raw[base]

    def pointer(self, uri: str, pointer: str) -> Any:
        node = self.load(uri)
        for raw in [p for p in pointer.split("/")[1:]] if pointer else []:
            token = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, list):
                node = node[int(token)]
            elif isinstance(node, dict) and token in node:
                node = node[token]
            else:
                raise OpenApiError(f"{uri}: no {pointer!r} in the document")
        return node

    def deref(self, node: Any, uri: str) -> tuple[Any, str, str | None]:
        """Follow `$ref` chains: (target node, the URI it lives in, its pointer or None)."""
        pointer = None
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            target = urljoin(uri, node["$ref"])
            if target in seen:
                raise OpenApiError(f"{self.path}: $ref cycle through {target}")
            seen.add(target)
            base, fragment = urldefrag(target)
            node, uri, pointer = self.pointer(base, fragment), base, fragment
        return node, uri, pointer

    # -- operations --------------------------------------------------------------------------

    def operations(self) -> Iterator[Operation]:
        """Operations with a JSON request body, in document order."""
        paths = self.root.get("paths") or {}
        used: set[str] = set()
        for path, item in paths.items():
            item, item_uri, item_ptr = self.deref(item, self.uri)
            if not isinstance(item, dict):
                continue
            base_ptr = item_ptr if item_ptr is not None else f"/paths/{_escape(path)}"
            for method in _METHODS:
                op = item.get(method)
                if not isinstance(op, dict) or "requestBody" not in op:
                    continue
                body, body_uri, body_ptr = self.deref(op["requestBody"], item_uri)
                body_ptr = body_ptr if body_ptr is not None else f"{base_ptr}/{method}/requestBody"
                content = body.get("content") or {}
                media = next((m for m in content if _JSON_MEDIA.match(m)), None)
                if media is None or "schema" not in (content[media] or {}):
                    continue
                name = _file_name(op.get("operationId") or f"{method}_{path}")
                while name in used:
                    name += "_"
                used.add(name)
                yield Operation(
                    name=name,
                    method=method.upper(),
                    path=path,
                    media_type=media,
                    uri=body_uri,
                    pointer=f"{body_ptr}/content/{_escape(media)}/schema",
                    required=bool(body.get("required")),
                )

    # -- validation --------------------------------------------------------------------------

    def _resource(self, uri: str) -> Resource[Any]:
        contents = self.load(uri)
        if self.is_30:
            return Resource.from_contents(_convert_30(copy.deepcopy(contents)), default_specification=DRAFT4)
        return Resource.from_contents(contents, default_specification=DRAFT202012)

    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = Registry(retrieve=self._resource).with_resource(self.uri, self._resource(self.uri))  # type: ignore[call-arg]
        return self._registry

    def validator(self, operation: Operation) -> jsonschema.protocols.Validator:
        cls = jsonschema.Draft4Validator if self.is_30 else jsonschema.Draft202012Validator
        return cls(
            {"$ref": f"{operation.uri}#{operation.pointer}"},
            registry=self.registry(),
            format_checker=jsonschema.FormatChecker(),
        )
