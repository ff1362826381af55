"""The ignore file: contract breaks a team has accepted, each with a reason and an expiry date.

    # .qeflow-contract-ignore.yaml (in the service directory, read at head)
    - check: response-property-removed
      location: "GET /users/{id} response 200 application/json $.name"   # or an operation, a JSON path, a glob
      reason: "clients migrated to full_name (PLAT-142)"
      expires: 2026-06-30

An entry hides the findings of its check whose location, operation or JSON path equals its
`location` or matches it as a glob (`*` any text, `?` one character; nothing else is special,
so `[*]` in a JSON path matches itself). From the day after `expires` on, the entry stops hiding
anything and becomes a WARN finding of its own (`contract-ignore-expired`). A malformed file is
an error naming the file and the entry.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from tasks.contract_check.engine import Change
from tasks.contract_check.loader import parse_text
from tasks.contract_check.model import ContractError, Level

__all__ = ["EXPIRED_RULE", "IgnoreEntry", "IgnoreOutcome", "apply_ignores", "parse_ignore_file"]

EXPIRED_RULE = "contract-ignore-expired"


class IgnoreEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    check: str = Field(min_length=1, description="Check id, e.g. response-property-removed.")
    location: str = Field(min_length=1, description="Location, operation or JSON path; exact or a glob.")
    reason: str = Field(min_length=1, description="Why this break is accepted (required).")
    expires: date = Field(description="ISO date after which the entry stops hiding its findings.")

    @field_validator("reason")
    @classmethod
    def _reason_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a reason is required (why is this break accepted?)")
        return value

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in self.location)
        return re.compile("".join(parts), re.DOTALL)

    def matches(self, change: Change) -> bool:
        if change.check != self.check:
            return False
        candidates = [change.location, change.operation or "", change.path]
        return any(c and (c == self.location or self._pattern.fullmatch(c)) for c in candidates)


def parse_ignore_file(text: str, file: str, valid_checks: Collection[str]) -> list[IgnoreEntry]:
    """Parse and validate the ignore file; `ContractError` names the file and the entry."""
    data = parse_text(text, file)
    if data is None:
        return []
    if isinstance(data, dict) and set(data) == {"ignore"}:
        data = data["ignore"] or []
    if not isinstance(data, list):
        raise ContractError(f"{file}: expected a list of entries (check, location, reason, expires)")
    entries = []
    for index, raw in enumerate(data, start=1):
        if not isinstance(raw, dict):
            raise ContractError(f"{file}: entry {index}: expected a mapping with check, location, reason, expires")
        try:
            entry = IgnoreEntry.model_validate(raw)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in exc.errors())
            raise ContractError(f"{file}: entry {index}: {problems}") from None
        if entry.check not in valid_checks:
            raise ContractError(
                f"{file}: entry {index}: unknown check {entry.check!r}; valid: {', '.join(sorted(valid_checks))}"
            )
        entries.append(entry)
    return entries


@dataclass
class IgnoreOutcome:
    kept: list[Change] = field(default_factory=list)
    ignored: list[tuple[Change, IgnoreEntry]] = field(default_factory=list)
    expired: list[Change] = field(default_factory=list)  # WARN findings, one per expired entry
    unused: list[IgnoreEntry] = field(default_factory=list)


def apply_ignores(changes: list[Change], entries: list[IgnoreEntry], today: date, file: str) -> IgnoreOutcome:
    outcome = IgnoreOutcome()
    active = [e for e in entries if e.expires >= today]
    used: set[int] = set()
    for change in changes:
        entry = next((e for e in active if e.matches(change)), None)
        if entry is None:
            outcome.kept.append(change)
        else:
            outcome.ignored.append((change, entry))
            used.add(id(entry))
    for index, entry in enumerate(entries, start=1):
        if entry.expires < today:
            still = sum(1 for c in changes if entry.matches(c))
            text = (
                f"ignore entry for {entry.check} at {entry.location!r} expired on {entry.expires}: "
                f"it no longer hides its findings ({still} reported again); its reason was: {entry.reason}"
            )
            outcome.expired.append(Change(EXPIRED_RULE, Level.WARN, None, f"{file} entry {index}", text))
        elif id(entry) not in used:
            outcome.unused.append(entry)
    return outcome
