"""The schema diff: two schemas (base, head) compared in one direction, with `$ref`s followed.

The walk inside one schema stops at each `$ref` and records an *edge* to the pair of targets
(base target, head target). Each target pair is a *component*, diffed once and memoized by the
identity of its two nodes (a `$ref` target is the same object every time it is resolved). The
changes of a root schema are the hits of every component reachable from it, found breadth-first:
each component is visited once per root, so recursive schemas terminate, and each hit gets the
shortest JSON path from the root (`$.items[*].name`).

Unions: where one side is a plain schema and the other an anyOf/oneOf (or allOf) wrapping it,
the plain schema is compared with its matching variant and only the other variants are reported
(a field turned into "string or object" is a variant added, not a type change).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tasks.contract_check.catalogue import Catalogue
from tasks.contract_check.loader import Document
from tasks.contract_check.model import Direction, Hit, Scope
from tasks.contract_check.schema_pair import SchemaPair, Variants, is_nullable, prop_token, schema_types

__all__ = ["SchemaDiffer", "SchemaHit", "short_label"]

_UNIONS = ("anyOf", "oneOf")
_COMBINATORS = (*_UNIONS, "allOf")
_ANNOTATIONS = ("nullable", "default", "readOnly", "writeOnly", "deprecated", "description", "title", "example")

Path = tuple[str, ...]
Labels = tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class SchemaHit:
    check: str
    path: str  # JSON path of the field from the root schema: "$", "$.items[*].name"
    text: str  # what changed, naming the component it is in: "property 'name' removed (schema User)"


@dataclass
class _Component:
    hits: list[tuple[Path, str, Hit]] = field(default_factory=list)  # (path in component, check id, hit)
    edges: list[tuple[Path, Any, Any, Labels]] = field(default_factory=list)  # (path, base target, head target)


def _is_ref(node: Any) -> bool:
    return isinstance(node, dict) and isinstance(node.get("$ref"), str)


def _as_schema(node: Any) -> dict[str, Any]:
    if isinstance(node, dict):
        return node
    return {"not": {}} if node is False else {}  # 3.1 boolean schemas


def _bare(node: Any) -> Any:
    """A plain schema without annotations and nullability, to compare it with a union variant."""
    if not isinstance(node, dict) or _is_ref(node):
        return node
    if not any(k in node for k in _ANNOTATIONS) and not isinstance(node.get("type"), list):
        return node
    bare = {k: v for k, v in node.items() if k not in _ANNOTATIONS}
    if isinstance(bare.get("type"), list):
        rest = [t for t in bare["type"] if t != "null"]
        bare["type"] = rest[0] if len(rest) == 1 else rest
    return bare


def short_label(label: str | None) -> str:
    """`#/components/schemas/User` -> `User`; `schemas/user.yaml#/User` -> `schemas/user.yaml#User`."""
    if not label:
        return ""
    file, _, pointer = label.partition("#")
    if not pointer:
        return file
    name = pointer.rsplit("/", 1)[-1]
    return f"{file}#{name}" if file else name


class SchemaDiffer:
    """Diffs schemas of one document pair; memoizes components and roots across operations."""

    def __init__(self, base: Document, head: Document, catalogue: Catalogue):
        self.base, self.head, self.catalogue = base, head, catalogue
        self._components: dict[tuple[int, int, Direction], _Component] = {}
        self._roots: dict[tuple[int, int, Direction], list[SchemaHit]] = {}
        self._keep: list[Any] = []  # nodes whose id() is a cache key stay alive

    def diff(self, b: Any, h: Any, direction: Direction) -> list[SchemaHit]:
        """Every hit between two (possibly `$ref`) schemas, with JSON paths from the root."""
        key = (id(b), id(h), direction)
        cached = self._roots.get(key)
        if cached is not None:
            return cached
        self._keep.append((b, h))
        rb, lb = self.base.resolve(b)
        rh, lh = self.head.resolve(h)
        out: list[SchemaHit] = []
        queue: deque[tuple[Any, Any, Labels, Path]] = deque([(rb, rh, (lb, lh), ())])
        seen = {(id(rb), id(rh))}
        while queue:
            nb, nh, labels, prefix = queue.popleft()
            component = self._component(nb, nh, direction, labels)
            label = labels[1] or labels[0]
            suffix = f" (schema {short_label(label)})" if label else ""
            for rel, check_id, hit in component.hits:
                out.append(SchemaHit(check_id, "$" + "".join(prefix + rel + hit.path), hit.text + suffix))
            for rel, eb, eh, edge_labels in component.edges:
                if (id(eb), id(eh)) not in seen:
                    seen.add((id(eb), id(eh)))
                    queue.append((eb, eh, edge_labels, prefix + rel))
        self._roots[key] = out
        return out

    def _component(self, b: Any, h: Any, direction: Direction, labels: Labels) -> _Component:
        key = (id(b), id(h), direction)
        found = self._components.get(key)
        if found is None:
            self._keep.append((b, h))
            found = _Component()
            self._walk(b, h, (), direction, found, labels)
            self._components[key] = found
        return found

    def _run(self, pair: SchemaPair, path: Path, out: _Component) -> None:
        for item in self.catalogue.for_scope(Scope.SCHEMA, pair.direction, wrapped=pair.wrapped):
            for hit in item(pair):
                out.hits.append((path, item.id, hit))

    def _walk(
        self,
        b: Any,
        h: Any,
        path: Path,
        direction: Direction,
        out: _Component,
        labels: Labels = (None, None),
        equal: bool = False,
    ) -> None:
        if _is_ref(b) or _is_ref(h):
            rb, lb = self.base.resolve(b)
            rh, lh = self.head.resolve(h)
            self._keep.append((rb, rh))
            out.edges.append((path, rb, rh, (lb, lh)))
            return
        b, h = _as_schema(b), _as_schema(h)
        equal = equal or b is h or b == h  # equal subtrees: no checks, but their $refs still lead on
        comb_b = [k for k in _COMBINATORS if k in b]
        comb_h = [k for k in _COMBINATORS if k in h]
        if bool(comb_b) != bool(comb_h):
            self._walk_wrapped(b, h, path, direction, out, labels, comb_b or comb_h, wrapped_is_base=not comb_b)
            return
        union = self._match(b, h, _UNIONS) if any(k in b or k in h for k in _UNIONS) else None
        all_of = self._match(b, h, ("allOf",)) if "allOf" in b or "allOf" in h else None
        if not equal:
            rb, rh = self.base.resolve, self.head.resolve
            self._run(SchemaPair(b, h, direction, rb, rh, union=union, all_of=all_of), path, out)
        pb, ph = b.get("properties"), h.get("properties")
        if isinstance(pb, dict) and isinstance(ph, dict):
            for name, node in ph.items():
                if name in pb:
                    self._walk(pb[name], node, (*path, prop_token(str(name))), direction, out, equal=equal)
        if "items" in b and "items" in h and not isinstance(b["items"], list):
            self._walk(b["items"], h["items"], (*path, "[*]"), direction, out, equal=equal)
        ab, ah = b.get("additionalProperties"), h.get("additionalProperties")
        if isinstance(ab, dict) and isinstance(ah, dict):
            self._walk(ab, ah, (*path, ".*"), direction, out, equal=equal)
        for found in (union, all_of):
            for vb, vh in found.matched if found else ():
                self._walk(vb, vh, path, direction, out, equal=equal)

    def _walk_wrapped(
        self,
        b: dict[str, Any],
        h: dict[str, Any],
        path: Path,
        direction: Direction,
        out: _Component,
        labels: Labels,
        keywords: list[str],
        *,
        wrapped_is_base: bool,
    ) -> None:
        """One side is a plain schema, the other a union (or allOf) of variants: the wrapper is
        checked for what belongs to it (variants, nullability, default...), and the plain schema
        is compared with its matching variant, both without annotations."""
        keyword = next((k for k in keywords if k in _UNIONS), "allOf")
        plain = [(labels[0], b)] if wrapped_is_base else [(labels[1], h)]
        base_list, head_list = (plain, h[keyword]) if wrapped_is_base else (b[keyword], plain)
        found = self._match_lists(keyword, base_list, head_list)
        union, all_of = (found, None) if keyword in _UNIONS else (None, found)
        rb, rh = self.base.resolve, self.head.resolve
        self._run(SchemaPair(b, h, direction, rb, rh, wrapped=True, union=union, all_of=all_of), path, out)
        for vb, vh in found.matched:
            vb, vh = _bare(vb), _bare(vh)
            self._keep.append((vb, vh))
            self._walk(vb, vh, path, direction, out)

    def _match(self, b: dict[str, Any], h: dict[str, Any], keywords: tuple[str, ...]) -> Variants:
        kb = next((k for k in keywords if k in b), keywords[0])
        kh = next((k for k in keywords if k in h), kb)
        return self._match_lists(kh, b.get(kb) or [], h.get(kh) or [])

    def _match_lists(self, keyword: str, lb: list[Any], lh: list[Any]) -> Variants:
        """Match variants by `$ref`, then by equality, then by type; the rest are removed/added."""

        def items(raw: list[Any]) -> list[tuple[str | None, Any]]:
            found = []
            for entry in raw:
                label, node = (
                    entry if isinstance(entry, tuple) else (entry.get("$ref") if _is_ref(entry) else None, entry)
                )
                if keyword != "allOf" and is_nullable(node) and schema_types(node) == frozenset({"null"}):
                    continue  # a {type: null} variant is nullability, compared on the union itself
                found.append((label, node))
            return found

        base: list[tuple[str | None, Any] | None] = list(items(lb))
        head = items(lh)
        result = Variants(keyword)
        free = list(range(len(head)))

        def take(same: Callable[[str | None, Any, str | None, Any], bool]) -> None:
            for bi, entry in enumerate(base):
                if entry is None:
                    continue
                for hi in free:
                    if same(*entry, *head[hi]):
                        result.matched.append((entry[1], head[hi][1]))
                        free.remove(hi)
                        base[bi] = None
                        break

        take(lambda lb_, nb, lh_, nh: lb_ is not None and lb_ == lh_)
        take(lambda lb_, nb, lh_, nh: nb == nh)
        take(lambda lb_, nb, lh_, nh: self._sig(nb, self.base) == self._sig(nh, self.head))
        result.removed = [entry for entry in base if entry is not None]
        result.added = [head[hi] for hi in free]
        return result

    @staticmethod
    def _sig(node: Any, doc: Document) -> object:
        target, _ = doc.resolve(node)
        return schema_types(target), target.get("format") if isinstance(target, dict) else None
