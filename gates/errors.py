"""`GateFailed`: raised by a gate task to halt everything downstream."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tasks.errors import QeflowError

if TYPE_CHECKING:
    from gates.verdict import GateVerdict

__all__ = ["GateFailed"]


class GateFailed(QeflowError):
    """A phase's gate did not pass; carries the verdict with every failed condition."""

    def __init__(self, verdict: GateVerdict) -> None:
        self.verdict = verdict
        self.phase = verdict.phase
        failed = verdict.failed_conditions
        lines = "\n".join(f"  - {c.message()}" for c in failed)
        super().__init__(f"gate of phase {verdict.phase!r} failed ({len(failed)} condition(s)):\n{lines}")
