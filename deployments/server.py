"""`qeflow server`: a Prefect server on PostgreSQL, the served deployments, the webhook receiver.

One foreground command, everything on 127.0.0.1, in this order: the database (an embedded
PostgreSQL cluster kept under the state directory, or `--database-url`), `prefect server start`
with its UI, the webhook receiver, then a Prefect runner serving every service's deployments
(deployments.served) in this process. Ctrl-C (or SIGTERM) stops them in reverse order; runs still
going are cancelled by the runner first, which lets their own clean-up stop what they started.

Why PostgreSQL: on SQLite the Prefect server stalls on its write lock once a few phase subflows
and the trigger service write at once. Why a runner and not a work pool: nothing to configure,
and the deployments' code is the installed qeflow; teams with work pools use prefect.yaml instead.
Served runs keep their mirrors, checkouts, packages and evidence under the state directory
(QEFLOW_HOME), so a restart keeps the history in the UI and the evidence reruns need.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from deployments.local_server import drain_prefect_workers, start_prefect_server, wait_healthy
from deployments.served import Served, discover, resource_id
from deployments.webhooks import WebhookSettings
from flows.single_phase import flow_name
from tasks.config import PHASES
from tasks.environment import EmbeddedPostgres, free_port
from tasks.errors import ConfigError, ConfigProblem
from tasks.orphans import become_subreaper, stop_descendants
from tasks.processes import ManagedProcess, spawn

__all__ = ["ServerOptions", "run_server"]

_RECEIVER_START_S = 60.0


@dataclass(frozen=True)
class ServerOptions:
    paths: list[Path]
    state_dir: Path
    database_url: str | None = None  # a PostgreSQL URL (postgresql+asyncpg://...); None: embedded
    port: int = 4200  # Prefect API and UI
    webhook_port: int = 8765
    limit: int = 2  # flow runs at once (each starts services and databases: 2 cores go fast)


def _check_secret(settings: WebhookSettings) -> None:
    """Fail before starting anything when the receiver would have no secret (a block is read later)."""
    if settings.secret_block is None and not os.environ.get(settings.secret_env):
        raise ConfigError(
            [
                ConfigProblem(
                    "environment",
                    settings.secret_env,
                    "the webhook secret (the same value as in the GitHub/GitLab webhook settings), or "
                    "QEFLOW_WEBHOOKS_SECRET_BLOCK naming a Prefect Secret block",
                    "unset",
                )
            ]
        )


def _database(options: ServerOptions) -> tuple[str, EmbeddedPostgres | None]:
    if options.database_url:
        return options.database_url, None
    cluster = EmbeddedPostgres(options.state_dir / "postgres", keep=True)
    cluster.start()
    url = cluster.create_database("prefect").replace("postgresql://", "postgresql+asyncpg://", 1)
    return url, cluster


def _start_receiver(settings: WebhookSettings, api_url: str, log: Path) -> ManagedProcess:
    env = {"QEFLOW_WEBHOOKS_HOST": settings.host, "QEFLOW_WEBHOOKS_PORT": str(settings.port)}
    # Delivery ids survive a restart: a host redelivering meanwhile must not start a run twice.
    env["QEFLOW_WEBHOOKS_DEDUP_PATH"] = str(log.parent.parent / "webhook-deliveries.sqlite")
    env["PREFECT_API_URL"] = api_url
    receiver = spawn([sys.executable, "-m", "deployments.webhooks"], cwd=log.parent, log_path=log, env=env, track=False)
    try:
        url = f"http://{settings.host}:{settings.port}/healthz"
        wait_healthy(url, receiver, log, "the webhook receiver", timeout_s=_RECEIVER_START_S)
    except BaseException:
        receiver.stop()
        raise
    return receiver


def _banner(out: TextIO, ui: str, hooks: str, served: Served, state: Path, limit: int) -> None:
    lines = [
        f"qeflow server: Prefect UI   {ui}",
        f"               webhooks     {hooks}/github   {hooks}/gitlab",
        f"               state        {state}   (runs at most {limit} flow run(s) at once)",
    ]
    for mono in served.monorepos:
        lines.append(f"  monorepo/{mono.name}: events of {resource_id(mono.repository)} ({mono.repo}) for the "
                     f"services a change touches: {', '.join(mono.services)}")  # fmt: skip
    for service in served.services:
        nightly = f"nightly {service.nightly} {service.timezone}" if service.nightly else "no nightly run"
        events = f"events via monorepo/{service.monorepo}" if service.monorepo else (
            f"events of {resource_id(service.repository)} ({service.repo})"
        )  # fmt: skip
        lines.append(f"  {service.name}: {events}; {nightly}")
        lines.append(f"    pipeline/{service.name}  ·  " + "  ·  ".join(
            f"{flow_name(p)}/{service.name}" for p in PHASES
        ))  # fmt: skip
    lines.append("Stop with Ctrl-C: it stops the runs, the receiver, the Prefect server and its database.")
    print("\n".join(lines), file=out, flush=True)


def run_server(options: ServerOptions, out: TextIO = sys.stdout) -> int:
    """Start everything, serve until interrupted, stop everything. Returns the exit code (0)."""
    from prefect.exceptions import TerminationSignal
    from prefect.runner import Runner
    from prefect.settings import PREFECT_API_URL, PREFECT_HOME, PREFECT_UI_URL, temporary_settings

    served = discover(options.paths)
    settings = WebhookSettings(port=options.webhook_port)
    _check_secret(settings)
    state = options.state_dir.resolve()
    logs = state / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    home = state / "prefect-home"
    home.mkdir(exist_ok=True)
    port = options.port or free_port()
    ui, api = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port}/api"
    # Flow-run processes of the runner inherit these: the API, links to the UI, where runs keep state.
    os.environ.update(QEFLOW_HOME=str(state), PREFECT_API_URL=api, PREFECT_UI_URL=ui, PREFECT_HOME=str(home))
    # Until the runner serves, SIGTERM ends the start-up the way Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)

    cluster: EmbeddedPostgres | None = None
    server: ManagedProcess | None = None
    receiver: ManagedProcess | None = None
    try:
        database_url, cluster = _database(options)
        # From here on, anything a killed flow run leaves behind is re-parented to us (not to
        # init) and stopped below. The cluster above is already on its own: it is stopped by name.
        become_subreaper()
        server_env = {
            "PREFECT_SERVER_DATABASE_CONNECTION_URL": database_url,
            "PREFECT_UI_API_URL": api,  # the UI's own calls; its default is port 4200 whatever --port says
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        }
        print(f"qeflow server: starting Prefect on {ui} (database: {'embedded' if cluster else 'configured'})…",
              file=out, flush=True)  # fmt: skip
        server = start_prefect_server(port, logs / "prefect-server.log", ui=True, env=server_env)
        with temporary_settings(updates={PREFECT_API_URL: api, PREFECT_UI_URL: ui, PREFECT_HOME: home}):
            # Deployments and their triggers exist before the receiver takes a delivery: an event
            # that arrives before its trigger is never matched later.
            # Polling every 2 s (Prefect's default is 10 s) starts a triggered run ~8 s sooner, for a
            # query a local API answers in milliseconds.
            runner = Runner(name=f"qeflow-server-{port}", limit=options.limit, pause_on_shutdown=True, query_seconds=2)
            for deployment in served.deployments():
                runner.add_deployment(deployment)
            receiver = _start_receiver(settings, api, logs / "webhooks.log")
            _banner(out, ui, f"http://{settings.host}:{settings.port}/webhooks", served, state, options.limit)
            # The runner stops gracefully on SIGTERM (it cancels its runs, giving each 30 s to stop
            # what it started, and pauses the schedules); Ctrl-C takes the same path. A KeyboardInterrupt
            # inside its event loop would instead cancel the loop first and leave no time for that.
            signal.signal(signal.SIGINT, lambda *_: os.kill(os.getpid(), signal.SIGTERM))
            with contextlib.suppress(KeyboardInterrupt, TerminationSignal):
                asyncio.run(runner.start())
            drain_prefect_workers()
    finally:
        print("qeflow server: stopping…", file=out, flush=True)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        try:
            kept = [p.pid for p in (receiver, server) if p is not None]
            left = stop_descendants(keep=kept)
            if left:
                print(f"qeflow server: stopped {len(left)} process(es) that runs left behind", file=out, flush=True)
            for process in (receiver, server):
                if process is not None:
                    process.stop(grace_s=10.0)
            if cluster is not None:
                cluster.stop()
        finally:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
    print("qeflow server: stopped", file=out, flush=True)
    return 0
