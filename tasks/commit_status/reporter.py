"""`StatusReporter`: the commit statuses of one run, as the pipeline posts and records them.

    reporter.pending("commit")                      at phase start   -> record (state pending)
    reporter.finish("commit", passed, summary)      at phase end     -> record (success / failure)
    reporter.status("staging", "failure", reason)   any phase, e.g. from a rollback policy
    reporter.abandon("run interrupted")             phases left pending -> error records

Every call returns the record the pipeline stores as `<phase>/commit-status.json`. The keys of
the recorded-only era stay (sha, state, context, description, target_url, posted) and
`http_status`, `error`, `attempts` and the request sent are added. A phase not listed in
`[git_host] phases`, or provider "none", is recorded only (`posted` false, `note` says why).
Nothing here raises on a host failure: the record says what went wrong.
"""

from __future__ import annotations

import logging
import os
import string
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from tasks.commit_status.client import STATES, GitHostClient, make_client, truncate_description
from tasks.commit_status.settings import GitHostSettings

__all__ = ["StatusReporter", "default_report_url"]

_log = logging.getLogger("qeflow.progress")


def default_report_url(run_dir: str) -> str:
    """report.html of a run directory as a URL: file:// for a local path, else the store's URL."""
    if "://" in run_dir:
        return run_dir.rstrip("/") + "/report.html"
    return (Path(run_dir).resolve() / "report.html").as_uri()


class StatusReporter:
    def __init__(
        self,
        settings: GitHostSettings,
        *,
        sha: str,
        service: str,
        run_id: str,
        run_dir: str,
        flow_run_id: str | None = None,
        report_url: str | None = None,
        env: Mapping[str, str] | None = None,
        http: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.sha = sha
        self.env: Mapping[str, str] = os.environ if env is None else env
        self.client: GitHostClient | None = make_client(settings, env=self.env, http=http, sleep=sleep)
        self._fields: dict[str, str | None] = {
            "ui": (self.env.get("PREFECT_UI_URL") or "").rstrip("/") or None,
            "flow_run_id": flow_run_id,
            "run_id": run_id,
            "run_dir": run_dir,
            "report": report_url or default_report_url(run_dir),
            "sha": sha,
            "service": service,
        }
        self._open: dict[str, dict[str, Any]] = {}  # phase -> its pending record, until finished

    # --- what and where ------------------------------------------------------------------------
    def covers(self, phase: str) -> bool:
        """Whether the phase's start and end post statuses (`[git_host] phases`)."""
        return phase in self.settings.phases

    def is_open(self, phase: str) -> bool:
        """A pending status was recorded for the phase and no final one yet."""
        return phase in self._open

    def target_url(self, phase: str) -> str:
        """The run's link: the configured template, else the Prefect UI run page, else report.html.

        A template whose placeholders have no value in this run (e.g. {ui} without PREFECT_UI_URL)
        falls back to the default link.
        """
        fields = {**self._fields, "phase": phase}
        default = (
            f"{fields['ui']}/runs/flow-run/{fields['flow_run_id']}"
            if fields["ui"] and fields["flow_run_id"]
            else str(fields["report"])
        )
        template = self.settings.target_url
        if not template:
            return default
        used = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        if any(not fields.get(name) for name in used):
            return default
        return template.format_map(fields)

    # --- statuses -------------------------------------------------------------------------------
    def pending(self, phase: str) -> dict[str, Any] | None:
        """At phase start: a pending status, for covered phases only (else None, nothing recorded)."""
        if not self.covers(phase):
            return None
        record = self.status(phase, "pending", f"{phase} phase running")
        self._open[phase] = record
        return record

    def finish(self, phase: str, passed: bool, summary: str) -> dict[str, Any]:
        """At phase end: success or failure with a one-line summary and the run's link."""
        return self._close(phase, "success" if passed else "failure", summary)

    def abandon(self, reason: str) -> dict[str, dict[str, Any]]:
        """Phases still pending when the run ends abnormally get an `error` status; {phase: record}."""
        return {phase: self._close(phase, "error", reason) for phase in list(self._open)}

    def _close(self, phase: str, state: str, description: str) -> dict[str, Any]:
        record = self.status(phase, state, description)
        earlier = self._open.pop(phase, None)
        if earlier is not None:  # what became of the pending status, kept beside the final one
            record["pending"] = {k: earlier[k] for k in ("posted", "http_status", "error", "recorded_at")}
        return record

    def status(self, phase: str, state: str, description: str) -> dict[str, Any]:
        """Post (when configured and covered) and return the evidence record of one status."""
        if state not in STATES:
            raise ValueError(f"state {state!r}: one of {', '.join(STATES)}")  # a programming error
        target_url = self.target_url(phase)
        now = datetime.now(UTC).isoformat()
        if self.client is None or not self.covers(phase):
            note = (
                'recorded in the evidence only: no git host configured ([git_host] provider = "none")'
                if self.client is None
                else f"recorded in the evidence only: {phase} is not in [git_host] phases"
            )
            return {
                "sha": self.sha,
                "state": state,
                "context": f"{self.settings.context_prefix}/{phase}",
                "description": truncate_description(description),
                "target_url": target_url,
                "posted": False,
                "http_status": None,
                "error": None,
                "note": note,
                "recorded_at": now,
            }
        sent = self.client.post_status(self.sha, phase, state, description, target_url)
        if sent.posted:
            _log.info("[%s] commit status %s posted to %s (HTTP %s)", phase, state, sent.provider, sent.http_status)
        else:
            _log.warning("[%s] commit status %s not posted to %s: %s", phase, state, sent.provider, sent.error)
        record = {
            "sha": sent.sha,
            "state": sent.state,
            "context": sent.context,
            "description": sent.description,
            "target_url": sent.target_url,
            "posted": sent.posted,
            "http_status": sent.http_status,
            "error": sent.error,
            "provider": sent.provider,
            "host_state": sent.host_state,
            "attempts": sent.attempts,
            "request": {"method": sent.method, "url": sent.url, "body": sent.body},
            "response": sent.response,
            "recorded_at": now,
        }
        if not sent.target_url_sent:
            record["note"] = (
                "target_url not sent: the host links only http(s) URLs (set PREFECT_UI_URL or [git_host] target_url)"
            )
        return record
