'use strict';

// Apply migrations/*.sql in name order, each inside its own transaction, and
// record applied ones in schema_migrations. Safe to run repeatedly (idempotent)
// and concurrently (a session advisory lock serialises runners).

const fs = require('node:fs');
const path = require('node:path');
const { Client } = require('pg');

const MIGRATIONS_DIR = path.join(__dirname, '..', 'migrations');
const FILE_RE = /^\d+_[\w-]+\.sql$/;
const LOCK_KEY = 727274001; // arbitrary constant for pg_advisory_lock

function listMigrations(dir = MIGRATIONS_DIR) {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- dir is the repo's migrations folder
  return fs
    .readdirSync(dir)
    .filter((f) => FILE_RE.test(f))
    .sort()
    .map((file) => ({
      version: file.replace(/\.sql$/, ''),
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- file name matched FILE_RE inside dir
      sql: fs.readFileSync(path.join(dir, file), 'utf8'),
    }));
}

/**
 * Apply pending migrations. Returns the list of versions applied in this run.
 * @param {object} opts
 * @param {string} opts.databaseUrl
 * @param {string} [opts.dir]
 * @param {(msg: string) => void} [opts.log]
 */
async function migrate({ databaseUrl, dir = MIGRATIONS_DIR, log = () => {} }) {
  if (!databaseUrl) throw new Error('DATABASE_URL is required');
  const migrations = listMigrations(dir);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const applied = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((r) => r.version));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [m.version]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.version} failed: ${err.message}`);
      }
      applied.push(m.version);
      log(`applied ${m.version}`);
    }
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]);
  } finally {
    await client.end();
  }
  log(applied.length ? `${applied.length} migration(s) applied` : 'database is up to date');
  return applied;
}

if (require.main === module) {
  migrate({ databaseUrl: process.env.DATABASE_URL, log: (msg) => process.stdout.write(`${msg}\n`) }).catch(
    (err) => {
      process.stderr.write(`migrate: ${err.message}\n`);
      process.exit(1);
    }
  );
}

module.exports = { migrate, listMigrations, MIGRATIONS_DIR };
