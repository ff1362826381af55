"""test-data rows/s: generation and COPY load, each beside a peer measured in the same run.

Starts a throwaway PostgreSQL cluster (tasks.environment.EmbeddedPostgres), creates a simple
table and the users-service example's tables (its migrations/*.sql), and for each table
generates ROWS rows with the test-data engine (TableGenerator) and loads them (COPY through
psql, one transaction, as the agent does). Every figure is the median of REPEAT runs.

Peers, same machine, same run:
- generation: Faker called per value (what a plain script does), on a sample of PEER_SAMPLE rows;
- load: `INSERT ... SELECT generate_series` of the same shape, the database's own upper bound
  (no client at all); and psycopg 3 `executemany` when psycopg is importable (it is not a
  qeflow dependency; the line says so when it is missing).

Target (issue #4): >= 50,000 rows/s for a simple table, generation + load.
No process outlives the script: the cluster is stopped on exit, also on Ctrl-C.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from faker import Faker  # noqa: E402

from tasks.environment import EmbeddedPostgres  # noqa: E402
from tasks.test_data.generate import TableGenerator  # noqa: E402
from tasks.test_data.load import Loader  # noqa: E402
from tasks.test_data.pools import Pools  # noqa: E402
from tasks.test_data.psql import Psql  # noqa: E402

MIGRATIONS = ROOT / "examples" / "users-service" / "migrations"
SIMPLE = """
CREATE TABLE bench_simple (
    id         bigint PRIMARY KEY,
    name       text NOT NULL,
    email      text NOT NULL,
    created_at timestamptz NOT NULL,
    score      integer NOT NULL
);
"""
TARGET = 50_000
# The database's own upper bound per table: rows of the same shape made by the server itself.
NATIVE = {
    "bench_simple": "INSERT INTO bench_simple SELECT g, 'name ' || g, 'user' || g || '@example.org', "
    "now() - g * interval '1 second', g % 1000 FROM generate_series(1, {n}) g",
    "users": "INSERT INTO users (email, name, role, created_at, updated_at) SELECT 'user' || g || '@example.org', "
    "'Name ' || g, CASE WHEN g % 10 = 0 THEN 'admin' ELSE 'member' END, now(), now() FROM generate_series(1, {n}) g",
}


def median_s(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def faker_rows(n: int) -> list[tuple[object, ...]]:
    """The peer generator: Faker per value, as a plain script would write it."""
    fake = Faker("en_US")
    fake.seed_instance(1)
    return [
        (i, fake.name(), fake.email(), fake.date_time_this_decade().isoformat() + "Z", fake.random_int(0, 1000))
        for i in range(1, n + 1)
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer-sample", type=int, default=10_000)
    args = parser.parse_args(argv)
    n, repeat = args.rows, args.repeat

    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="qeflow-bench-") as tmp, EmbeddedPostgres(Path(tmp) / "pg") as pg:
        url = pg.create_database("bench")
        psql = Psql(pg.bindir / "psql", url, log_path=Path(tmp) / "psql.log")
        psql.script(SIMPLE)
        for migration in sorted(MIGRATIONS.glob("*.sql")):
            psql.script(migration.read_text(encoding="utf-8"))
        loader = Loader(psql)
        schema = loader.introspect()

        print(f"test-data bench: {n:,} rows per table, median of {repeat}, PostgreSQL {pg.bindir.parent.name}")
        print(f"{'table':<14}{'what':<44}{'seconds':>10}{'rows/s':>14}")

        def row(table: str, what: str, seconds: float, rows: int) -> None:
            line = f"{table:<14}{what:<44}{seconds:>10.3f}{rows / seconds:>14,.0f}"
            lines.append(line)
            print(line, flush=True)

        results: dict[str, float] = {}
        for name in ("bench_simple", "users"):
            table = schema.tables[name]
            pools = Pools(1)
            pools_s = median_s(lambda p=pools: [p.get(k) for k in ("first_name", "last_name", "safe_domain")], 1)
            generator = TableGenerator(table, seed=1, pools=pools)
            data = generator.generate(n)
            gen_s = median_s(lambda g=generator: g.generate(n), repeat)

            def load(t=table, d=data) -> None:
                loader.truncate([t.name])
                copied = loader.copy(t, d)
                assert copied.violation is None and copied.rows == n, copied.violation

            load_s = median_s(load, repeat)

            def native(t: str = name) -> None:
                loader.truncate([t])
                psql.run([NATIVE[t].format(n=n)], what="generate_series")

            native_s = median_s(native, repeat)
            row(name, "qeflow generate (Faker pools warm)", gen_s, n)
            row(name, f"qeflow generate + pools made once ({pools_s:.2f}s)", gen_s + pools_s, n)
            row(name, "qeflow COPY via psql (1 transaction)", load_s, n)
            row(name, "qeflow pools + generate + COPY", pools_s + gen_s + load_s, n)
            row(name, "peer: INSERT ... SELECT generate_series", native_s, n)
            results[name] = n / (pools_s + gen_s + load_s)

        sample = min(args.peer_sample, n)
        peer_gen_s = median_s(lambda: faker_rows(sample), 1)
        row("bench_simple", f"peer: Faker per value ({sample:,} rows)", peer_gen_s, sample)
        try:
            import psycopg  # type: ignore[import-not-found]
        except ImportError:
            print(f"{'bench_simple':<14}peer: psycopg executemany: skipped, psycopg is not installed")
        else:
            rows = faker_rows(sample)
            with psycopg.connect(url) as conn:

                def many() -> None:
                    with conn.cursor() as cur:
                        cur.execute("TRUNCATE bench_simple")
                        cur.executemany("INSERT INTO bench_simple VALUES (%s, %s, %s, %s, %s)", rows)
                    conn.commit()

                row("bench_simple", f"peer: psycopg executemany ({sample:,} rows)", median_s(many, repeat), sample)

    simple = results["bench_simple"]
    verdict = "met" if simple >= TARGET else "NOT met"
    print(f"target >= {TARGET:,} rows/s for a simple table (pools + generate + COPY): {simple:,.0f} rows/s — {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
