"""The Pact verifier's results, as data: one outcome per interaction, with every mismatch.

Read from the verifier's own JSON (`Verifier.results`, pact_ffi's `verifier_json`):

    {"result": bool,
     "interactionResults": [{"consumer", "description", "providerStates": [names], "pending",
                             "result": "OK" | "Error", "duration",
                             "mismatch": {"type": "mismatches", "mismatches": [{"type":
                                          "BodyMismatch", "path", "expected", "actual",
                                          "mismatch"}]}
                                       | {"type": "error", "message"}}],
     "errors": [...], "pendingErrors": [...], "output": [lines]}

An interaction of the pact that the verifier reports no result for counts as failed: no
evidence, no pass. A failed state change is explained with the state handler's own message
(`states.json` of the worker), which says which state lacks a fixture or why its SQL failed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["InteractionOutcome", "Mismatch", "outcomes"]

_MAX_TEXT = 400


def _short(value: object) -> str:
    text = value if isinstance(value, str) else "" if value is None else str(value)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


@dataclass(frozen=True)
class Mismatch:
    kind: str  # BodyMismatch, StatusMismatch, HeaderMismatch, ..., or "error"
    message: str
    path: str = ""
    expected: str = ""
    actual: str = ""

    def describe(self) -> str:
        where = f" at {self.path}" if self.path else ""
        text = f"{self.kind}{where}: {self.message}"
        if self.expected or self.actual:
            text += f" (expected {self.expected or '-'}, actual {self.actual or '-'})"
        return text


@dataclass(frozen=True)
class InteractionOutcome:
    consumer: str
    description: str
    states: list[str]
    ok: bool
    pending: bool = False
    duration: str = ""
    mismatches: list[Mismatch] = field(default_factory=list)
    reported: bool = True  # False: the verifier gave no result for it (counted as failed)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _mismatches(raw: Mapping[str, Any] | None, state_errors: Mapping[str, str], states: list[str]) -> list[Mismatch]:
    if not raw:
        return []
    if raw.get("type") == "error":
        message = _short(raw.get("message"))
        reasons = [f"{name!r}: {state_errors[name]}" for name in states if name in state_errors]
        if "" in state_errors and not states:
            reasons.append(f"(no provider state): {state_errors['']}")
        if reasons:
            message += " — " + "; ".join(reasons)
        return [Mismatch("error", message)]
    found = []
    for item in raw.get("mismatches", []):
        if isinstance(item, dict):
            found.append(
                Mismatch(
                    kind=str(item.get("type", "Mismatch")),
                    message=_short(item.get("mismatch")),
                    path=str(item.get("path", "")),
                    expected=_short(item.get("expected")),
                    actual=_short(item.get("actual")),
                )
            )
    return found


def outcomes(
    results: Mapping[str, Any],
    *,
    consumer: str,
    expected: Iterable[tuple[str, list[str]]],
    state_calls: Iterable[Mapping[str, Any]] = (),
) -> list[InteractionOutcome]:
    """One outcome per interaction of the pact (`expected`: its (description, states) pairs)."""
    state_errors = {str(c.get("state", "")): str(c.get("message", "")) for c in state_calls if not c.get("ok", True)}
    found: list[InteractionOutcome] = []
    seen: set[tuple[str, tuple[str, ...]]] = set()
    for item in results.get("interactionResults", []) or []:
        if not isinstance(item, dict):
            continue
        description = str(item.get("description", ""))
        states = [str(s) for s in item.get("providerStates", []) or []]
        seen.add((description, tuple(states)))
        found.append(
            InteractionOutcome(
                consumer=str(item.get("consumer") or consumer),
                description=description,
                states=states,
                ok=item.get("result") == "OK",
                pending=bool(item.get("pending")),
                duration=str(item.get("duration", "")),
                mismatches=_mismatches(item.get("mismatch"), state_errors, states),
            )
        )
    for description, states in expected:
        if (description, tuple(states)) not in seen:
            found.append(
                InteractionOutcome(
                    consumer=consumer,
                    description=description,
                    states=list(states),
                    ok=False,
                    mismatches=[Mismatch("error", "the verifier reported no result for this interaction")],
                    reported=False,
                )
            )
    return found
