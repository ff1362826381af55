'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const request = require('supertest');
const { createApp } = require('../../src/app');
const { createPgRepo } = require('../../src/repo/pg');
const { start } = require('../../src/server');
const { silentLogger } = require('../../src/logger');
const { databaseUrl, setupDatabase } = require('./db');

describe('app end to end on PostgreSQL', () => {
  let pool;
  let app;
  before(async () => {
    pool = await setupDatabase();
    app = createApp({ repo: createPgRepo(pool) });
  });
  after(async () => {
    await pool.end();
  });

  it('health is ok', async () => {
    const res = await request(app).get('/health');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('create, list, duplicate 409, update, delete', async () => {
    const created = await request(app).post('/users').send({ email: 'Ada@Example.com', name: 'Ada' });
    assert.equal(created.status, 201);
    const id = created.body.id;
    assert.equal(created.headers.location, `/users/${id}`);
    assert.equal(created.body.email, 'ada@example.com');

    const dup = await request(app).post('/users').send({ email: 'ada@example.com', name: 'Other' });
    assert.equal(dup.status, 409);
    assert.deepEqual(dup.body, { error: 'email already exists' });

    await request(app).post('/users').send({ email: 'bob@example.com', name: 'Bob', role: 'admin' }).expect(201);
    const list = await request(app).get('/users?limit=1&offset=0');
    assert.equal(list.status, 200);
    assert.equal(list.body.total, 2);
    assert.equal(list.body.items.length, 1);
    assert.equal(list.body.items[0].id, id);
    const byEmail = await request(app).get('/users').query({ email: 'bob@example.com' });
    assert.equal(byEmail.body.items[0].role, 'admin');

    const got = await request(app).get(`/users/${id}`);
    assert.deepEqual(got.body, created.body);

    const put = await request(app).put(`/users/${id}`).send({ email: 'ada@example.org', name: 'Ada L.' });
    assert.equal(put.status, 200);
    assert.equal(put.body.email, 'ada@example.org');
    const clash = await request(app).put(`/users/${id}`).send({ email: 'bob@example.com', name: 'x' });
    assert.equal(clash.status, 409);
    const patch = await request(app).patch(`/users/${id}`).send({ role: 'admin' });
    assert.equal(patch.body.role, 'admin');

    const html = await request(app).get('/admin');
    assert.equal(html.status, 200);
    assert.match(html.text, /ada@example\.org/);

    assert.equal((await request(app).delete(`/users/${id}`)).status, 204);
    assert.equal((await request(app).get(`/users/${id}`)).status, 404);
    assert.equal((await request(app).delete(`/users/${id}`)).status, 404);
  });

  it('the real server answers /health and /metrics', async () => {
    const running = await start(
      { port: 0, host: '127.0.0.1', databaseUrl: databaseUrl(), logLevel: 'silent' },
      { logger: silentLogger }
    );
    try {
      const health = await fetch(`http://127.0.0.1:${running.port}/health`);
      assert.equal(health.status, 200);
      const metrics = await (await fetch(`http://127.0.0.1:${running.port}/metrics`)).text();
      assert.match(metrics, /http_requests_total\{method="GET",route="\/health",status="200"\} 1/);
    } finally {
      await running.close();
    }
  });
});
