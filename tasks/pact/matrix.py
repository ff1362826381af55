"""The verification matrix: which provider version was verified against which consumer version.

Every pact run records one entry per verified pact in `<run>/<phase>/pact/matrix.json` (the
build phase: `<run>/build/pact/matrix.json`). The store is the database: `load_entries` scans
every run's matrix file (local path or fsspec URL alike), so any later run, or
`qeflow contracts matrix`, can answer "is provider version X verified against every consumer?"

"Every consumer" means the consumers of the provider's newest recorded verification, i.e. the
pacts the team has now (a consumer that dropped its pact stops counting), each at the consumer
version verified then. Version X is verified against a consumer when the newest entry for X and
that consumer passed, for that same consumer version. A consumer with no entry for X is
"unknown", which is not verified.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from tasks.evidence import EvidenceStore

__all__ = [
    "MATRIX_FILE",
    "ConsumerVerdict",
    "MatrixEntry",
    "MatrixTable",
    "format_matrix",
    "load_entries",
    "matrix_table",
]

MATRIX_FILE = "matrix.json"
_MIN_PREFIX = 7  # a provider version may be given as a short sha


@dataclass(frozen=True)
class MatrixEntry:
    consumer: str
    consumer_version: str  # "unknown" when neither the pact nor git could tell
    consumer_version_source: str  # "pact" | "git" | "broker" | "unknown"
    provider: str
    provider_version: str  # head sha of the run
    result: str  # "verified" | "failed"
    interactions: int
    verified: int
    failed: int
    pact: str  # where the pact came from (path relative to the service dir, or broker URL)
    verified_at: str  # ISO 8601, UTC
    run_id: str

    @property
    def passed(self) -> bool:
        return self.result == "verified"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MatrixEntry:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


def load_entries(store: EvidenceStore, provider: str | None = None) -> list[MatrixEntry]:
    """Every matrix entry in the store (optionally of one provider), oldest first."""
    pattern = store.join("*", "*", "pact", MATRIX_FILE)
    entries: list[MatrixEntry] = []
    for path in sorted(store.fs.glob(pattern)):
        try:
            with store.fs.open(path, "r", encoding="utf-8") as handle:
                data = json.load(handle)
            items = [MatrixEntry.from_json(item) for item in data.get("entries", [])]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue  # a run still writing, or not a matrix file: not evidence of anything
        entries.extend(e for e in items if provider is None or e.provider == provider)
    entries.sort(key=lambda e: (e.verified_at, e.run_id))
    return entries


def _same_version(recorded: str, asked: str) -> bool:
    if recorded == asked:
        return True
    return len(asked) >= _MIN_PREFIX and recorded.startswith(asked)


@dataclass(frozen=True)
class ConsumerVerdict:
    consumer: str
    current_version: str  # the consumer version of the newest verification of the provider
    entry: MatrixEntry | None  # newest entry for the asked provider version and this consumer
    verified: bool

    @property
    def reason(self) -> str:
        if self.entry is None:
            return "never verified"
        if self.entry.consumer_version != self.current_version:
            return f"verified against {self.entry.consumer_version}, not the current {self.current_version}"
        return "verified" if self.entry.passed else "failed"


@dataclass(frozen=True)
class MatrixTable:
    provider: str
    version: str | None
    rows: list[MatrixEntry]  # newest first
    verdicts: list[ConsumerVerdict] = field(default_factory=list)  # when a version was asked

    @property
    def verified(self) -> bool | None:
        """For the asked version: verified against every consumer (None when none was asked)."""
        if self.version is None:
            return None
        return bool(self.verdicts) and all(v.verified for v in self.verdicts)

    def to_json(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "version": self.version,
            "verified_against_every_consumer": self.verified,
            "consumers": [
                {
                    "consumer": v.consumer,
                    "current_version": v.current_version,
                    "verified": v.verified,
                    "reason": v.reason,
                    "run_id": v.entry.run_id if v.entry else None,
                }
                for v in self.verdicts
            ],
            "rows": [row.to_json() for row in self.rows],
        }


def matrix_table(store: EvidenceStore, provider: str, version: str | None = None) -> MatrixTable:
    """The provider's matrix (newest first); with `version`, whether it is verified against every consumer."""
    entries = load_entries(store, provider)
    rows = [e for e in reversed(entries) if version is None or _same_version(e.provider_version, version)]
    if version is None:
        return MatrixTable(provider, None, rows)
    verdicts: list[ConsumerVerdict] = []
    if entries:
        newest_run = entries[-1].run_id
        current = {e.consumer: e.consumer_version for e in entries if e.run_id == newest_run}
        for consumer, consumer_version in sorted(current.items()):
            mine = [e for e in rows if e.consumer == consumer]  # newest first
            entry = mine[0] if mine else None
            ok = entry is not None and entry.passed and entry.consumer_version == consumer_version
            verdicts.append(ConsumerVerdict(consumer, consumer_version, entry, ok))
    return MatrixTable(provider, version, rows, verdicts)


def format_matrix(table: MatrixTable) -> str:
    """Plain-text table for the CLI: one row per verification, then the answer when asked."""
    header = ("CONSUMER", "C.VERSION", "PROVIDER VERSION", "RESULT", "WHEN", "RUN")
    lines = [header] + [
        (r.consumer, r.consumer_version[:12], r.provider_version[:12], r.result, r.verified_at[:19], r.run_id)
        for r in table.rows
    ]
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    text = [f"{table.provider}: {len(table.rows)} verification(s)" + (f" of {table.version}" if table.version else "")]
    text += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in lines]
    if table.version is not None:
        if not table.verdicts:
            text.append(f"{table.provider} {table.version}: no verification recorded for this provider")
        for verdict in table.verdicts:
            text.append(f"  {verdict.consumer} {verdict.current_version[:12]}: {verdict.reason}")
        answer = "yes" if table.verified else "no"
        text.append(f"{table.provider} {table.version} verified against every consumer: {answer}")
    return "\n".join(text)
