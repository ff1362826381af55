"""End to end on a real embedded PostgreSQL: the example's migrations, a schema with foreign keys,
multi-column UNIQUE and CHECKs, and the agent itself with its evidence.

The environment seam is faked (a database URL and a "release" that records the call); the
database, psql, COPY and the constraints are real.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tasks.config import Config, ServiceSettings
from tasks.context import AgentContext
from tasks.environment import EmbeddedPostgres
from tasks.evidence import EvidenceStore, RunDir
from tasks.git import GitContext
from tasks.test_data import TestDataSettings, test_data
from tasks.test_data.dataset import load_dataset
from tasks.test_data.load import Loader
from tasks.test_data.plan import make_plan
from tasks.test_data.pools import Pools
from tasks.test_data.psql import Psql

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "users-service"
HEAD = "b" * 40

TEAMS_SCHEMA = """
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN posint AS integer CHECK (VALUE > 0);
CREATE TABLE teams (
    id serial PRIMARY KEY, name varchar(40) NOT NULL UNIQUE, code char(3) UNIQUE,
    founded date CHECK (founded > '1990-01-01')
);
CREATE TABLE members (
    team_id int NOT NULL REFERENCES teams(id), user_id bigint NOT NULL REFERENCES users(id),
    role text NOT NULL CHECK (role IN ('lead', 'dev', 'qa')), joined_at timestamptz NOT NULL,
    left_at timestamptz, rating numeric(3,1) CHECK (rating BETWEEN 0 AND 5), feeling mood, weight posint,
    tags text[], meta jsonb, uid uuid NOT NULL DEFAULT gen_random_uuid(),
    PRIMARY KEY (team_id, user_id), CHECK (left_at > joined_at)
);
CREATE TABLE profiles (
    user_id bigint PRIMARY KEY REFERENCES users(id), bio text, website varchar(200), phone varchar(30),
    handle text NOT NULL CHECK (handle ~ '^[a-z]+$')
);
CREATE TABLE slots (
    id int PRIMARY KEY, room text NOT NULL, starts_at timestamp NOT NULL, ends_at timestamp NOT NULL,
    UNIQUE (room, starts_at), CHECK (ends_at > starts_at)
);
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    with EmbeddedPostgres(tmp_path_factory.mktemp("pg")) as pg:
        yield pg


def _database(pg: EmbeddedPostgres, name: str, tmp_path: Path, *extra_sql: str) -> tuple[str, Psql]:
    url = pg.create_database(name)
    psql = Psql(pg.bindir / "psql", url, log_path=tmp_path / f"{name}-setup.log")
    for migration in sorted((EXAMPLE / "migrations").glob("*.sql")):
        psql.script(migration.read_text(encoding="utf-8"))
    for sql in extra_sql:
        psql.script(sql)
    return url, psql


@dataclass
class _Release:
    sha: str
    service_dir: Path


@dataclass
class _Environment:
    database_url: str | None
    service_dir: Path
    current: _Release | None = None
    released: list[str] = field(default_factory=list)

    def release(self, sha: str) -> _Release:
        self.released.append(sha)
        self.current = _Release(sha, self.service_dir)
        return self.current


@dataclass
class _Environments:
    cluster: EmbeddedPostgres
    env: _Environment

    def get(self, name: str) -> _Environment:
        assert name == "integration"
        return self.env


def _context(tmp_path: Path, pg: EmbeddedPostgres, env: _Environment, settings: TestDataSettings) -> AgentContext:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "qeflow.toml").write_text("", encoding="utf-8")
    config = Config(
        path=tmp_path / "qeflow.toml",
        service=ServiceSettings(name="users-service", start=["node", "src/server.js"], root=str(EXAMPLE)),
    )
    run_dir = tmp_path / "runs" / "run-1"
    run_dir.mkdir(parents=True)
    git = GitContext(repo=EXAMPLE, base="a" * 40, head=HEAD, base_ref="main", head_ref="HEAD", service_path="")
    return AgentContext(
        run=RunDir(EvidenceStore(tmp_path / "runs"), "run-1", run_dir),
        phase="build",
        agent="test-data",
        config=config,
        settings=settings,
        git=git,
        workspace=None,  # type: ignore[arg-type]
        environments=_Environments(pg, env),  # type: ignore[arg-type]
    )


