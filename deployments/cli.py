"""The `qeflow` command: run the pipeline, validate a config, re-render and recheck stored runs.

Exit codes: 0 all gates passed (or the config is valid), 1 a gate failed (or a recheck found a
mismatch), 2 a configuration or usage error, 3 an internal error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = ["main", "parse_args"]

EXIT_OK, EXIT_FAILED, EXIT_CONFIG, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130

# Offline-friendly defaults, set before Prefect is imported (it reads them at import time).
_ENV_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PACT_DO_NOT_TRACK": "true",
    # Prefect 3.9 has one console handler. A failed gate is an expected outcome, told by qeflow's
    # progress lines and table; the engine's tracebacks for it stay in the Prefect API (the UI)
    # and come back with --verbose.
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "CRITICAL",
    "PREFECT_RESULTS_PERSIST_BY_DEFAULT": "false",
    # The first ephemeral start on a machine creates and migrates Prefect's SQLite database,
    # which takes longer than Prefect's default 20 s on a busy 2-core machine.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
}

_EPILOG_RUN = """\
examples:
  qeflow run examples/users-service                      # every phase, base = merge-base with main
  qeflow run . --phase commit --base origin/main          # the pre-merge phase only
  qeflow run . --head 3f2c1a9 --report out/report.json    # a given revision, report copied out
