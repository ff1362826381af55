"""A throwaway PostgreSQL 15 cluster, so `qeflow run` needs no database server configured.

Why each odd step is here:

- PostgreSQL refuses to run as root. When qeflow runs as root (containers, CI runners), initdb,
  pg_ctl and the server run as the `postgres` OS user through `runuser -u postgres --`, and the
  cluster directory is chowned to that user. If that user cannot reach `base_dir` (a parent such
  as /root or pytest's tmp dir is mode 0700), the cluster lives in a fresh directory under the
  system temp dir instead (`cluster_dir`), and `stop()` removes both.
- pg_ctl daemonises the server (it calls setsid), so the process-group cleanup of
  `tasks.processes` does not cover it. `start()` registers `stop()` with the reaper, so a Ctrl-C or
  a crash still stops the cluster, and `stop()` kills whatever `pg_ctl stop` leaves behind.
- Durability is switched off (`--no-sync`, fsync/synchronous_commit/full_page_writes off): the
  data is thrown away after the run, and start-up and tests get several times faster.
- pg_ctl runs the server through `/bin/sh`, so paths inside its `-o` string are shell-quoted.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from types import TracebackType

from tasks.environment.ports import free_port
from tasks.errors import EnvironmentError_
from tasks.orphans import parent_map
from tasks.processes import CommandResult, reaper, run_command

__all__ = ["EmbeddedPostgres", "find_bindir"]

PG_BINDIR = Path("/usr/lib/postgresql/15/bin")
PG_USER = "postgres"  # both the OS user (as root) and the database superuser
_TOOLS = ("initdb", "pg_ctl", "createdb", "dropdb", "psql")
_START_ATTEMPTS = 5
_PORT_IN_USE = ("could not bind", "address already in use", "could not create any tcp/ip sockets")
_DB_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_MAX_SOCKET_DIR = 90  # sun_path holds 107 bytes, and "/.s.PGSQL.NNNNN" goes after the dir


def find_bindir() -> Path:
    """Directory holding initdb, pg_ctl, createdb, dropdb and psql; raise naming what is missing."""
    candidates: list[Path] = [PG_BINDIR]
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            if out:
                candidates.append(Path(out))
    for tool in ("initdb", "pg_ctl"):
        found = shutil.which(tool)
        if found:
            candidates.append(Path(found).resolve().parent)
    for bindir in dict.fromkeys(candidates):
        if all(os.access(bindir / tool, os.X_OK) for tool in _TOOLS):
            return bindir
    looked = ", ".join(str(c) for c in dict.fromkeys(candidates))
    missing = [t for t in _TOOLS if not (PG_BINDIR / t).exists()]
    raise EnvironmentError_(
        f"PostgreSQL server binaries not found (missing in {PG_BINDIR}: {', '.join(missing)}; "
        f"looked in: {looked}). The embedded database needs {', '.join(_TOOLS)} of PostgreSQL 15: "
        "install the apt package `postgresql` (apt-get install postgresql), or set "
        '[database] mode = "url" or "none" in qeflow.toml.'
    )


def _runuser() -> str:
    found = shutil.which("runuser") or next(
        (p for p in ("/usr/sbin/runuser", "/sbin/runuser") if os.access(p, os.X_OK)), None
    )
    if found is None:
        raise EnvironmentError_(
            "running as root, the embedded PostgreSQL must run as the `postgres` user, but `runuser` "
            "(util-linux) was not found; install util-linux or run qeflow as a non-root user"
        )
    return found


def _tail(path: Path, lines: int = 20, since: int = 0) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(since)
            text = fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def _proc_args(pid: int) -> list[str]:
    """The argv of a live process; empty for zombies, kernel threads and vanished pids."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [arg.decode(errors="replace") for arg in raw.split(b"\0") if arg]


