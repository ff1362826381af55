"""Digests of OpenAPI operations with every `$ref` resolved: what "this operation changed" means.

An operation is `METHOD /path` (schemathesis' label). Its digest covers its parameters (path-level
ones merged in; an operation-level parameter overrides a path-level one of the same name and
location), its request body and its responses, with every `$ref` followed, local or into another
file of the same revision. Two revisions of an operation have the same digest exactly when their
resolved definitions are equal (schemas that recurse into each other are compared as a group,
by name and content; see `_Digester`). The walk is linear in the size of the document: the three
Stripe descriptions (~400 operations, 3.6-4 MB each) take about 0.13 s apiece.

`documented_responses` reads the statuses and media types an operation documents, for the
reproduction files of the api-tests agent.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote

import yaml

__all__ = ["Loader", "SpecError", "documented_responses", "load_document", "operation_digests"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

Loader = Callable[[str], Any]  # a spec-relative file path -> its parsed document (None if absent)


class SpecError(ValueError):
    """The OpenAPI document cannot be read or parsed."""


def load_document(text: str, name: str) -> Any:
    try:
        return json.loads(text) if name.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise SpecError(f"{name}: not valid {'JSON' if name.endswith('.json') else 'YAML'}: {exc}") from exc


def _pointer(document: Any, fragment: str, where: str) -> Any:
    node = document
    if not fragment or fragment == "/":
        return node
    for raw in fragment.lstrip("/").split("/"):
        token = unquote(raw).replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise SpecError(f"unresolvable $ref {where}: no {token!r} in #{fragment}")
    return node


Target = tuple[str, str]  # (document name relative to the spec's directory, JSON pointer)
Pieces = list[str | Target]  # canonical JSON text with each `$ref` left as its target


class _Digester:
    """Digests of resolved nodes: every `$ref` stands for the digest of what it points to.

    Each ref target is flattened once into canonical text with its own refs left as placeholders.
    Recursive schemas make the ref graph cyclic, so targets are grouped into strongly connected
    components (Tarjan) and digested component by component, callees first: a target outside any
    cycle gets the digest of its text with refs substituted; the members of a cycle share one
    digest of the whole component (each member's text, refs inside the component by name), salted
    with the member's name. The work is linear in the size of the document.
    """

    def __init__(self, root: Any, load: Loader, root_name: str) -> None:
        self.docs: dict[str, Any] = {root_name: root}
        self.load = load
        self.pieces: dict[Target, Pieces] = {}
        self.edges: dict[Target, list[Target]] = {}
        self.digests: dict[Target, str] = {}

    # -- reading -------------------------------------------------------------------------------

    def _document(self, name: str) -> Any:
        if name not in self.docs:
            loaded = self.load(name)
            if loaded is None:
                raise SpecError(f"$ref to {name!r}, which does not exist in this revision")
            self.docs[name] = loaded
        return self.docs[name]

    @staticmethod
    def _target(ref: str, doc: str) -> Target | None:
        if "://" in ref:
            return None  # a remote document is not fetched; its URL stands for it
        file_part, _, fragment = ref.partition("#")
        name = posixpath.normpath(posixpath.join(posixpath.dirname(doc), file_part)) if file_part else doc
        return name, fragment

    def flatten(self, node: Any, doc: str, out: Pieces) -> None:
        """Append the canonical text of `node` to `out`, refs as targets (iterative: deep specs)."""
        stack: list[tuple[Any, bool]] = [(node, False)]
        while stack:
            item, literal = stack.pop()
            if literal:
                out.append(item)
            elif isinstance(item, Mapping):
                ref = item.get("$ref")
                if isinstance(ref, str):
                    target = self._target(ref, doc)
                    out.append(json.dumps("$ref:" + ref) if target is None else target)
                    continue
                out.append("{")
                todo: list[tuple[Any, bool]] = []
                for key in sorted(item, key=str):
                    todo += [(json.dumps(str(key)) + ":", True), (item[key], False), (",", True)]
                todo.append(("}", True))
                stack.extend(reversed(todo))
            elif isinstance(item, list):
                out.append("[")
                todo = []
                for element in item:
                    todo += [(element, False), (",", True)]
                todo.append(("]", True))
                stack.extend(reversed(todo))
            else:
                out.append(json.dumps(item, sort_keys=True, default=str))

    def _pieces(self, target: Target) -> Pieces:
        if target not in self.pieces:
            node = _pointer(self._document(target[0]), target[1], f"'{target[0]}#{target[1]}'")
            out: Pieces = []
            self.flatten(node, target[0], out)
            self.pieces[target] = out
        return self.pieces[target]

    def _edges(self, target: Target) -> list[Target]:
        if target not in self.edges:
            self.edges[target] = [p for p in self._pieces(target) if not isinstance(p, str)]
        return self.edges[target]

    def deref(self, node: Any, doc: str) -> tuple[Any, str]:
        """Follow `$ref`s at the top of a node (path items, parameters)."""
        seen: set[Target] = set()
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            target = self._target(node["$ref"], doc)
            if target is None or target in seen:
                break
            seen.add(target)
            node, doc = _pointer(self._document(target[0]), target[1], f"{node['$ref']!r} in {doc}"), target[0]
        return node, doc

    # -- digesting -----------------------------------------------------------------------------

    def digest_pieces(self, pieces: Pieces) -> str:
        """Digest of flattened text whose targets have all been digested (see `prepare`)."""
        return _hash("".join(p if isinstance(p, str) else "@" + self.digests[p] for p in pieces))

    def prepare(self, roots: Iterable[Target]) -> None:
        """Digest every target reachable from `roots` (Tarjan's SCCs, iteratively)."""
        index: dict[Target, int] = {}
        low: dict[Target, int] = {}
        on_stack: set[Target] = set()
        stack: list[Target] = []
        counter = 0
        for root in roots:
            if root in index or root in self.digests:
                continue
            work: list[tuple[Target, int]] = [(root, 0)]
            while work:
                node, position = work.pop()
                if position == 0:
                    index[node] = low[node] = counter
                    counter += 1
                    stack.append(node)
                    on_stack.add(node)
                edges = self._edges(node)
                descended = False
                for i in range(position, len(edges)):
                    child = edges[i]
                    if child in self.digests:
                        continue
                    if child not in index:
                        work.append((node, i + 1))
                        work.append((child, 0))
                        descended = True
                        break
                    if child in on_stack:
                        low[node] = min(low[node], index[child])
                if descended:
                    continue
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component: list[Target] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    self._digest_component(component)

    def _digest_component(self, component: list[Target]) -> None:
        members = set(component)
        if len(component) == 1 and component[0] not in self._pieces(component[0]):
            self.digests[component[0]] = self.digest_pieces(self._pieces(component[0]))
            return
        parts = []
        for member in sorted(component):
            text = "".join(
                p if isinstance(p, str) else ("#" + "#".join(p) if p in members else "@" + self.digests[p])
                for p in self._pieces(member)
            )
            parts.append("#".join(member) + "=" + text)
        shared = _hash("\n".join(parts))
        for member in component:
            self.digests[member] = _hash(shared + "#" + "#".join(member))


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def operation_digests(document: Any, load: Loader | None = None, name: str = "openapi.yaml") -> dict[str, str]:
    """`{"GET /users": digest}` for every operation of an OpenAPI 3.x (or Swagger 2) document."""
    if not isinstance(document, Mapping):
        raise SpecError(f"{name}: not an OpenAPI document (top level is {type(document).__name__})")
    digester = _Digester(document, load or (lambda _name: None), name)
    paths = document.get("paths") or {}
    if not isinstance(paths, Mapping):
        raise SpecError(f"{name}: `paths` is not a mapping")
    flattened: dict[str, list[tuple[str, Pieces]]] = {}
    for path, raw_item in paths.items():
        item, item_doc = digester.deref(raw_item, name)
        if not isinstance(item, Mapping):
            continue
        shared = _parameters(digester, item.get("parameters"), item_doc)
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, Mapping):
                continue
            params = {**shared, **_parameters(digester, operation.get("parameters"), item_doc)}
            parts: list[tuple[str, Pieces]] = [(f"parameter {key}", params[key]) for key in sorted(params)]
            for section in ("requestBody", "responses"):
                pieces: Pieces = []
                digester.flatten(operation.get(section), item_doc, pieces)
                parts.append((section, pieces))
            flattened[f"{method.upper()} {path}"] = parts
    digester.prepare(p for parts in flattened.values() for _, pieces in parts for p in pieces if not isinstance(p, str))
    return {
        label: _hash("\n".join(f"{key}={digester.digest_pieces(pieces)}" for key, pieces in parts))
        for label, parts in flattened.items()
    }


def _parameters(digester: _Digester, raw: Any, doc: str) -> dict[str, Pieces]:
    found: dict[str, Pieces] = {}
    if not isinstance(raw, list):
        return found
    for index, entry in enumerate(raw):
        param, _ = digester.deref(entry, doc)
        if isinstance(param, Mapping) and "name" in param and "in" in param:
            key = f"{param['in']}:{param['name']}"
        else:
            key = f"#{index}"
        pieces: Pieces = []
        digester.flatten(entry, doc, pieces)
        found[key] = pieces
    return found


def documented_responses(
    document: Any, label: str, load: Loader | None = None, name: str = "openapi.yaml"
) -> dict[str, list[str]]:
    """`{"200": ["application/json"], "4XX": [], "default": [...]}` for the operation `label`."""
    digester = _Digester(document, load or (lambda _name: None), name)
    method, _, path = label.partition(" ")
    item, doc = digester.deref((document.get("paths") or {}).get(path), name)
    operation = item.get(method.lower()) if isinstance(item, Mapping) else None
    if not isinstance(operation, Mapping):
        raise SpecError(f"{name}: no operation {label!r}")
    responses, doc = digester.deref(operation.get("responses") or {}, doc)
    documented: dict[str, list[str]] = {}
    for status, raw in (responses or {}).items():
        response, _ = digester.deref(raw, doc)
        content = response.get("content") if isinstance(response, Mapping) else None
        documented[str(status)] = list(content) if isinstance(content, Mapping) else []
    return documented