"""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="qeflow",
        description="Quality-gated five-phase pipeline for microservices, orchestrated by Prefect.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Run `qeflow COMMAND --help` for a command's options and examples.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser(
        "run",
        help="run the pipeline (or some phases) on a service repository",
        description="Run the pipeline on the service whose qeflow.toml is at PATH, with embedded "
        "defaults: Prefect in ephemeral mode unless PREFECT_API_URL is set, an embedded PostgreSQL "
        "cluster, the service as local processes.",
        epilog=_EPILOG_RUN,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("path", type=Path, metavar="PATH", help="service directory holding qeflow.toml")
    run.add_argument(
        "--phase",
        action="append",
        dest="phases",
        metavar="NAME",
        help="run only this phase (repeatable): commit, build, integration, staging, production",
    )
    run.add_argument("--base", help="base revision (default: merge-base of head with the default branch)")
    run.add_argument("--head", help="head revision (default: HEAD)")
    run.add_argument("--evidence", metavar="DIR", help="evidence store: a directory or fsspec URL")
    run.add_argument("--report", type=Path, metavar="FILE", help="also write the run's report.json here")
    run.add_argument("--json", action="store_true", help="print report.json only (no human text)")
    run.add_argument("-v", "--verbose", action="store_true", help="show Prefect's own log lines too")

    validate = commands.add_parser(
        "validate",
        help="check a qeflow.toml and list every problem, without running anything",
        epilog="example:\n  qeflow validate examples/users-service",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("path", type=Path, metavar="PATH", help="qeflow.toml or the directory holding it")
    validate.add_argument("--json", action="store_true", help="print problems as JSON")

    report = commands.add_parser(
        "report",
        help="re-render report.json/.md/.html and gates.junit.xml of a stored run",
        epilog="example:\n  qeflow report examples/users-service/.qeflow/runs/20261204T101500Z-3f2c1a9-a1b2c3",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("run_dir", metavar="RUN_DIR", help="a run directory (path or fsspec URL)")
    report.add_argument("--json", action="store_true", help="print report.json only")

    contracts = commands.add_parser("contracts", help="consumer contract tools (matrix)")
    contract_commands = contracts.add_subparsers(dest="contracts_command", required=True, metavar="SUBCOMMAND")
    matrix = contract_commands.add_parser(
        "matrix",
        help="which consumer pacts a provider version was verified against",
        description="Read the verification matrix the pact agent records in the evidence store and say, "
        "for a provider version, whether it is verified against every consumer.",
        epilog="examples:\n  qeflow contracts matrix examples/users-service\n"
        "  qeflow contracts matrix examples/users-service --version 3f2c1a9   # exit 1 unless verified",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    matrix.add_argument("path", type=Path, metavar="PATH", help="service directory holding qeflow.toml")
    matrix.add_argument("--version", help="provider version (git sha, short is fine); default: all recorded")
    matrix.add_argument("--provider", help="provider name (default: the service's name)")
    matrix.add_argument("--evidence", metavar="DIR", help="evidence store (default: the config's)")
    matrix.add_argument("--json", action="store_true", help="print the matrix as JSON")

    webhooks = commands.add_parser("webhooks", help="git host webhooks (serve the receiver)")
    webhook_commands = webhooks.add_subparsers(dest="webhooks_command", required=True, metavar="SUBCOMMAND")
    serve = webhook_commands.add_parser(
        "serve",
        help="receive signed GitHub/GitLab webhooks and turn them into Prefect events",
        description="Serve POST /webhooks/github and /webhooks/gitlab: verify the signature or token, drop "
        "repeated deliveries, and emit git.push / git.pull_request / git.merge events to the Prefect API "
        "that PREFECT_API_URL names. The secret comes from QEFLOW_WEBHOOK_SECRET (or --secret-env) or a "
        "Prefect Secret block (--secret-block); it is never logged.",
        epilog="example:\n  QEFLOW_WEBHOOK_SECRET=... PREFECT_API_URL=http://127.0.0.1:4200/api \\\n"
        "    qeflow webhooks serve --port 8765   # GitHub: http://HOST:8765/webhooks/github",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    serve.add_argument("--secret-env", help="name of the variable holding the secret (default QEFLOW_WEBHOOK_SECRET)")
    serve.add_argument("--secret-block", help="name of a Prefect Secret block holding the secret")

    server = commands.add_parser(
        "server",
        help="serve the pipeline: Prefect server + UI, deployments on git events and a schedule, webhooks",
        description="Start on 127.0.0.1 a Prefect server on PostgreSQL (an embedded cluster kept in the state "
        "directory, or --database-url) with its UI, the webhook receiver, and the deployments of each service "
        "named: pipeline/<service> (merges to the default branch, and nightly), <phase>-phase/<service> "
        "(commit-phase on pushes and pull requests; every phase on demand). Runs check the event's sha out of "
        "the repository. The webhook secret comes from QEFLOW_WEBHOOK_SECRET. Ctrl-C stops everything.",
        epilog="examples:\n  QEFLOW_WEBHOOK_SECRET=... qeflow server examples/users-service\n"
        "  qeflow server services/a services/b --port 4200 --webhook-port 8765 --state-dir /var/lib/qeflow\n"
        "  prefect deployment run 'integration-phase/users-service' --param head=<sha>   # rerun one phase",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    server.add_argument("paths", type=Path, nargs="+", metavar="PATH", help="service directory holding qeflow.toml")
    server.add_argument("--state-dir", type=Path, default=Path(".qeflow/server"),
                        help="database, mirrors, checkouts, evidence (default .qeflow/server)")  # fmt: skip
    server.add_argument("--database-url", help="PostgreSQL URL for Prefect (postgresql+asyncpg://…); default: embedded")
    server.add_argument("--port", type=int, default=4200, help="Prefect API and UI port (default 4200; 0: any free)")
    server.add_argument("--webhook-port", type=int, default=8765, help="webhook receiver port (default 8765)")
    server.add_argument("--limit", type=int, default=2, help="flow runs at once (default 2)")

    gates = commands.add_parser("gates", help="gate tools (recheck)")
    gate_commands = gates.add_subparsers(dest="gates_command", required=True, metavar="SUBCOMMAND")
    recheck = gate_commands.add_parser(
        "recheck",
        help="recompute every gate verdict of a stored run from its evidence alone",
        description="Recompute each phase's gate from the run directory's stored agent reports and "
        "recorded conditions and baselines, and say whether each verdict matches the recorded one.",
        epilog="example:\n  qeflow gates recheck .qeflow/runs/20261204T101500Z-3f2c1a9-a1b2c3",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    recheck.add_argument("run_dir", metavar="RUN_DIR", help="a run directory (path or fsspec URL)")
    recheck.add_argument("--json", action="store_true", help="print the results as JSON")
    return parser.parse_args(argv)


def _err(headline: str, detail: str = "", hint: str = "") -> None:
    print(f"error: {headline}", file=sys.stderr)
    if detail:
        print(textwrap.indent(detail, "  "), file=sys.stderr)
    if hint:
        print(f"hint: {hint}", file=sys.stderr)


def _progress_handler(quiet: bool) -> None:
    logger = logging.getLogger("qeflow.progress")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if quiet:
        logger.addHandler(logging.NullHandler())
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    logger.addHandler(handler)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C or SIGTERM: stop every child process group at once, then unwind the run.

    Killing first matters: agent threads blocked on a test command return as soon as it dies,
    so the flow can record the run and stop environments without waiting for the command.
    """
    from tasks.processes import reaper

    reaper.kill_all()
    raise KeyboardInterrupt(f"signal {signum}")


