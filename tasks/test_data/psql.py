"""PostgreSQL through `psql`, argv only: queries, and COPY FROM STDIN fed through its stdin.

Why psql and not a driver (measured on this 2-CPU machine, 100k rows of 5 columns with a primary
key and a UNIQUE text column, a prebuilt COPY buffer, median of 5): psql 298k rows/s, psycopg 3
`copy.write` 390k rows/s. The driver is ~30% faster on raw COPY, but that is not where the time
goes: on the example's users table (random emails into a UNIQUE index, a timestamp index) COPY of
the same 100k generated rows takes 1.12 s through psql and 1.02 s through psycopg (index
maintenance dominates), and the whole load of a simple table runs at 4x the 50,000 rows/s target
through psql (bench/test_data_rows.py). A process costs ~11.6 ms against ~0.2 ms per driver query, paid
two or three times per table; introspection is one query whose only parameter (the schema name)
psql quotes itself (`:'schema'`). psql is already on the machine beside initdb, its verbose errors
carry the fields a driver gives (SQLSTATE, table, column, constraint, `COPY t, line N`), and argv
plus stdin is how qeflow runs every tool. Revisit when tables of millions of rows make the raw
COPY rate the bottleneck.

Errors: `-v VERBOSITY=verbose` makes psql print `ERROR:  23505: message`, then DETAIL, CONTEXT,
SCHEMA NAME, TABLE NAME, COLUMN NAME, CONSTRAINT NAME lines; `parse_error()` reads them into a
`PgError`. The process runs in its own session and is tracked by `tasks.processes.reaper`, so an
interrupted run kills it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tasks.errors import QeflowError
from tasks.processes import reaper, terminate_group

__all__ = ["PgError", "Psql", "PsqlFailed", "parse_error", "quote_ident"]


def quote_ident(name: str) -> str:
    """A SQL identifier, always double-quoted: `Order` -> "Order"."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class PgError:
    """A server error as psql prints it in verbose mode."""

    sqlstate: str
    message: str
    detail: str = ""
    context: str = ""
    table: str = ""
    column: str = ""
    constraint: str = ""

    @property
    def line(self) -> int | None:
        """The COPY input line that failed (1-based), when the error names one."""
        match = re.search(r"COPY [^,]+, line (\d+)", self.context)
        return int(match.group(1)) if match else None

    @property
    def is_violation(self) -> bool:
        """The server refused the rows: class 23 (integrity constraint: unique, check, foreign key,
        not null, exclusion) or class 22 (data exception: value too long, out of range, bad input)."""
        return self.sqlstate[:2] in ("22", "23")

    @property
    def culprit(self) -> str:
        """What refused the rows: the constraint, else the column, else the SQLSTATE."""
        return self.constraint or (f"column {self.column}" if self.column else f"SQLSTATE {self.sqlstate}")

    def describe(self) -> str:
        parts = [self.message]
        if self.detail:
            parts.append(self.detail)
        if self.line is not None:
            parts.append(f"COPY line {self.line}")
        return "; ".join(parts)


_FIELDS = {
    "DETAIL": "detail",
    "CONTEXT": "context",
    "TABLE NAME": "table",
    "COLUMN NAME": "column",
    "CONSTRAINT NAME": "constraint",
}
_ERROR = re.compile(r"^(?:psql:[^:]*:\d+: )?(?:ERROR|FATAL):\s+(?:(?P<state>[0-9A-Z]{5}):\s+)?(?P<message>.*)$")


def parse_error(stderr: str) -> PgError | None:
    """The first server error in psql's verbose stderr, or None."""
    found: dict[str, str] = {}
    state = message = None
    for line in stderr.splitlines():
        if state is None:
            match = _ERROR.match(line)
            if match:
                state, message = match["state"] or "", match["message"]
            continue
        key, sep, value = line.partition(":")
        if sep and key in _FIELDS and _FIELDS[key] not in found:
            found[_FIELDS[key]] = value.strip()
        elif line.startswith(("ERROR:", "psql:")):
            break
    if state is None or message is None:
        return None
    return PgError(state, message, **found)


class PsqlFailed(QeflowError):
    """psql exited non-zero; `error` holds the server error when there was one."""

    def __init__(self, message: str, *, error: PgError | None, stderr: str):
        self.error = error
        self.stderr = stderr
        super().__init__(message)


@dataclass(frozen=True)
class PsqlResult:
    stdout: str
    stderr: str
    duration_s: float


