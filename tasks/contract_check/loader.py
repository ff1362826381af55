"""OpenAPI documents read from a git revision (or any reader), with `$ref`s made resolvable.

`load_document(read, path)` parses YAML or JSON, then loads every file a `$ref` points to,
relative to the file that holds the `$ref`, through the same reader (so a document at base is
read entirely from base). Every `$ref` is rewritten once to a canonical form: `#/pointer` for the
root file, `dir/other.yaml#/pointer` (repo-relative) for other files. `Document.resolve` then
follows a `$ref` to the node it names; nodes are never copied, so the identity of a resolved node
is the identity of its `$ref` target, which the diff engine uses to stop on recursive schemas.

`validate_document` runs openapi-spec-validator on a document (3.0, 3.1 or 3.2) and raises
`ContractError` naming the file and the place.
"""

from __future__ import annotations

import json
import posixpath
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from tasks.contract_check.model import ContractError

__all__ = ["Document", "git_reader", "load_document", "parse_text", "path_reader", "validate_document"]

Reader = Callable[[str], str | None]
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


def _json_key(key: Any) -> Any:
    if isinstance(key, str):
        return key
    if isinstance(key, bool) or key is None:
        return json.dumps(key)
    return str(key) if isinstance(key, int | float) else key


class _YamlLoader(yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else yaml.SafeLoader):  # type: ignore[misc]
    """Safe YAML read as JSON would be: no implicit timestamps (`default: 2024-01-01` stays a
    string) and string keys only (`200:` is the status "200", as validators expect)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        return {_json_key(k): v for k, v in super().construct_mapping(node, deep=deep).items()}


_YamlLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_text(text: str, name: str) -> Any:
    """Parse JSON or YAML (JSON when the file ends in .json or the text starts with `{`)."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if name.endswith(".json") or stripped.startswith("{"):
        try:
            return json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ContractError(f"{name}: not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from exc
    try:
        return yaml.load(stripped, Loader=_YamlLoader)  # a safe loader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContractError(f"{name}: not valid YAML: {problem}{where}") from exc


def git_reader(repo: Path, rev: str) -> Reader:
    """Read repo-relative files at `rev` with git; None when the file does not exist there."""

    def read(path: str) -> str | None:
        listing = subprocess.run(
            ["git", "-C", str(repo), "ls-tree", "--name-only", rev, "--", path],
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
        if listing.returncode != 0:
            raise ContractError(f"git ls-tree {rev} -- {path} failed: {listing.stderr.decode(errors='replace')}")
        if listing.stdout.decode("utf-8", errors="replace").strip() != path:
            return None
        blob = subprocess.run(
            ["git", "-C", str(repo), "cat-file", "blob", f"{rev}:{path}"],
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
        if blob.returncode != 0:
            raise ContractError(f"git cat-file {rev}:{path} failed: {blob.stderr.decode(errors='replace')}")
        return blob.stdout.decode("utf-8-sig", errors="replace")

    return read


def path_reader(root: Path) -> Reader:
    """Read files below a directory (benchmarks, tools); None when missing."""

    def read(path: str) -> str | None:
        target = root / path
        return target.read_text(encoding="utf-8-sig") if target.is_file() else None

    return read


def _escape(part: object) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


@dataclass
class Document:
    """A parsed OpenAPI document and the files its `$ref`s reach."""

    file: str  # repo-relative path of the root file
    root: dict[str, Any]
    files: dict[str, Any] = field(default_factory=dict)  # every loaded file, root included
    texts: dict[str, str] = field(default_factory=dict, repr=False)  # raw text, for validation
    refs: list[tuple[str, str, str]] = field(default_factory=list, repr=False)  # (file, pointer, ref)
    _targets: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def openapi(self) -> str:
        return str(self.root.get("openapi", ""))

    @property
    def version(self) -> str:
        """ "3.0" or "3.1" (3.1 semantics also for later 3.x)."""
        return "3.0" if self.openapi.startswith("3.0") else "3.1"

    def target(self, ref: str) -> Any:
        """The node a canonical `$ref` names."""
        found = self._targets.get(ref)
        if found is not None:
            return found
        file, _, fragment = ref.partition("#")
        node = self.files.get(file or self.file)
        if node is None:
            raise ContractError(f"{self.file}: $ref {ref!r} names a file that was not loaded")
        for raw in fragment.split("/")[1:] if fragment else ():
            part = unquote(raw).replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise ContractError(f"{file or self.file}: $ref {ref!r} points to nothing ({part!r} not found)")
        self._targets[ref] = node
        return node

    def resolve(self, node: Any) -> tuple[Any, str | None]:
        """Follow `$ref`s from `node`; return the target and the last `$ref` followed (or None)."""
        label: str | None = None
        seen: list[str] = []
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            label = node["$ref"]
            if label in seen:
                raise ContractError(f"{self.file}: $ref loop without a schema: {' -> '.join([*seen, label])}")
            seen.append(label)
            node = self.target(label)
        return node, label

    def check_refs(self) -> None:
        """Resolve every `$ref` once, so a dangling one is reported with the place that holds it."""
        for file, pointer, ref in self.refs:
            try:
                self.target(ref)
            except ContractError as exc:
                raise ContractError(f"{file}: $ref at {pointer or '/'}: {exc}") from None


def _walk_refs(node: Any) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Every mapping holding a string `$ref`, with its JSON pointer parts."""
    stack: list[tuple[Any, list[str]]] = [(node, [])]
    while stack:
        current, parts = stack.pop()
        if isinstance(current, dict):
            if isinstance(current.get("$ref"), str):
                yield current, parts
            for key, value in current.items():
                if isinstance(value, dict | list):
                    stack.append((value, [*parts, _escape(key)]))
        elif isinstance(current, list):
            for index, value in enumerate(current):
                if isinstance(value, dict | list):
                    stack.append((value, [*parts, str(index)]))


def _canonical(ref: str, file: str, root_file: str, where: str) -> tuple[str, str | None]:
    """Canonical form of a `$ref` found in `file`, and the other file it needs (if any)."""
    target, hash_, fragment = ref.partition("#")
    if not target:
        return (f"#{fragment}" if file == root_file else f"{file}#{fragment}"), None
    if "://" in target or target.startswith("//"):
        raise ContractError(f"{file}: $ref {ref!r} at {where}: remote references are not supported")
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(file), target))
    if joined.startswith("../") or joined == ".." or posixpath.isabs(joined):
        raise ContractError(f"{file}: $ref {ref!r} at {where}: points outside the repository")
    fragment = fragment if hash_ else ""
    if joined == root_file:
        return f"#{fragment}", None
    return f"{joined}#{fragment}", joined


def load_document(read: Reader, path: str) -> Document | None:
    """Load the document at repo-relative `path` and every file its `$ref`s reach.

    None when the root file does not exist; `ContractError` when it or a referenced file cannot
    be parsed, a referenced file is missing, or the root is not an OpenAPI 3.x document.
    """
    text = read(path)
    if text is None:
        return None
    root = parse_text(text, path)
    if not isinstance(root, dict):
        raise ContractError(f"{path}: not an OpenAPI document (the top level is not a mapping)")
    if "swagger" in root:
        raise ContractError(f"{path}: Swagger {root['swagger']} is not supported; convert it to OpenAPI 3")
    if not str(root.get("openapi", "")).startswith("3."):
        raise ContractError(f"{path}: not an OpenAPI 3.x document (no 'openapi: 3.x' field)")
    doc = Document(file=path, root=root, files={path: root}, texts={path: text})
    queue = [path]
    while queue:
        file = queue.pop()
        for holder, parts in _walk_refs(doc.files[file]):
            where = "/" + "/".join(parts)
            canonical, needed = _canonical(holder["$ref"], file, path, where)
            holder["$ref"] = canonical
            doc.refs.append((file, where, canonical))
            if needed is not None and needed not in doc.files:
                other = read(needed)
                if other is None:
                    raise ContractError(f"{file}: $ref at {where}: file {needed} does not exist")
                doc.files[needed] = parse_text(other, needed)
                doc.texts[needed] = other
                queue.append(needed)
    doc.check_refs()
    return doc


def _where(error: Any) -> tuple[str, str]:
    """The most specific place and message of a (possibly nested) validation error."""
    while getattr(error, "context", None):
        error = max(error.context, key=lambda e: len(e.absolute_path))
    path = list(error.absolute_path)
    place = "/" + "/".join(_escape(p) for p in path) if path else "(document)"
    message = str(error.message).splitlines()[0]
    return place, message[:300] + ("..." if len(message) > 300 else "")


def validate_document(doc: Document) -> None:
    """Validate with openapi-spec-validator; raise `ContractError` naming the file and place."""
    from openapi_spec_validator.validation import (
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
        OpenAPIV32SpecValidator,
    )
    from referencing.exceptions import Unresolvable

    validators = {"3.0": OpenAPIV30SpecValidator, "3.1": OpenAPIV31SpecValidator, "3.2": OpenAPIV32SpecValidator}
    version = doc.openapi[:3]
    validator_cls = validators.get(version, OpenAPIV31SpecValidator)
    with tempfile.TemporaryDirectory(prefix="qeflow-contract-") as tmp:
        if len(doc.files) > 1:
            # The validator resolves the original relative $refs itself: give it the files of
            # this revision, parsed as here (string keys) and written as JSON under their names.
            for name, text in doc.texts.items():
                target = Path(tmp, name)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(parse_text(text, name)), encoding="utf-8")
            spec, base_uri = parse_text(doc.texts[doc.file], doc.file), Path(tmp, doc.file).as_uri()
        else:
            spec, base_uri = doc.root, ""
        try:
            error = next(iter(validator_cls(spec, base_uri=base_uri).iter_errors()), None)
        except Unresolvable as exc:
            message = f"{doc.file}: invalid OpenAPI {doc.openapi} document: unresolvable $ref: {exc}"
            raise ContractError(message) from exc
    if error is not None:
        place, message = _where(error)
        raise ContractError(f"{doc.file}: invalid OpenAPI {doc.openapi} document at {place}: {message}")
