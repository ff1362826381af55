"""Running analyzer commands side by side and reading what they wrote.

A `Job` is one analyzer command over one set of files in one directory (head's checkout, or the
base tree). Jobs run concurrently in threads — they are separate processes, so a two-core machine
overlaps node's and semgrep's start-up — and each writes its JSON report to a file in the
evidence directory, its console output to a log beside it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tasks.errors import QeflowError, ReportError
from tasks.processes import CommandResult, run_command
from tasks.static_analysis.analyzers import TOOLS
from tasks.static_analysis.parsers import Parsed
from tasks.static_analysis.settings import Analyzer

__all__ = ["Job", "JobOutcome", "run_jobs"]

MAX_PARALLEL = 4


@dataclass(frozen=True)
class Job:
    analyzer: Analyzer
    label: str  # "head", "base", or "head+base" (semgrep reads both trees in one run)
    argv: tuple[str, ...]
    cwd: Path
    output: Path  # the JSON report the command writes
    log: Path
    files: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class JobOutcome:
    job: Job
    result: CommandResult
    parsed: Parsed


def _load(job: Job, result: CommandResult) -> Any:
    if not job.output.is_file():
        raise ReportError(
            f"{job.analyzer.value} wrote no report ({result.describe()}); last output:\n{result.tail(15)}",
            path=str(job.output),
        )
    try:
        return json.loads(job.output.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ReportError(f"{job.analyzer.value} report is not valid JSON: {exc}", path=str(job.output)) from exc


def _run(job: Job, timeout_s: float, cancel: threading.Event | None, overrides: Any) -> JobOutcome:
    job.output.unlink(missing_ok=True)
    tool = TOOLS[job.analyzer]
    result = run_command(
        job.argv, cwd=job.cwd, log_path=job.log, env={**tool.env, **job.env}, timeout_s=timeout_s, cancel=cancel
    )
    if result.timed_out or result.cancelled:
        raise QeflowError(f"{job.analyzer.value} ({job.label}) did not finish: {result.describe()}")
    if result.returncode not in tool.ok_exit_codes:
        tail = result.tail(15).strip()
        raise QeflowError(
            f"{job.analyzer.value} ({job.label}) failed: {result.describe()}"
            + (f"; last output:\n{tail}" if tail else "")
        )
    data = _load(job, result)
    try:
        parsed = tool.parse(data, cwd=job.cwd, overrides=overrides)
    except (KeyError, TypeError, ValueError) as exc:
        raise ReportError(
            f"{job.analyzer.value} report has an unexpected shape: {exc!r}", path=str(job.output)
        ) from exc
    return JobOutcome(job, result, parsed)


def run_jobs(
    jobs: Sequence[Job], *, timeout_s: float, cancel: threading.Event | None = None, overrides: Any = None
) -> list[JobOutcome]:
    """Run every job (concurrently) and parse its report; the first failure is raised."""
    if not jobs:
        return []
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(jobs)), thread_name_prefix="static") as pool:
        futures = [pool.submit(_run, job, timeout_s, cancel, overrides or {}) for job in jobs]
        return [future.result() for future in futures]