class Psql:
    """Runs psql against one database URL; every call logs its commands and stderr to `log_path`."""

    def __init__(
        self,
        psql: Path,
        url: str,
        *,
        log_path: Path,
        timeout_s: float = 600,
        cancel: threading.Event | None = None,
    ):
        self.psql = Path(psql)
        self.url = url
        self.log_path = log_path
        self.timeout_s = timeout_s
        self.cancel = cancel
        self._log_lock = threading.Lock()

    def _argv(self, *, single_transaction: bool, variables: Mapping[str, str]) -> list[str]:
        argv = [str(self.psql), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-v", "VERBOSITY=verbose"]
        for name, value in variables.items():
            argv += ["-v", f"{name}={value}"]
        if single_transaction:
            argv.append("-1")
        return [*argv, "-d", self.url]

    def run(
        self,
        commands: Sequence[str],
        *,
        stdin: bytes = b"",
        single_transaction: bool = True,
        what: str = "psql",
    ) -> PsqlResult:
        """Run `-c` commands in order (one transaction by default); raise PsqlFailed on error."""
        argv = self._argv(single_transaction=single_transaction, variables={})
        for command in commands:
            argv += ["-c", command]
        return self._execute(argv, stdin, what, shown=commands)

    def script(self, sql: str, *, variables: Mapping[str, str] | None = None, what: str = "psql") -> PsqlResult:
        """Run a SQL script read from stdin (`-f -`), where :'name' variables are substituted."""
        argv = [*self._argv(single_transaction=False, variables=variables or {}), "-f", "-"]
        return self._execute(argv, sql.encode("utf-8"), what, shown=[f"-f - ({len(sql)} characters of SQL)"])

    def query_json(self, sql: str, *, variables: Mapping[str, str] | None = None, what: str = "query") -> Any:
        """Run a script whose single output is one JSON value, and parse it."""
        out = self.script(sql, variables=variables, what=what).stdout.strip()
        try:
            return json.loads(out) if out else None
        except json.JSONDecodeError as exc:
            raise QeflowError(f"{what}: psql printed something that is not JSON: {out[:200]!r}") from exc

    def _execute(self, argv: list[str], stdin: bytes, what: str, shown: Sequence[str]) -> PsqlResult:
        started = time.monotonic()
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env=_env(),
        )
        reaper.track(proc)
        deadline = started + self.timeout_s
        # Threads feed stdin and drain stdout/stderr: Popen.communicate() cannot be retried
        # after a timeout with input still unsent (it stops writing), and psql may block on a
        # full pipe otherwise.
        chunks: dict[str, bytes] = {}
        pumps = [
            threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True),
            threading.Thread(target=_drain, args=(proc.stdout, chunks, "out"), daemon=True),
            threading.Thread(target=_drain, args=(proc.stderr, chunks, "err"), daemon=True),
        ]
        stopped: list[str] = []
        done = threading.Event()

        def watchdog() -> None:  # the caller blocks in wait(): no polling delay on the way out
            while not done.wait(0.2):
                if self.cancel is not None and self.cancel.is_set():
                    stopped.append("was cancelled")
                elif time.monotonic() > deadline:
                    stopped.append(f"timed out after {self.timeout_s:g}s")
                else:
                    continue
                terminate_group(proc, grace_s=2.0)
                return

        for pump in [*pumps, threading.Thread(target=watchdog, daemon=True)]:
            pump.start()
        try:
            proc.wait()
            for pump in pumps:
                pump.join(timeout=10)
        finally:
            done.set()
            terminate_group(proc, grace_s=1.0)
        if stopped:
            err_text = chunks.get("err", b"").decode(errors="replace")
            raise PsqlFailed(f"{what}: psql {stopped[0]}", error=None, stderr=err_text)
        out, err = chunks.get("out", b""), chunks.get("err", b"")
        duration = time.monotonic() - started
        stdout, stderr = out.decode("utf-8", errors="replace"), err.decode("utf-8", errors="replace")
        self._log(what, shown, proc.returncode, duration, len(stdin), stderr)
        if proc.returncode != 0:
            error = parse_error(stderr)
            headline = error.describe() if error else (stderr.strip().splitlines() or ["no output"])[-1]
            raise PsqlFailed(f"{what}: {headline}", error=error, stderr=stderr)
        return PsqlResult(stdout, stderr, duration)

    def _log(self, what: str, shown: Sequence[str], code: int | None, duration: float, sent: int, stderr: str) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"## {what}: exit {code} in {duration:.3f}s, {sent} bytes on stdin"]
        lines += [f"   {c}" for c in shown]
        if stderr.strip():
            lines += [f"   | {line}" for line in stderr.strip().splitlines()]
        with self._log_lock, open(self.log_path, "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")


def _feed(pipe: Any, data: bytes) -> None:
    try:
        with contextlib.suppress(BrokenPipeError):  # psql stopped reading: its error says why
            view = memoryview(data)
            for at in range(0, len(view), 1 << 16):
                pipe.write(view[at : at + (1 << 16)])
    finally:
        with contextlib.suppress(OSError):
            pipe.close()


def _drain(pipe: Any, into: dict[str, bytes], key: str) -> None:
    with contextlib.suppress(OSError):
        into[key] = pipe.read()
        pipe.close()


def _env() -> dict[str, str]:
    return {**os.environ, "PGCONNECT_TIMEOUT": "10", "PGAPPNAME": "qeflow-test-data", "PGCLIENTENCODING": "UTF8"}