def test_agent_loads_10k_users_with_no_violation_and_writes_its_evidence(
    cluster: EmbeddedPostgres, tmp_path: Path
) -> None:
    url, psql = _database(cluster, "agent_users", tmp_path)
    psql.run(["CREATE TABLE schema_migrations (version text PRIMARY KEY)",
              "INSERT INTO schema_migrations VALUES ('001_create_users')"])  # fmt: skip
    env = _Environment(url, EXAMPLE)  # no release yet: the agent releases head itself
    ctx = _context(tmp_path / "one", cluster, env, TestDataSettings(seed=5))
    result = test_data(ctx)

    assert env.released == [HEAD]
    m = result.metrics
    assert (m["tables"], m["rows_total"], m["violations"], m["tables_failed"]) == (1, 10_000, 0, 0)
    assert m["rows_per_s"] > 0 and m["load_s"] > 0 and m["seed"] == 5
    assert (m["operations"], m["payloads"], m["invalid_payloads"]) == (3, 30, 0)
    assert not result.failed, result.summary
    assert "10,000 rows loaded (users 10,000)" in result.summary
    assert psql.run(["SELECT count(*), count(DISTINCT email), min(id), max(id) FROM users"]).stdout.strip() == (
        "10000|10000|1|10000"
    )
    assert psql.run(["SELECT count(*) FROM schema_migrations"]).stdout.strip() == "1"  # excluded by default
    evidence = {Path(p).name for p in result.evidence}
    assert {"index.json", "users.json", "users.tsv", "createUser.json", "updateUser.json", "psql.log"} <= evidence
    users = json.loads((ctx.evidence_dir / "fixtures" / "users.json").read_text())
    assert len(users) == 1_000 and users[0]["id"] == 1
    payloads = json.loads((ctx.evidence_dir / "payloads" / "createUser.json").read_text())
    assert payloads["valid"] == 10 and payloads["method"] == "POST"
    assert result.details["release"].startswith("released bbbbbbbbbbbb here")

    # Same seed, already released: same bytes, and no second release.
    ctx2 = _context(tmp_path / "two", cluster, env, TestDataSettings(seed=5))
    test_data(ctx2)
    assert env.released == [HEAD]
    for rel in ("fixtures/users.json", "fixtures/users.tsv", "fixtures/index.json", "payloads/createUser.json"):
        assert (ctx.evidence_dir / rel).read_bytes() == (ctx2.evidence_dir / rel).read_bytes(), rel


def test_foreign_keys_multi_column_unique_and_checks_load_clean(cluster: EmbeddedPostgres, tmp_path: Path) -> None:
    _, psql = _database(cluster, "relations", tmp_path, TEAMS_SCHEMA)
    loader = Loader(psql)
    schema = loader.introspect()
    plan = make_plan(schema, rows={"members": 3_000, "slots": 2_000}, main_rows=2_000, default_rows=300,
                     service="users-service")  # fmt: skip
    assert plan.order.index("users") < plan.order.index("members")
    assert plan.order.index("teams") < plan.order.index("members")
    dataset = load_dataset(schema, plan, loader, seed=8, pools=Pools(8))
    loaded = {name: r.loaded for name, r in dataset.tables.items()}
    assert loaded == {"members": 3_000, "profiles": 300, "slots": 2_000, "teams": 300, "users": 2_000}
    assert dataset.violations == []
    assert all(r.error is None for r in dataset.tables.values())
    # The regular expression CHECK is not parsed: the database verified every row before the load.
    assert dataset.tables["profiles"].verify_s > 0
    counts = psql.run([
        "SELECT (SELECT count(*) FROM members m JOIN users u ON u.id = m.user_id JOIN teams t ON t.id = m.team_id),"
        " (SELECT count(DISTINCT (room, starts_at)) FROM slots),"
        " (SELECT count(*) FROM members WHERE left_at <= joined_at)"
    ]).stdout.strip()  # fmt: skip
    assert counts == "3000|2000|0"


def test_violations_name_the_table_and_the_constraint(cluster: EmbeddedPostgres, tmp_path: Path) -> None:
    sql = """
    CREATE TABLE notes (id int PRIMARY KEY, body text NOT NULL CHECK (md5(body) = 'nothing matches'));
    CREATE TABLE singles (id int PRIMARY KEY, label text NOT NULL);
    CREATE UNIQUE INDEX singles_only_one ON singles ((true));
    """
    _, psql = _database(cluster, "broken", tmp_path, sql)
    loader = Loader(psql)
    schema = loader.introspect()
    plan = make_plan(schema, rows={"notes": 20, "singles": 5, "users": 10}, main_rows=10, default_rows=10)
    dataset = load_dataset(schema, plan, loader, seed=1, pools=Pools(1), max_retries=2)
    notes, singles = dataset.tables["notes"], dataset.tables["singles"]
    assert [(v.table, v.constraint, v.rows) for v in notes.violations] == [("notes", "notes_body_check", 20)]
    assert notes.regenerated == 40 and notes.loaded == 0
    assert [(v.table, v.constraint) for v in singles.violations] == [("singles", "singles_only_one")]
    assert "duplicate key value" in singles.violations[0].message
    assert dataset.tables["users"].loaded == 10 and dataset.tables["users"].violations == []
