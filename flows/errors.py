"""`PipelineFailed`: the exception a failed pipeline run's state carries, with its report."""

from __future__ import annotations

from typing import Any

from tasks.errors import QeflowError

__all__ = ["PipelineFailed"]


class PipelineFailed(QeflowError):
    def __init__(self, report: dict[str, Any], *, phase: str, state: str):
        self.report = report
        self.phase = phase
        self.state = state
        super().__init__(f"pipeline halted by the {phase} phase ({state})")
