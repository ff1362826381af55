"""GraphQL schemas: breaking and dangerous changes from graphql-core, mapped to ERR and WARN.

`find_breaking_changes` gives ERR, `find_dangerous_changes` WARN; root fields added are INFO.
Check ids are the graphql-core change types, kebab-cased: `graphql-field-removed`,
`graphql-value-added-to-enum`... The "operations" of a GraphQL API are its root fields
(`Query.users`, `Mutation.createUser`); one is changed when its arguments, its type or any type
reachable from it changed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from graphql import GraphQLError, GraphQLSchema, build_schema
from graphql.type import (
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLUnionType,
    get_named_type,
)
from graphql.utilities import (
    BreakingChangeType,
    DangerousChangeType,
    find_breaking_changes,
    find_dangerous_changes,
    print_type,
)

from tasks.contract_check.engine import Change, ContractDiff
from tasks.contract_check.loader import Reader
from tasks.contract_check.model import ContractError, Level

__all__ = ["GRAPHQL_CHECKS", "diff_graphql", "graphql_operations", "load_sdl"]


def _check_id(name: str) -> str:
    return "graphql-" + name.lower().replace("_", "-")


GRAPHQL_CHECKS: dict[str, Level] = {
    **{_check_id(t.name): Level.ERR for t in BreakingChangeType},
    **{_check_id(t.name): Level.WARN for t in DangerousChangeType},
    "graphql-operation-added": Level.INFO,
}
"""Check id -> default level, for every GraphQL change qeflow reports."""

_TOKEN = re.compile(r"@?[A-Za-z_][\w.]*(?:\(\w+:\))?")


def load_sdl(read: Reader, path: str) -> GraphQLSchema | None:
    """Build the schema from SDL at `path`; None when the file does not exist."""
    text = read(path)
    if text is None:
        return None
    try:
        return build_schema(text)
    except GraphQLError as exc:
        where = f" at line {exc.locations[0].line}, column {exc.locations[0].column}" if exc.locations else ""
        raise ContractError(f"{path}: invalid GraphQL schema: {exc.message}{where}") from exc
    except (TypeError, ValueError) as exc:
        raise ContractError(f"{path}: invalid GraphQL schema: {exc}") from exc


def _roots(schema: GraphQLSchema) -> dict[str, Any]:
    fields = {}
    for root in (schema.query_type, schema.mutation_type, schema.subscription_type):
        if root is not None:
            for name, field in root.fields.items():
                fields[f"{root.name}.{name}"] = field
    return fields


def graphql_operations(schema: GraphQLSchema) -> list[str]:
    return sorted(_roots(schema))


def _reachable(field: Any) -> list[Any]:
    """Named types reachable from a root field (its type and arguments, transitively)."""
    seen: dict[str, Any] = {}
    stack = [get_named_type(field.type), *(get_named_type(a.type) for a in field.args.values())]
    while stack:
        named = stack.pop()
        if named is None or named.name in seen:
            continue
        seen[named.name] = named
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for sub in named.fields.values():
                stack.append(get_named_type(sub.type))
                stack.extend(get_named_type(a.type) for a in sub.args.values())
            stack.extend(named.interfaces)
        elif isinstance(named, GraphQLUnionType):
            stack.extend(named.types)
        elif isinstance(named, GraphQLInputObjectType):
            stack.extend(get_named_type(f.type) for f in named.fields.values())
    return [seen[name] for name in sorted(seen)]


def _fingerprint(field: Any) -> str:
    args = ", ".join(f"{n}: {a.type} = {a.default_value!r}" for n, a in field.args.items())
    return f"({args}): {field.type}\n" + "\n".join(print_type(t) for t in _reachable(field))


def _location(description: str, base: GraphQLSchema, head: GraphQLSchema) -> str:
    tokens = _TOKEN.findall(description)
    for token in tokens:
        if "." in token.rstrip("."):
            return token.rstrip(".")
    for token in tokens:
        name = token.rstrip(".")
        if name in base.type_map or name in head.type_map or name.lstrip("@") in {d.name for d in base.directives}:
            return name
    return description.rstrip(".")


def diff_graphql(base: GraphQLSchema, head: GraphQLSchema, levels: Mapping[str, Level] | None = None) -> ContractDiff:
    """Breaking (ERR), dangerous (WARN) and added root fields (INFO) between two schemas."""
    t0 = time.perf_counter()
    levels = levels or {}
    changes: list[Change] = []
    roots_b, roots_h = _roots(base), _roots(head)

    def record(check: str, description: str) -> None:
        level = levels.get(check) or GRAPHQL_CHECKS[check]
        location = _location(description, base, head)
        operation = location if location in roots_h or location in roots_b else None
        changes.append(Change(check, level, operation, location, description, ""))

    for change in find_breaking_changes(base, head):
        record(_check_id(change.type.name), change.description)
    for danger in find_dangerous_changes(base, head):
        record(_check_id(danger.type.name), danger.description)
    added = sorted(n for n in roots_h if n not in roots_b)
    removed = sorted(n for n in roots_b if n not in roots_h)
    for name in added:
        record("graphql-operation-added", f"Field {name} was added.")
    changed = sorted(n for n in roots_h if n in roots_b and _fingerprint(roots_b[n]) != _fingerprint(roots_h[n]))
    return ContractDiff(
        changes=changes,
        operations_base=sorted(roots_b),
        operations_head=sorted(roots_h),
        added=added,
        changed=changed,
        removed=removed,
        checks_run=list(GRAPHQL_CHECKS),
        diff_s=time.perf_counter() - t0,
    )