def _validated(path: Path, phases: list[str] | None = None) -> bool:
    """Validate the config (a service's or a monorepo's) before anything runs; True for a monorepo."""
    from flows.pipeline import select_phases
    from gates import validate_gates
    from tasks import AGENTS
    from tasks.config import load_config
    from tasks.errors import ConfigError
    from tasks.monorepo import is_monorepo, load_monorepo

    select_phases(phases)  # an unknown --phase is a usage error, found before anything starts
    if is_monorepo(path):
        configs = list(load_monorepo(path, AGENTS.settings_models()).services.values())
    else:
        configs = [load_config(path, AGENTS.settings_models())]
    problems = [p for config in configs for p in validate_gates(config, AGENTS)]
    if problems:
        raise ConfigError(problems)
    return is_monorepo(path)


def _outcome_report(state: Any) -> dict[str, Any]:
    from flows.errors import PipelineFailed

    outcome = state.result(raise_on_failure=False)
    if isinstance(outcome, PipelineFailed):
        return outcome.report
    if isinstance(outcome, dict):
        return outcome
    if isinstance(outcome, BaseException):
        raise outcome
    raise RuntimeError(f"the run ended in state {state.name} without a report")


def _cmd_run(args: argparse.Namespace) -> int:
    if args.verbose:
        for key in [k for k in _ENV_DEFAULTS if k.startswith("PREFECT_LOGGING")]:
            os.environ[key] = "INFO"
    _progress_handler(quiet=args.json)
    from deployments.console import print_monorepo, print_report

    is_monorepo = _validated(args.path, args.phases)  # everything is checked before Prefect starts
    from deployments.local_server import prefect_api

    if is_monorepo:
        from flows.monorepo import monorepo as run_flow
    else:
        from flows.pipeline import pipeline as run_flow

    with prefect_api():
        state = run_flow(
            str(args.path.resolve()),
            phases=args.phases,
            base=args.base,
            head=args.head,
            evidence=args.evidence,
            return_state=True,
        )
        report = _outcome_report(state)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    if args.json:
        print(json.dumps(report, indent=2))
    elif is_monorepo:
        print_monorepo(report)
    else:
        print_report(report)
    return EXIT_OK if report["status"] == "passed" else EXIT_FAILED


def _cmd_validate(args: argparse.Namespace) -> int:
    from gates import validate_gates
    from tasks import AGENTS
    from tasks.config import validate_config
    from tasks.errors import ConfigError
    from tasks.monorepo import is_monorepo, load_monorepo

    if is_monorepo(args.path):
        try:
            members = load_monorepo(args.path, AGENTS.settings_models()).services.values()
            problems = [p for member in members for p in validate_gates(member, AGENTS)]
        except ConfigError as exc:
            problems = exc.problems
        config = None
    else:
        config, problems = validate_config(args.path, AGENTS.settings_models())
        if config is not None:
            problems = validate_gates(config, AGENTS)
    if args.json:
        print(json.dumps({"valid": not problems, "problems": [p.__dict__ for p in problems]}, indent=2))
    elif problems:
        print(f"{len(problems)} problem(s):")
        for problem in problems:
            print(f"  - {problem}")
    else:
        print(f"{config.path if config else args.path}: valid")
    return EXIT_CONFIG if problems else EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    from deployments.console import print_report
    from flows.report import build_report, write_reports
    from tasks.evidence import open_run_dir

    run = open_run_dir(args.run_dir)
    report = build_report(run)
    write_reports(run, report)
    run.publish()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_report(report)
    return EXIT_OK


