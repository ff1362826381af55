"""The `contract-check` agent of the commit phase.

It reads the service's API description at base and at head straight from git (no checkout),
validates head, diffs the two with the check catalogue and reports every change as a finding
with its check id and level: ERR (breaks an existing client), WARN, INFO. The commit gate
checks `contract-check.breaking_changes == 0`.

Outcomes:
- head document missing, unparsable, unresolvable or invalid: raise (the runner records an
  `error` report naming the file and the place);
- no document at base (a new service, or base is the empty tree): passed, and the summary says so;
  a base document that cannot be read is a WARN finding, not a reason to block the fix;
- at least one ERR finding not hidden by the ignore file: failed; otherwise passed.

Evidence: contract-findings.json, contract-changelog.md (grouped by operation, ERR first),
contract-check.junit.xml (one testcase per check run, failures for ERR findings).
`details["changed_operations"]` lists added and changed operations (`GET /users/{id}`) for the
agents that test them.
"""

from __future__ import annotations

import difflib
import json
import posixpath
import time
from collections import Counter
from datetime import UTC, datetime

from pydantic import Field, field_validator

from tasks.config import AgentSettings, service_relative
from tasks.context import AgentContext
from tasks.contract_check.catalogue import CATALOGUE
from tasks.contract_check.engine import Change, ContractDiff, diff_documents, operation_names
from tasks.contract_check.graphql import GRAPHQL_CHECKS, diff_graphql, graphql_operations, load_sdl
from tasks.contract_check.ignore import IgnoreOutcome, apply_ignores, parse_ignore_file
from tasks.contract_check.loader import git_reader, load_document, validate_document
from tasks.contract_check.model import ContractError, Level
from tasks.contract_check.render import ContractSummary, changelog_markdown, findings_json, junit_xml
from tasks.git import EMPTY_TREE
from tasks.registry import AgentSpec
from tasks.report import AgentResult, Finding

__all__ = ["METRICS", "SPEC", "ContractCheckSettings", "contract_check"]

NAME = "contract-check"
FINDINGS_FILE = "contract-findings.json"
CHANGELOG_FILE = "contract-changelog.md"
JUNIT_FILE = "contract-check.junit.xml"
BASE_UNREADABLE_RULE = "contract-base-unreadable"
VALID_CHECKS: frozenset[str] = frozenset(CATALOGUE) | frozenset(GRAPHQL_CHECKS)

METRICS: tuple[str, ...] = (
    "breaking_changes",
    "warnings",
    "infos",
    "ignored",
    "operations_base",
    "operations_head",
    "operations_added",
    "operations_removed",
    "operations_changed",
    "diff_s",
)


