'use strict';

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { createMemoryRepo } = require('../../src/repo/memory');
const { createPgRepo, toUser, mapError } = require('../../src/repo/pg');
const { ConflictError } = require('../../src/errors');
const { fakeClock } = require('./helpers');

describe('memory repo', () => {
  it('implements the repository contract', async () => {
    const repo = createMemoryRepo({ now: fakeClock() });
    assert.equal(await repo.ping(), true);
    const a = await repo.create({ email: 'a@b.co', name: 'A' });
    assert.deepEqual(a, {
      id: 1,
      email: 'a@b.co',
      name: 'A',
      role: 'member',
      created_at: '2024-01-01T00:00:00.000Z',
      updated_at: '2024-01-01T00:00:00.000Z',
    });
    await assert.rejects(repo.create({ email: 'a@b.co', name: 'B' }), ConflictError);
    const b = await repo.create({ email: 'b@b.co', name: 'B', role: 'admin' });
    assert.equal(b.id, 2);
    assert.deepEqual(await repo.list(), { items: [a, b], total: 2 });
    assert.deepEqual((await repo.list({ email: 'b@b.co' })).items, [b]);
    const u = await repo.update(1, { email: 'a2@b.co', name: 'A2' });
    assert.equal(u.email, 'a2@b.co');
    assert.equal(u.updated_at, '2024-01-01T00:00:02.000Z');
    assert.equal(await repo.update(99, { email: 'z@b.co', name: 'Z' }), null);
    await assert.rejects(repo.patch(1, { email: 'b@b.co' }), ConflictError);
    assert.equal((await repo.patch(1, { role: 'admin' })).role, 'admin');
    assert.equal(await repo.get(99), null);
    // returned objects are copies
    (await repo.get(1)).name = 'mutated';
    assert.equal((await repo.get(1)).name, 'A2');
    assert.equal(await repo.remove(1), true);
    assert.equal(await repo.remove(1), false);
    await repo.close();
  });

  it('uses the real clock by default', async () => {
    const repo = createMemoryRepo();
    const u = await repo.create({ email: 'a@b.co', name: 'A' });
    assert.ok(Math.abs(Date.parse(u.created_at) - Date.now()) < 5000);
  });
});

/** A fake pg Pool recording queries and replying from a queue. */
function fakePool(replies = []) {
  const calls = [];
  return {
    calls,
    ended: false,
    async query(text, params) {
      calls.push({ text, params });
      const next = replies.shift();
      if (next instanceof Error) throw next;
      return next || { rows: [], rowCount: 0 };
    },
    async end() {
      this.ended = true;
    },
  };
}

const ROW = {
  id: '7',
  email: 'a@b.co',
  name: 'A',
  role: 'member',
  created_at: new Date('2024-01-01T00:00:00Z'),
  updated_at: new Date('2024-01-02T00:00:00Z'),
};
const USER = {
  id: 7,
  email: 'a@b.co',
  name: 'A',
  role: 'member',
  created_at: '2024-01-01T00:00:00.000Z',
  updated_at: '2024-01-02T00:00:00.000Z',
};

describe('pg repo (fake pool)', () => {
  it('toUser converts bigint ids and timestamps', () => {
    assert.deepEqual(toUser(ROW), USER);
  });

  it('mapError turns unique violations into ConflictError', () => {
    assert.ok(mapError(Object.assign(new Error('dup'), { code: '23505' })) instanceof ConflictError);
    const other = new Error('x');
    assert.equal(mapError(other), other);
    assert.equal(mapError(undefined), undefined);
  });

  it('ping runs SELECT 1', async () => {
    const pool = fakePool();
    assert.equal(await createPgRepo(pool).ping(), true);
    assert.equal(pool.calls[0].text, 'SELECT 1');
  });

  it('list passes filter, limit and offset as parameters', async () => {
    const pool = fakePool([{ rows: [ROW] }, { rows: [{ total: '1' }] }]);
    const page = await createPgRepo(pool).list({ limit: 5, offset: 10, email: 'a@b.co' });
    assert.deepEqual(page, { items: [USER], total: 1 });
    assert.deepEqual(pool.calls[0].params, ['a@b.co', 5, 10]);
    assert.deepEqual(pool.calls[1].params, ['a@b.co']);
    assert.doesNotMatch(pool.calls[0].text, /a@b\.co/);
  });

  it('list defaults', async () => {
    const pool = fakePool([{ rows: [] }, { rows: [{ total: '0' }] }]);
    assert.deepEqual(await createPgRepo(pool).list(), { items: [], total: 0 });
    assert.deepEqual(pool.calls[0].params, [null, 20, 0]);
  });

  it('get returns a user or null', async () => {
    const pool = fakePool([{ rows: [ROW] }, { rows: [] }]);
    const repo = createPgRepo(pool);
    assert.deepEqual(await repo.get(7), USER);
    assert.equal(await repo.get(8), null);
    assert.deepEqual(pool.calls[0].params, [7]);
  });

  it('create inserts with parameters and maps duplicates to ConflictError', async () => {
    const pool = fakePool([{ rows: [ROW] }, Object.assign(new Error('dup'), { code: '23505' })]);
    const repo = createPgRepo(pool);
    assert.deepEqual(await repo.create({ email: 'a@b.co', name: 'A' }), USER);
    assert.deepEqual(pool.calls[0].params, ['a@b.co', 'A', 'member']);
    await assert.rejects(repo.create({ email: 'a@b.co', name: 'A', role: 'admin' }), ConflictError);
  });

  it('update and patch return the user or null', async () => {
    const pool = fakePool([{ rows: [ROW] }, { rows: [] }, { rows: [ROW] }, { rows: [] }]);
    const repo = createPgRepo(pool);
    assert.deepEqual(await repo.update(7, { email: 'a@b.co', name: 'A' }), USER);
    assert.deepEqual(pool.calls[0].params, [7, 'a@b.co', 'A', 'member']);
    assert.equal(await repo.update(8, { email: 'a@b.co', name: 'A', role: 'admin' }), null);
    assert.deepEqual(await repo.patch(7, { name: 'A' }), USER);
    assert.deepEqual(pool.calls[2].params, [7, null, 'A', null]);
    assert.equal(await repo.patch(8, { email: 'x@y.zz', role: 'admin' }), null);
    assert.deepEqual(pool.calls[3].params, [8, 'x@y.zz', null, 'admin']);
  });

  it('remove reports whether a row was deleted', async () => {
    const pool = fakePool([{ rowCount: 1 }, { rowCount: 0 }]);
    const repo = createPgRepo(pool);
    assert.equal(await repo.remove(7), true);
    assert.equal(await repo.remove(7), false);
  });

  it('propagates other errors and closes the pool', async () => {
    const boom = new Error('connection refused');
    const pool = fakePool([boom]);
    const repo = createPgRepo(pool);
    await assert.rejects(repo.ping(), (err) => err === boom);
    await repo.close();
    assert.equal(pool.ended, true);
  });
});
