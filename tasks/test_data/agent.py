"""The `test-data` agent (build phase, after integration-tests): realistic rows for every table of
the migrated integration database, loaded with COPY, and valid request payloads for every
operation of the API document, both written to the evidence for downstream phases.

What it measures: rows per table, rows/s (generation + verification + COPY), constraint
violations (rows the database refused; 0 expected), payloads and how many fail schema
validation (0 expected). It reads the integration environment the integration-tests agent
released head into; when that environment has no release of head (a rerun of this phase alone,
or integration-tests turned off), it releases head itself so the migrations run.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator

from tasks.config import AgentSettings
from tasks.context import AgentContext
from tasks.environment import find_bindir
from tasks.errors import QeflowError
from tasks.registry import AgentSpec
from tasks.report import AgentResult, Finding, Severity
from tasks.test_data.dataset import DatasetResult, TableResult, load_dataset
from tasks.test_data.fixtures import write_payloads, write_table_fixtures
from tasks.test_data.load import Loader
from tasks.test_data.openapi import ApiDocument, OpenApiError
from tasks.test_data.payloads import OperationPayloads, PayloadGenerator
from tasks.test_data.plan import Plan, make_plan
from tasks.test_data.pools import Pools
from tasks.test_data.psql import Psql
from tasks.test_data.schema import Schema

__all__ = ["SPEC", "TestDataSettings", "test_data"]

NAME = "test-data"
METRICS = (
    "tables", "rows_total", "rows_per_s", "load_s", "generate_s", "copy_s", "violations", "regenerated",
    "tables_failed", "payloads", "invalid_payloads", "operations", "seed",
)  # fmt: skip
MIGRATION_TABLES = [
    "schema_migrations", "knex_migrations", "knex_migrations_lock", "alembic_version", "flyway_schema_history",
    "_prisma_migrations", "django_migrations", "goose_db_version", "SequelizeMeta", "pgmigrations",
    "migrations", "typeorm_metadata", "__EFMigrationsHistory", "schema_version", "databasechangelog",
    "databasechangeloglock",
]  # fmt: skip
_MAX_ROWS = 10_000_000


class TestDataSettings(AgentSettings):
    """`[agents.test-data]` in qeflow.toml."""

    __test__ = False  # not a pytest test class, whatever its name

    environment: str = Field(default="integration", description="Environment whose database gets the rows.")
    seed: int = Field(default=20_250_101, ge=0, le=2**63 - 1, description="Same seed, same rows and payloads.")
    rows: dict[str, int] = Field(
        default_factory=dict, description="Rows per table, e.g. { users = 10000 }; 0 leaves a table empty."
    )
    main_table: str | None = Field(
        default=None,
        description="The service's main table (gets main_rows); unset: the table named after the service, "
        "else the one most referenced by foreign keys.",
    )
    main_rows: int = Field(default=10_000, ge=0, le=_MAX_ROWS, description="Rows of the main table.")
    default_rows: int = Field(default=1_000, ge=0, le=_MAX_ROWS, description="Rows of every other table.")
    schema_name: str = Field(default="public", min_length=1, description="PostgreSQL schema to fill.")
    exclude: list[str] = Field(
        default_factory=lambda: list(MIGRATION_TABLES),
        description="Tables never touched (migration bookkeeping by default); their rows still serve as "
        "foreign key targets.",
    )
    keep: list[str] = Field(
        default_factory=list,
        description="Tables left as the migrations filled them (lookup tables); children reference their rows.",
    )
    truncate: bool | None = Field(
        default=None,
        description="Empty the generated tables first (TRUNCATE ... RESTART IDENTITY), so the same seed gives "
        'the same keys; unset: yes for [database] mode = "embedded" (a throwaway), no for "url".',
    )
    null_ratio: float = Field(default=0.1, ge=0, le=1, description="Share of NULLs in nullable, unconstrained columns.")
    max_retries: int = Field(
        default=5, ge=0, le=50, description="Redraws of rows the database rejects for a CHECK the parser did not "
        "understand; rows failing after that count as violations.",
    )  # fmt: skip
    fixture_rows: int = Field(
        default=1_000, ge=0, le=_MAX_ROWS, description="Rows per table in fixtures/<table>.json (all go to .tsv)."
    )
    payloads_per_operation: int = Field(default=10, ge=0, le=1_000, description="Request payloads per operation.")
    api_document: str | None = Field(
        default=None, description="OpenAPI document relative to the service root; unset: [service] api_document."
    )

    @field_validator("rows")
    @classmethod
    def _row_counts(cls, value: dict[str, int]) -> dict[str, int]:
        bad = {k: v for k, v in value.items() if not isinstance(v, int) or v < 0 or v > _MAX_ROWS}
        if bad:
            raise ValueError(f"row counts are integers from 0 to {_MAX_ROWS:,}; found {bad}")
        return value


def _settings(ctx: AgentContext) -> TestDataSettings:
    return ctx.settings if isinstance(ctx.settings, TestDataSettings) else TestDataSettings()


def _environment(ctx: AgentContext, settings: TestDataSettings) -> tuple[Any, dict[str, Any]]:
    if ctx.environments is None:
        raise QeflowError("test-data needs environments, and this run has none")
    env = ctx.environments.get(settings.environment)
    facts: dict[str, Any] = {"environment": settings.environment}
    earlier = ctx.recall("integration-tests")
    if earlier is not None:
        facts["integration_tests"] = {"status": earlier.report.status.value, "sha": earlier.report.details.get("sha")}
    current = env.current
    if current is None or current.sha != ctx.git.head:
        t0 = time.monotonic()
        env.release(ctx.git.head)
        facts["release"] = f"released {ctx.git.head[:12]} here (migrations ran) in {time.monotonic() - t0:.1f}s"
    else:
        facts["release"] = f"reused the release of {current.sha[:12]} (migrated by integration-tests)"
    return env, facts


def _psql_binary(ctx: AgentContext) -> Path:
    cluster = ctx.environments.cluster if ctx.environments is not None else None
    return (cluster.bindir if cluster is not None else find_bindir()) / "psql"


def _table_findings(dataset: DatasetResult) -> list[Finding]:
    findings = []
    for result in dataset.tables.values():
        for v in result.violations:
            findings.append(
                Finding(
                    rule="constraint-violation",
                    severity=Severity.HIGH,
                    message=f"{v.table}: {v.rows} row(s) rejected by {v.constraint}: {v.message}",
                    location=f"{v.table}/{v.constraint}",
                )
            )
        if result.error:
            findings.append(
                Finding(rule="table-not-generated", severity=Severity.HIGH, message=result.error, location=result.name)
            )
        for note in result.data.notes if result.data else []:
            findings.append(Finding(rule="rows-capped", severity=Severity.INFO, message=note, location=result.name))
    return findings


def _payload_findings(results: list[OperationPayloads]) -> list[Finding]:
    return [
        Finding(
            rule="invalid-payload",
            severity=Severity.HIGH,
            message=f"payload {i} of {r.operation.name}: {'; '.join(errors[:3])}",
            location=f"{r.operation.method} {r.operation.path}",
        )
        for r in results
        for i, errors in sorted(r.errors.items())
    ]


def _tables(
    ctx: AgentContext, settings: TestDataSettings, url: str, pools: Pools
) -> tuple[Schema, Plan, DatasetResult]:
    psql = Psql(_psql_binary(ctx), url, log_path=ctx.evidence_path("psql.log"), timeout_s=settings.timeout_s,
                cancel=ctx.cancel)  # fmt: skip
    loader = Loader(psql, settings.schema_name)
    schema = loader.introspect()
    plan = make_plan(
        schema,
        rows=settings.rows,
        main_rows=settings.main_rows,
        default_rows=settings.default_rows,
        exclude=settings.exclude,
        keep=settings.keep,
        main_table=settings.main_table,
        service=ctx.config.service.name,
    )
    truncate = settings.truncate if settings.truncate is not None else ctx.config.database.mode.value == "embedded"

    def announce(result: TableResult) -> None:
        ctx.logger.info("test-data: %s: %d rows in %.2fs", result.name, result.loaded, result.seconds)

    dataset = load_dataset(
        schema, plan, loader, seed=settings.seed, pools=pools, null_ratio=settings.null_ratio,
        max_retries=settings.max_retries, truncate=truncate, cancel=ctx.cancel, on_table=announce,
    )  # fmt: skip
    return schema, plan, dataset


def _payloads(
    ctx: AgentContext, settings: TestDataSettings, service_dir: Path, pools: Pools, dataset: DatasetResult | None
) -> tuple[list[OperationPayloads], str]:
    relative = settings.api_document or ctx.config.service.api_document
    path = service_dir / relative
    if settings.payloads_per_operation == 0:
        return [], "payloads_per_operation = 0"
    if not path.is_file():
        return [], f"no API document at {relative} in head"
    try:
        document = ApiDocument(path)
    except OpenApiError as exc:
        return [], f"API document not used: {exc}"
    keys: dict[str, list[Any]] = {}
    if dataset is not None:
        for name, result in dataset.tables.items():
            for key, values in result.keys.items():
                if len(key) == 1 and values:
                    keys[name] = [v[0] for v in values]
    generator = PayloadGenerator(document, pools, seed=settings.seed, keys=keys)
    return generator.run(settings.payloads_per_operation), f"OpenAPI {document.version}: {relative}"


def test_data(ctx: AgentContext) -> AgentResult:
    settings = _settings(ctx)
    pools = Pools(settings.seed)
    env, facts = _environment(ctx, settings)
    service_dir = env.current.service_dir
    evidence: list[Path] = []

    dataset: DatasetResult | None = None
    plan: Plan | None = None
    if env.database_url is None:
        facts["database"] = 'none ([database] mode = "none"): no table data, payloads only'
    else:
        schema, plan, dataset = _tables(ctx, settings, env.database_url, pools)
        evidence += write_table_fixtures(
            ctx.evidence_path("fixtures"), schema, dataset, seed=settings.seed, fixture_rows=settings.fixture_rows
        )
        facts.update(
            schema=schema.name, order=list(plan.order), main_table=plan.main_table, skipped=plan.skipped,
            deferred={k: list(v) for k, v in plan.deferred.items()}, truncated=dataset.truncated,
            tables={name: r.summary() for name, r in dataset.tables.items()},
        )  # fmt: skip

    results, api_note = _payloads(ctx, settings, service_dir, pools, dataset)
    facts["api"] = api_note
    evidence += write_payloads(ctx.evidence_path("payloads"), results)
    if (log := ctx.evidence_path("psql.log")).is_file():
        evidence.append(log)

    rows_total = dataset.rows_total if dataset else 0
    load_s = dataset.load_s if dataset else 0.0
    violations = sum(v.rows for v in dataset.violations) if dataset else 0
    failed_tables = [r.name for r in dataset.tables.values() if r.error] if dataset else []
    payloads = sum(len(r.payloads) for r in results)
    invalid = sum(r.invalid for r in results)
    loaded_tables = [r for r in dataset.tables.values() if r.loaded] if dataset else []
    metrics = {
        "tables": float(len(loaded_tables)),
        "rows_total": float(rows_total),
        "rows_per_s": round(rows_total / load_s, 1) if load_s > 0 else 0.0,
        "load_s": round(load_s, 3),
        "generate_s": round(sum(r.generate_s for r in dataset.tables.values()), 3) if dataset else 0.0,
        "copy_s": round(sum(r.copy_s for r in dataset.tables.values()), 3) if dataset else 0.0,
        "violations": float(violations),
        "regenerated": float(sum(r.regenerated for r in dataset.tables.values())) if dataset else 0.0,
        "tables_failed": float(len(failed_tables)),
        "payloads": float(payloads),
        "invalid_payloads": float(invalid),
        "operations": float(len(results)),
        "seed": float(settings.seed),
    }
    findings = (_table_findings(dataset) if dataset else []) + _payload_findings(results)
    per_table = ", ".join(f"{r.name} {r.loaded:,}" for r in loaded_tables) or "no table"
    summary = (
        f"{rows_total:,} rows loaded ({per_table}) at {metrics['rows_per_s']:,.0f} rows/s, {violations} violation(s); "
        f"{payloads} payloads for {len(results)} operation(s), {invalid} invalid (seed {settings.seed})"
    )
    if failed_tables:
        summary += f"; not generated: {', '.join(failed_tables)}"
    return AgentResult(
        metrics=metrics,
        findings=findings,
        evidence=[ctx.rel(p) for p in evidence],
        summary=summary,
        failed=bool(violations or invalid or failed_tables),
        details=facts,
    )


test_data.__test__ = False  # type: ignore[attr-defined]  # the agent's name, not a pytest test

SPEC = AgentSpec(
    name=NAME,
    phase="build",
    fn=test_data,
    settings=TestDataSettings,
    description="Generates realistic rows for the migrated integration database (Faker by column name, "
    "constraints and foreign keys respected, seeded) and loads them with COPY; writes table fixtures and "
    "schema-valid API request payloads to the evidence.",
    metrics=METRICS,
)