class ContractCheckSettings(AgentSettings):
    """`[agents.contract-check]` in qeflow.toml."""

    spec: str = Field(
        default="openapi.yaml",
        description="OpenAPI document (YAML or JSON, 3.0 or 3.1), relative to the service directory.",
    )
    graphql_schema: str | None = Field(
        default=None,
        description="GraphQL SDL file relative to the service directory; when set, it is diffed instead of `spec`.",
    )
    levels: dict[str, Level] = Field(
        default_factory=dict,
        description='Level overrides per check id, e.g. { response-variant-added = "ERR" }; "ERR", "WARN" or "INFO".',
    )
    ignore_file: str = Field(
        default=".qeflow-contract-ignore.yaml",
        description="Accepted breaks (check, location, reason, expires), relative to the service directory, "
        "read at head.",
    )

    @field_validator("spec", "ignore_file")
    @classmethod
    def _relative(cls, value: str) -> str:
        return service_relative(value)

    @field_validator("graphql_schema")
    @classmethod
    def _relative_optional(cls, value: str | None) -> str | None:
        return None if value is None else service_relative(value)

    @field_validator("levels")
    @classmethod
    def _known_checks(cls, value: dict[str, Level]) -> dict[str, Level]:
        unknown = sorted(set(value) - VALID_CHECKS)
        if unknown:
            hints = []
            for bad in unknown:
                close = difflib.get_close_matches(bad, VALID_CHECKS, n=1)
                hints.append(f"{bad!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
            raise ValueError(f"unknown check id(s) {', '.join(hints)}; valid: {', '.join(sorted(VALID_CHECKS))}")
        return value


# -- the agent ------------------------------------------------------------------------------------


def _repo_path(ctx: AgentContext, relative: str) -> str:
    return posixpath.join(ctx.git.service_path, relative) if ctx.git.service_path else relative


Outcome = tuple[ContractDiff, str, list[Change]]  # the diff, a note when nothing was compared, extra findings


def _no_base(operations: list[str], t0: float) -> ContractDiff:
    """Nothing to compare: every head operation is new."""
    return ContractDiff([], [], operations, list(operations), [], [], [], diff_s=time.perf_counter() - t0)


def _diff_openapi(ctx: AgentContext, settings: ContractCheckSettings, spec: str) -> Outcome:
    git = ctx.git
    head = load_document(git_reader(git.repo, git.head), spec)
    if head is None:
        raise ContractError(
            f"{spec}: no OpenAPI document at head {git.short_head}; set [agents.{NAME}] spec to its path "
            f"(relative to the service directory), graphql_schema for a GraphQL API, or enabled = false"
        )
    validate_document(head)
    t0 = time.perf_counter()
    base_missing = f"no OpenAPI document at base ({spec} not in {git.base[:10]})"
    if git.base == EMPTY_TREE:
        return _no_base(operation_names(head), t0), base_missing, []
    try:
        base = load_document(git_reader(git.repo, git.base), spec)
    except ContractError as exc:
        text = f"base document unreadable, nothing compared: {exc}"
        warning = Change(BASE_UNREADABLE_RULE, Level.WARN, None, spec, text)
        return _no_base(operation_names(head), t0), "base document unreadable", [warning]
    if base is None:
        return _no_base(operation_names(head), t0), base_missing, []
    levels = {k: v for k, v in settings.levels.items() if k in CATALOGUE}  # graphql-* ids apply to GraphQL
    return diff_documents(base, head, CATALOGUE.with_levels(levels)), "", []


def _diff_graphql(ctx: AgentContext, settings: ContractCheckSettings, sdl: str) -> Outcome:
    git = ctx.git
    head = load_sdl(git_reader(git.repo, git.head), sdl)
    if head is None:
        raise ContractError(f"{sdl}: no GraphQL schema at head {git.short_head}; check [agents.{NAME}] graphql_schema")
    t0 = time.perf_counter()
    base = None if git.base == EMPTY_TREE else load_sdl(git_reader(git.repo, git.base), sdl)
    if base is None:
        note = f"no GraphQL schema at base ({sdl} not in {git.base[:10]})"
        return _no_base(graphql_operations(head), t0), note, []
    levels = {k: v for k, v in settings.levels.items() if k in GRAPHQL_CHECKS}
    return diff_graphql(base, head, levels), "", []


def _ignores(ctx: AgentContext, settings: ContractCheckSettings, changes: list[Change]) -> IgnoreOutcome:
    path = _repo_path(ctx, settings.ignore_file)
    text = git_reader(ctx.git.repo, ctx.git.head)(path)
    entries = [] if text is None else parse_ignore_file(text, path, VALID_CHECKS)
    return apply_ignores(changes, entries, datetime.now(UTC).date(), path)


def _summary(spec: str, note: str, diff: ContractDiff, findings: list[Change], ignored: int) -> str:
    counts = Counter(f.level for f in findings)
    ops = f"{len(diff.changed)} changed, {len(diff.added)} added, {len(diff.removed)} removed operation(s)"
    tail = f"{counts[Level.WARN]} WARN, {counts[Level.INFO]} INFO" + (f", {ignored} ignored" if ignored else "")
    if note:
        return f"{note}: {len(diff.operations_head)} operation(s) at head, nothing to compare; {tail}"
    errs = [f for f in findings if f.level is Level.ERR]
    if errs:
        kinds = Counter(f.check for f in errs).most_common(3)
        top = ", ".join(f"{check} x{n}" for check, n in kinds)
        where = len({f.operation or f.location for f in errs})
        return f"{len(errs)} breaking change(s) (ERR) in {where} place(s): {top}; {tail}; {ops} ({spec})"
    return f"no contract break in {spec}: 0 ERR, {tail}; {ops}"


def contract_check(ctx: AgentContext) -> AgentResult:
    settings = ctx.settings if isinstance(ctx.settings, ContractCheckSettings) else ContractCheckSettings()
    kind = "graphql" if settings.graphql_schema else "openapi"
    spec = _repo_path(ctx, settings.graphql_schema or settings.spec)
    run = _diff_graphql if kind == "graphql" else _diff_openapi
    diff, note, extra = run(ctx, settings, spec)
    outcome = _ignores(ctx, settings, diff.changes)
    findings = [*extra, *outcome.kept, *outcome.expired]
    counts = Counter(f.level for f in findings)
    operations = {"added": diff.added, "changed": diff.changed, "removed": diff.removed}
    metrics = {
        "breaking_changes": float(counts[Level.ERR]),
        "warnings": float(counts[Level.WARN]),
        "infos": float(counts[Level.INFO]),
        "ignored": float(len(outcome.ignored)),
        "operations_base": float(len(diff.operations_base)),
        "operations_head": float(len(diff.operations_head)),
        "operations_added": float(len(diff.added)),
        "operations_removed": float(len(diff.removed)),
        "operations_changed": float(len(diff.changed)),
        "diff_s": round(diff.diff_s, 4),
    }
    summary = ContractSummary(
        kind=kind,
        spec=spec,
        base=ctx.git.base,
        head=ctx.git.head,
        findings=findings,
        ignored=outcome.ignored,
        checks_run=diff.checks_run,
        operations=operations,
        metrics=metrics,
        note=note,
    )
    evidence = []
    for name, text in (
        (FINDINGS_FILE, json.dumps(findings_json(summary), indent=2) + "\n"),
        (CHANGELOG_FILE, changelog_markdown(summary)),
        (JUNIT_FILE, junit_xml(summary)),
    ):
        path = ctx.evidence_path(name)
        path.write_text(text, encoding="utf-8")
        evidence.append(ctx.rel(path))
    return AgentResult(
        metrics=metrics,
        findings=[
            Finding(rule=f.check, severity=f.level.severity, message=f.message, location=f.location) for f in findings
        ],
        evidence=evidence,
        summary=_summary(spec, note, diff, findings, len(outcome.ignored)),
        failed=counts[Level.ERR] > 0,
        details={
            "kind": kind,
            "spec": spec,
            "base_document": not note,
            "operations": operations,
            "changed_operations": [*diff.added, *diff.changed],
            "ignored": [{"check": c.check, "location": c.location, "reason": e.reason} for c, e in outcome.ignored],
            "ignore_unused": [e.model_dump(mode="json") for e in outcome.unused],
            "levels": {k: str(v) for k, v in settings.levels.items()},
        },
    )


SPEC = AgentSpec(
    name=NAME,
    phase="commit",
    fn=contract_check,
    settings=ContractCheckSettings,
    description="Diffs the service's OpenAPI document (or GraphQL schema) between base and head and reports "
    "every change with a check id and a level (ERR breaks clients, WARN, INFO); validates head.",
    metrics=METRICS,
)
