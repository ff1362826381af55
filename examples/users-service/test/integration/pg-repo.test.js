'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { createPgRepo } = require('../../src/repo/pg');
const { ConflictError } = require('../../src/errors');
const { setupDatabase } = require('./db');

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('pg repository', () => {
  let pool;
  let repo;
  before(async () => {
    pool = await setupDatabase();
    repo = createPgRepo(pool);
  });
  after(async () => {
    await repo.close();
  });

  it('ping', async () => {
    assert.equal(await repo.ping(), true);
  });

  it('create, get, list, duplicate, update, patch, remove', async () => {
    const a = await repo.create({ email: 'ada@example.com', name: 'Ada' });
    assert.equal(typeof a.id, 'number');
    assert.equal(a.role, 'member');
    assert.match(a.created_at, ISO_RE);
    assert.deepEqual(await repo.get(a.id), a);

    const b = await repo.create({ email: 'bob@example.com', name: 'Bob', role: 'admin' });
    await assert.rejects(repo.create({ email: 'ada@example.com', name: 'Again' }), ConflictError);

    const all = await repo.list({ limit: 10, offset: 0 });
    assert.equal(all.total, 2);
    assert.deepEqual(
      all.items.map((u) => u.id),
      [a.id, b.id]
    );
    assert.deepEqual((await repo.list({ limit: 1, offset: 1 })).items, [b]);
    const filtered = await repo.list({ limit: 10, offset: 0, email: 'bob@example.com' });
    assert.deepEqual(filtered, { items: [b], total: 1 });

    const u = await repo.update(a.id, { email: 'ada2@example.com', name: 'Ada L', role: 'admin' });
    assert.equal(u.email, 'ada2@example.com');
    assert.equal(u.role, 'admin');
    assert.equal(u.created_at, a.created_at);
    assert.ok(Date.parse(u.updated_at) >= Date.parse(a.updated_at));
    await assert.rejects(repo.update(a.id, { email: 'bob@example.com', name: 'x' }), ConflictError);
    assert.equal(await repo.update(999999, { email: 'z@example.com', name: 'Z' }), null);

    const p = await repo.patch(b.id, { name: 'Robert' });
    assert.equal(p.name, 'Robert');
    assert.equal(p.email, 'bob@example.com');
    assert.equal(p.role, 'admin');
    assert.equal(await repo.patch(999999, { name: 'Z' }), null);

    assert.equal(await repo.remove(a.id), true);
    assert.equal(await repo.remove(a.id), false);
    assert.equal(await repo.get(a.id), null);
  });

  it('treats injection attempts as plain data', async () => {
    const email = "x'); DROP TABLE users; --@evil.io";
    const u = await repo.create({ email, name: "Robert'); DROP TABLE users;--" });
    assert.deepEqual((await repo.list({ limit: 5, offset: 0, email })).items, [u]);
    assert.equal(await repo.ping(), true);
  });
});
