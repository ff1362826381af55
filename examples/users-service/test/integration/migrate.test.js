'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');
const { migrate, listMigrations } = require('../../scripts/migrate');
const { databaseUrl } = require('./db');

describe('migrations', () => {
  let client;
  before(async () => {
    client = new Client({ connectionString: databaseUrl() });
    await client.connect();
  });
  after(async () => {
    await client.end();
  });

  it('applies every migration and records it; a second run is a no-op', async () => {
    await migrate({ databaseUrl: databaseUrl() });
    const { rows } = await client.query('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(
      rows.map((r) => r.version),
      listMigrations().map((m) => m.version)
    );
    assert.deepEqual(await migrate({ databaseUrl: databaseUrl() }), []);
  });

  it('concurrent runs are serialised', async () => {
    const results = await Promise.all([1, 2, 3].map(() => migrate({ databaseUrl: databaseUrl() })));
    assert.deepEqual(results, [[], [], []]);
  });

  it('creates the users table with its constraints', async () => {
    const cols = await client.query(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
       WHERE table_name = 'users' ORDER BY ordinal_position`
    );
    assert.deepEqual(
      cols.rows.map((c) => [c.column_name, c.data_type, c.is_nullable]),
      [
        ['id', 'bigint', 'NO'],
        ['email', 'text', 'NO'],
        ['name', 'text', 'NO'],
        ['role', 'text', 'NO'],
        ['created_at', 'timestamp with time zone', 'NO'],
        ['updated_at', 'timestamp with time zone', 'NO'],
      ]
    );
    await assert.rejects(
      client.query("INSERT INTO users (email, name, role) VALUES ('a@b.co', 'A', 'root')"),
      /users_role_check/
    );
    await assert.rejects(client.query("INSERT INTO users (email, name) VALUES ('ab', 'A')"), /users_email_length/);
    const idx = await client.query("SELECT indexname FROM pg_indexes WHERE tablename = 'users' ORDER BY 1");
    assert.deepEqual(
      idx.rows.map((r) => r.indexname),
      ['users_created_at_idx', 'users_email_key', 'users_pkey']
    );
  });

  it('rolls back a failing migration and reports it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    try {
      // eslint-disable-next-line security/detect-non-literal-fs-filename -- temp dir created by this test
      fs.writeFileSync(path.join(dir, '900_ok_then_fail.sql'), 'CREATE TABLE it_tmp_x (id int); SELECT 1/0;');
      await assert.rejects(migrate({ databaseUrl: databaseUrl(), dir }), /migration 900_ok_then_fail failed/);
      const t = await client.query("SELECT to_regclass('it_tmp_x') AS t");
      assert.equal(t.rows[0].t, null);
      const v = await client.query("SELECT 1 FROM schema_migrations WHERE version = '900_ok_then_fail'");
      assert.equal(v.rowCount, 0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('requires a database URL', async () => {
    await assert.rejects(migrate({}), /DATABASE_URL is required/);
  });
});
