"""Consumer pacts on disk: find them, read who they are between, and which consumer version.

A pact file is Pact JSON (specification V2, V3 or V4): `consumer.name`, `provider.name` and
`interactions` (V4 also puts messages there; V3 message pacts use `messages`). The consumer
version is not part of the specification for files (a broker knows it): qeflow takes it from
the pact itself when a tool wrote one there (`consumer.version`, `metadata.consumerVersion`,
or the broker's `_links.pb:consumer-version.name` in a downloaded pact), and otherwise from git:
the commit that last changed the pact file, as of head.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks.errors import ReportError
from tasks.git import git

__all__ = ["PactFile", "consumer_version_in", "find_pacts", "git_version", "read_pact", "state_names"]


@dataclass(frozen=True)
class PactFile:
    path: Path
    consumer: str
    provider: str
    interactions: int
    states: tuple[str, ...]  # provider state names the interactions use, in order of appearance
    spec_version: str | None
    consumer_version: str | None  # from the pact itself; None when it carries none
    raw: dict[str, Any]

    def interaction_states(self) -> list[tuple[str, list[str]]]:
        """(description, provider state names) of each interaction, in the pact's order."""
        return [
            (
                str(item.get("description", "")),
                [str(s.get("name", "")) for s in item.get("providerStates", []) if isinstance(s, dict)]
                + ([str(item["providerState"])] if item.get("providerState") else []),
            )
            for item in _interactions(self.raw)
        ]


def _interactions(pact: dict[str, Any]) -> list[dict[str, Any]]:
    items = [*pact.get("interactions", []), *pact.get("messages", [])]
    return [item for item in items if isinstance(item, dict)]


def state_names(pact: dict[str, Any]) -> tuple[str, ...]:
    """Every provider state name the pact's interactions use (V2 `providerState` too)."""
    names: dict[str, None] = {}
    for item in _interactions(pact):
        for state in item.get("providerStates", []):
            if isinstance(state, dict) and state.get("name"):
                names[str(state["name"])] = None
        if item.get("providerState"):
            names[str(item["providerState"])] = None
    return tuple(names)


def consumer_version_in(pact: dict[str, Any]) -> str | None:
    """The consumer version a pact carries, if any tool wrote one."""
    consumer = pact.get("consumer") if isinstance(pact.get("consumer"), dict) else {}
    metadata = pact.get("metadata") if isinstance(pact.get("metadata"), dict) else {}
    links = pact.get("_links") if isinstance(pact.get("_links"), dict) else {}
    broker = links.get("pb:consumer-version") if isinstance(links.get("pb:consumer-version"), dict) else {}
    for value in (consumer.get("version"), metadata.get("consumerVersion"), broker.get("name")):
        if isinstance(value, str) and value:
            return value
    return None


def read_pact(path: Path) -> PactFile:
    """Read one pact file; anything that is not a pact raises ReportError naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"unreadable pact ({exc})", path=str(path)) from exc
    except json.JSONDecodeError as exc:
        raise ReportError(f"not valid JSON ({exc})", path=str(path)) from exc
    if not isinstance(data, dict):
        raise ReportError("not a pact: the top level is not a JSON object", path=str(path))
    names = {}
    for role in ("consumer", "provider"):
        value = data.get(role)
        name = value.get("name") if isinstance(value, dict) else None
        if not isinstance(name, str) or not name:
            raise ReportError(f"not a pact: no {role}.name", path=str(path))
        names[role] = name
    if not isinstance(data.get("interactions", data.get("messages")), list):
        raise ReportError("not a pact: no interactions (or messages) list", path=str(path))
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    spec = metadata.get("pactSpecification") or metadata.get("pact-specification") or {}
    return PactFile(
        path=path,
        consumer=names["consumer"],
        provider=names["provider"],
        interactions=len(_interactions(data)),
        states=state_names(data),
        spec_version=str(spec.get("version")) if isinstance(spec, dict) and spec.get("version") else None,
        consumer_version=consumer_version_in(data),
        raw=data,
    )


def find_pacts(directory: Path) -> list[Path]:
    """The pact files of a directory: its `*.json` files, not recursing (states/ lives there)."""
    return sorted(p for p in directory.glob("*.json") if p.is_file())


def git_version(repo: Path, head: str, repo_path: str) -> str | None:
    """The commit (as of head) that last changed `repo_path`; None when git has no such file."""
    sha = git(repo, "log", "-1", "--format=%H", head, "--", repo_path, check=False).strip()
    return sha or None