def _cmd_recheck(args: argparse.Namespace) -> int:
    from gates import recheck_run
    from tasks.evidence import open_run_dir

    results = recheck_run(open_run_dir(args.run_dir))
    if args.json:
        print(
            json.dumps(
                [
                    {
                        "phase": r.phase,
                        "recorded_passed": r.recorded_passed,
                        "recomputed_passed": r.recomputed.passed,
                        "matches": r.matches,
                        "mismatches": r.mismatches,
                    }
                    for r in results
                ],
                indent=2,
            )
        )
    else:
        for r in results:
            verdict = "passed" if r.recomputed.passed else "failed"
            print(
                f"{r.phase}: recorded {'passed' if r.recorded_passed else 'failed'}, recomputed {verdict}: "
                + ("matches" if r.matches else "MISMATCH")
            )
            for line in r.mismatches:
                print(f"    {line}")
        if not results:
            print("no gate verdicts in this run")
    return EXIT_OK if all(r.matches for r in results) else EXIT_FAILED


def _cmd_webhooks(args: argparse.Namespace) -> int:
    from deployments.webhooks import WebhookSettings, serve

    overrides = {"host": args.host, "port": args.port, "secret_env": args.secret_env, "secret_block": args.secret_block}
    serve(WebhookSettings(**{k: v for k, v in overrides.items() if v is not None}))
    return EXIT_OK


def _cmd_server(args: argparse.Namespace) -> int:
    from deployments.server import ServerOptions, run_server

    # The server owns Ctrl-C: the runner cancels its runs, then everything is stopped in order.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    options = ServerOptions(
        paths=args.paths,
        state_dir=args.state_dir,
        database_url=args.database_url,
        port=args.port,
        webhook_port=args.webhook_port,
        limit=max(1, args.limit),
    )
    try:
        return run_server(options)
    except KeyboardInterrupt:
        return EXIT_OK


def _cmd_matrix(args: argparse.Namespace) -> int:
    from tasks import AGENTS
    from tasks.config import load_config
    from tasks.evidence import EvidenceStore
    from tasks.pact import format_matrix, matrix_table

    config = load_config(args.path, AGENTS.settings_models())
    store = EvidenceStore(args.evidence or config.evidence_store())
    table = matrix_table(store, args.provider or config.service.name, args.version)
    print(json.dumps(table.to_json(), indent=2) if args.json else format_matrix(table))
    return EXIT_FAILED if args.version and not table.verified else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    for key, value in _ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    if os.environ.get("PREFECT_HOME"):
        # Prefect's ephemeral server spins for minutes, then times out, when PREFECT_HOME's
        # parent directory does not exist: make it.
        Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    previous = {sig: signal.signal(sig, _interrupt) for sig in (signal.SIGTERM, signal.SIGINT)}
    from tasks.errors import ConfigError, QeflowError
    from tasks.processes import reaper

    try:
        if args.command == "run":
            return _cmd_run(args)
        if args.command == "validate":
            return _cmd_validate(args)
        if args.command == "report":
            return _cmd_report(args)
        if args.command == "contracts":
            return _cmd_matrix(args)
        if args.command == "webhooks":
            return _cmd_webhooks(args)
        if args.command == "server":
            return _cmd_server(args)
        return _cmd_recheck(args)
    except ConfigError as exc:
        _err(
            "invalid configuration",
            "\n".join(str(p) for p in exc.problems),
            "run `qeflow validate PATH` to list every problem" if args.command == "run" else "",
        )
        return EXIT_CONFIG
    except KeyboardInterrupt:
        _err("interrupted: stopping every process this run started")
        return EXIT_INTERRUPTED
    except QeflowError as exc:
        _err(str(exc).splitlines()[0], "\n".join(str(exc).splitlines()[1:]))
        return EXIT_INTERNAL
    except Exception as exc:  # not a gate verdict: never let a crash look like exit 1 (gate failed)
        import traceback

        _err(
            f"internal error: {type(exc).__name__}: {exc}",
            traceback.format_exc(),
            "this is a bug in qeflow or its environment, not a gate verdict",
        )
        return EXIT_INTERNAL
    finally:
        reaper.kill_all()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    sys.exit(main())