class EmbeddedPostgres:
    """A PostgreSQL cluster in `base_dir`, on a free 127.0.0.1 port, trusting local connections.

    Usage: `with EmbeddedPostgres(path) as pg: url = pg.create_database("qeflow_staging")`.
    Every method is safe to call from several threads; `stop()` is idempotent.
    """

    def __init__(self, base_dir: Path, *, keep: bool = False) -> None:
        self.base_dir = Path(base_dir).resolve()
        # keep=True: a durable cluster that outlives stop() and is reused by the next start (the
        # database of `qeflow server`), with fsync on.
        self.keep = keep
        self.bindir = find_bindir()
        self._as_root = os.geteuid() == 0
        self.cluster_dir = self.base_dir  # may move to the temp dir as root, see module docstring
        self._port: int | None = None
        self._lock = threading.Lock()
        self._stop_lock = threading.Lock()
        self._stopped = False

    # -- paths -------------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self.cluster_dir / "data"

    @property
    def log_path(self) -> Path:
        """The server's own log (pg_ctl -l)."""
        return self.cluster_dir / "postgres.log"

    @property
    def port(self) -> int:
        if self._port is None:
            raise EnvironmentError_("the embedded PostgreSQL cluster is not started; call start() first")
        return self._port

    @property
    def running(self) -> bool:
        return self._port is not None and not self._stopped

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """initdb (once) and start the server; retry on another port if the port was taken."""
        with self._lock:
            if self._stopped:
                raise EnvironmentError_(f"the embedded PostgreSQL cluster in {self.base_dir} was stopped")
            if self._port is not None:
                return
            self._prepare_dirs()
            self._initdb()
            # Register before starting: a crash between pg_ctl start and the return still cleans up.
            reaper.add_cleanup(id(self), self.stop)
            for attempt in range(1, _START_ATTEMPTS + 1):
                port = free_port()
                log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
                result = self._pg_ctl_start(port)
                if result.ok:
                    self._port = port
                    return
                server_log = _tail(self.log_path, since=log_offset)
                self._kill_leftovers()
                if attempt < _START_ATTEMPTS and any(s in server_log.lower() for s in _PORT_IN_USE):
                    continue
                raise EnvironmentError_(
                    f"the embedded PostgreSQL did not start on port {port}: {result.describe()}\n"
                    f"{result.tail(10)}\n--- server log ({self.log_path}) ---\n{server_log}"
                )

    def stop(self) -> None:
        """Stop the server (fast, then immediate, then SIGKILL) and remove its directories."""
        with self._stop_lock:
            if self._stopped:
                return
            self._stopped = True
        try:
            if (self.data_dir / "postmaster.pid").exists():
                fast = self._pg_ctl("stop", "-m", "fast", "-t", "30", timeout_s=40)
                if not fast.ok and (self.data_dir / "postmaster.pid").exists():
                    self._pg_ctl("stop", "-m", "immediate", "-t", "10", timeout_s=20)
            self._kill_leftovers()
        finally:
            reaper.remove_cleanup(id(self))
            if not self.keep:
                shutil.rmtree(self.cluster_dir, ignore_errors=True)
                shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> EmbeddedPostgres:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- databases ---------------------------------------------------------------------------

    def url(self, name: str) -> str:
        """The connection URL of database `name` (the postgres superuser, no password: trust)."""
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{self._checked(name)}"

    def create_database(self, name: str) -> str:
        """Create database `name` (an existing one is kept) and return its URL."""
        result = self._client("createdb", name)
        if not result.ok and "already exists" not in result.tail():
            raise EnvironmentError_(f"creating database {name!r} failed: {result.describe()}\n{result.tail()}")
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database `name`, disconnecting its sessions; a missing database is not an error."""
        result = self._client("dropdb", "--if-exists", "--force", name)
        if not result.ok:
            raise EnvironmentError_(f"dropping database {name!r} failed: {result.describe()}\n{result.tail()}")

    # -- internals ---------------------------------------------------------------------------

    def _checked(self, name: str) -> str:
        if not _DB_NAME.match(name):
            raise ValueError(
                f"database name {name!r} must be 1-63 letters, digits or underscores, not starting with a digit"
            )
        return name

    def _client(self, tool: str, *args: str) -> CommandResult:
        name = self._checked(args[-1])
        argv = [str(self.bindir / tool), "-h", "127.0.0.1", "-p", str(self.port), "-U", PG_USER]
        logs = self.cluster_dir / "logs"
        return run_command(
            [*argv, *args[:-1], name],
            cwd=self.cluster_dir,
            log_path=logs / f"{tool}-{name}-{time.monotonic_ns()}.log",
            env={"PGCONNECT_TIMEOUT": "10"},
            timeout_s=60,
        )

    def _owner_argv(self, argv: list[str]) -> list[str]:
        """Run as the postgres OS user when we are root (PostgreSQL refuses root)."""
        return [_runuser(), "-u", PG_USER, "--", *argv] if self._as_root else argv

    def _prepare_dirs(self) -> None:
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if not self._as_root:
            return
        try:
            owner = pwd.getpwnam(PG_USER)
        except KeyError as exc:
            raise EnvironmentError_(
                "running as root, the embedded PostgreSQL must run as the `postgres` OS user, which "
                "does not exist; install the apt package `postgresql` (it creates the user)"
            ) from exc
        os.chown(self.base_dir, owner.pw_uid, owner.pw_gid)
        moved = self.base_dir / "CLUSTER_DIR"
        if self.keep and moved.is_file():
            earlier = Path(moved.read_text(encoding="utf-8").strip())
            if (earlier / "data" / "PG_VERSION").is_file():
                self.cluster_dir = earlier
                return
        if not self._owner_can_write(self.base_dir):
            # A parent directory is closed to the postgres user: use a directory it can reach.
            self.cluster_dir = Path(tempfile.mkdtemp(prefix="qeflow-pg-"))
            os.chown(self.cluster_dir, owner.pw_uid, owner.pw_gid)
            (self.base_dir / "CLUSTER_DIR").write_text(f"{self.cluster_dir}\n", encoding="utf-8")

    def _owner_can_write(self, path: Path) -> bool:
        probe = subprocess.run(
            [*self._owner_argv(["test", "-w", str(path), "-a", "-x", str(path)])],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=30,
            check=False,
        )
        return probe.returncode == 0

    def _initdb(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        argv = [
            str(self.bindir / "initdb"), "-D", str(self.data_dir), "-A", "trust", "-U", PG_USER,
            "-E", "UTF8", "--locale=C", *([] if self.keep else ["--no-sync"]),
        ]  # fmt: skip
        result = run_command(
            self._owner_argv(argv),
            cwd=self.cluster_dir,
            log_path=self.cluster_dir / "logs" / "initdb.log",
            env={"LC_ALL": "C"},
            timeout_s=180,
        )
        if not result.ok:
            raise EnvironmentError_(f"initdb failed: {result.describe()}\n{result.tail()}")

    def _server_options(self, port: int) -> str:
        sock_dir = self.cluster_dir / "sock"
        options = ["-p", str(port), "-c", "listen_addresses=127.0.0.1"]
        if not self.keep:
            options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        if len(str(sock_dir)) <= _MAX_SOCKET_DIR:
            options += ["-k", str(sock_dir)]
        else:  # a Unix socket path this long is rejected: clients use TCP anyway
            options += ["-c", "unix_socket_directories="]
        return shlex.join(options)

    def _pg_ctl_start(self, port: int) -> CommandResult:
        sock_dir = self.cluster_dir / "sock"
        sock_dir.mkdir(exist_ok=True)
        if self._as_root:
            owner = pwd.getpwnam(PG_USER)
            os.chown(sock_dir, owner.pw_uid, owner.pw_gid)
        return self._pg_ctl(
            "start", "-w", "-t", "60", "-l", str(self.log_path), "-o", self._server_options(port),
            timeout_s=90,
        )  # fmt: skip

    def _pg_ctl(self, action: str, *args: str, timeout_s: float) -> CommandResult:
        argv = [str(self.bindir / "pg_ctl"), action, "-D", str(self.data_dir), *args]
        return run_command(
            self._owner_argv(argv),
            cwd=self.cluster_dir,
            log_path=self.cluster_dir / "logs" / f"pg_ctl-{action}.log",
            timeout_s=timeout_s,
        )

    def _cluster_pids(self) -> list[int]:
        """The postmaster (its command line names our data dir) and its children."""
        data = str(self.data_dir)
        parents = parent_map()
        masters = {pid for pid in parents if data in _proc_args(pid)}
        with contextlib.suppress(OSError, ValueError, IndexError):
            masters.add(int((self.data_dir / "postmaster.pid").read_text().split()[0]))
        masters = {pid for pid in masters if data in _proc_args(pid)}  # guards against pid reuse
        children = {pid for pid, parent in parents.items() if parent in masters}
        return sorted(masters | children)

    def _kill_leftovers(self) -> None:
        pids = self._cluster_pids()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while pids and time.monotonic() < deadline:
            pids = [pid for pid in pids if _proc_args(pid)]  # zombies have an empty cmdline
            if pids:
                time.sleep(0.05)
