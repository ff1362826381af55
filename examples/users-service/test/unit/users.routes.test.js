'use strict';

const { describe, it, beforeEach } = require('node:test');
const assert = require('node:assert/strict');
const request = require('supertest');
const { makeApp } = require('./helpers');

const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

async function seed(app, n) {
  const users = [];
  for (let i = 1; i <= n; i++) {
    const res = await request(app)
      .post('/users')
      .send({ email: `user${i}@example.com`, name: `User ${i}`, role: i === 1 ? 'admin' : undefined });
    assert.equal(res.status, 201);
    users.push(res.body);
  }
  return users;
}

describe('POST /users', () => {
  let app;
  beforeEach(() => ({ app } = makeApp()));

  it('creates a user (201, Location, full shape)', async () => {
    const res = await request(app).post('/users').send({ email: 'Ada@Example.com', name: 'Ada Lovelace' });
    assert.equal(res.status, 201);
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.equal(res.headers.location, '/users/1');
    assert.deepEqual(Object.keys(res.body).sort(), ['created_at', 'email', 'id', 'name', 'role', 'updated_at']);
    assert.equal(res.body.id, 1);
    assert.equal(res.body.email, 'ada@example.com');
    assert.equal(res.body.name, 'Ada Lovelace');
    assert.equal(res.body.role, 'member');
    assert.match(res.body.created_at, ISO_RE);
    assert.match(res.body.updated_at, ISO_RE);
  });

  it('accepts role admin', async () => {
    const res = await request(app).post('/users').send({ email: 'root@example.com', name: 'R', role: 'admin' });
    assert.equal(res.status, 201);
    assert.equal(res.body.role, 'admin');
  });

  it('400 with error and details on invalid input', async () => {
    const res = await request(app).post('/users').send({ email: 'nope', role: 'god', extra: 1 });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'validation failed');
    const fieldsSeen = res.body.details.map((d) => d.field).sort();
    assert.deepEqual(fieldsSeen, ['email', 'extra', 'name', 'role']);
  });

  it('400 when body is missing or not an object', async () => {
    const missing = await request(app).post('/users');
    assert.equal(missing.status, 400);
    const arr = await request(app).post('/users').send([1, 2]);
    assert.equal(arr.status, 400);
    assert.equal(arr.body.details[0].field, 'body');
    const text = await request(app).post('/users').set('Content-Type', 'text/plain').send('email=a');
    assert.equal(text.status, 400);
  });

  it('409 on duplicate email (case-insensitive)', async () => {
    await request(app).post('/users').send({ email: 'dup@example.com', name: 'One' }).expect(201);
    const res = await request(app).post('/users').send({ email: 'DUP@example.com', name: 'Two' });
    assert.equal(res.status, 409);
    assert.deepEqual(res.body, { error: 'email already exists' });
  });
});

describe('GET /users', () => {
  let app;
  beforeEach(() => ({ app } = makeApp()));

  it('returns an empty page by default', async () => {
    const res = await request(app).get('/users');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { items: [], total: 0, limit: 20, offset: 0 });
  });

  it('paginates with limit and offset', async () => {
    await seed(app, 5);
    const res = await request(app).get('/users?limit=2&offset=1');
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 5);
    assert.equal(res.body.limit, 2);
    assert.equal(res.body.offset, 1);
    assert.deepEqual(
      res.body.items.map((u) => u.id),
      [2, 3]
    );
    const past = await request(app).get('/users?offset=10');
    assert.deepEqual(past.body.items, []);
    assert.equal(past.body.total, 5);
  });

  it('filters by email', async () => {
    await seed(app, 3);
    const res = await request(app).get('/users').query({ email: 'USER2@example.com' });
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 1);
    assert.equal(res.body.items[0].email, 'user2@example.com');
    const none = await request(app).get('/users').query({ email: 'ghost@example.com' });
    assert.deepEqual(none.body.items, []);
  });

  for (const qs of ['limit=0', 'limit=101', 'limit=abc', 'offset=-1', 'email=', 'limit=1&limit=2']) {
    it(`400 for ?${qs}`, async () => {
      const res = await request(app).get(`/users?${qs}`);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid query parameters');
      assert.ok(Array.isArray(res.body.details) && res.body.details.length > 0);
    });
  }
});

describe('GET /users/:id', () => {
  let app;
  beforeEach(() => ({ app } = makeApp()));

  it('returns the user', async () => {
    const [u] = await seed(app, 1);
    const res = await request(app).get('/users/1');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, u);
  });

  it('404 when missing', async () => {
    const res = await request(app).get('/users/42');
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { error: 'user not found' });
  });

  for (const id of ['0', '-3', 'abc', '1.5', '99999999999999999999']) {
    it(`400 for invalid id ${id}`, async () => {
      const res = await request(app).get(`/users/${id}`);
      assert.equal(res.status, 400);
      assert.equal(res.body.error, 'invalid id');
      assert.deepEqual(res.body.details, [{ field: 'id', message: 'must be a positive integer' }]);
    });
  }
});

describe('PUT /users/:id', () => {
  let app;
  beforeEach(() => ({ app } = makeApp()));

  it('replaces the user (role resets to default when omitted)', async () => {
    const [u] = await seed(app, 1);
    assert.equal(u.role, 'admin');
    const res = await request(app).put('/users/1').send({ email: 'new@example.com', name: 'New' });
    assert.equal(res.status, 200);
    assert.equal(res.body.id, 1);
    assert.equal(res.body.email, 'new@example.com');
    assert.equal(res.body.name, 'New');
    assert.equal(res.body.role, 'member');
    assert.equal(res.body.created_at, u.created_at);
    assert.ok(res.body.updated_at > u.updated_at);
  });

  it('400 on partial body', async () => {
    await seed(app, 1);
    const res = await request(app).put('/users/1').send({ name: 'Only name' });
    assert.equal(res.status, 400);
    assert.deepEqual(
      res.body.details.map((d) => d.field),
      ['email']
    );
  });

  it('400 on invalid id', async () => {
    const res = await request(app).put('/users/x').send({ email: 'a@b.co', name: 'n' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid id');
  });

  it('404 when missing', async () => {
    const res = await request(app).put('/users/9').send({ email: 'a@b.co', name: 'n' });
    assert.equal(res.status, 404);
  });

  it('409 when taking another user email', async () => {
    await seed(app, 2);
    const res = await request(app).put('/users/2').send({ email: 'user1@example.com', name: 'x' });
    assert.equal(res.status, 409);
  });

  it('keeping its own email is not a conflict', async () => {
    await seed(app, 1);
    const res = await request(app).put('/users/1').send({ email: 'user1@example.com', name: 'Renamed' });
    assert.equal(res.status, 200);
    assert.equal(res.body.name, 'Renamed');
  });
});

describe('PATCH /users/:id', () => {
  let app;
  beforeEach(() => ({ app } = makeApp()));

  it('updates only given fields', async () => {
    const [u] = await seed(app, 1);
    const res = await request(app).patch('/users/1').send({ name: 'Patched' });
    assert.equal(res.status, 200);
    assert.equal(res.body.name, 'Patched');
    assert.equal(res.body.email, u.email);
    assert.equal(res.body.role, 'admin');
  });

  it('400 on empty body, invalid field or invalid id', async () => {
    await seed(app, 1);
    assert.equal((await request(app).patch('/users/1').send({})).status, 400);
    assert.equal((await request(app).patch('/users/1').send({ role: 'x' })).status, 400);
    assert.equal((await request(app).patch('/users/0').send({ role: 'admin' })).status, 400);
  });

  it('404 when missing and 409 on duplicate email', async () => {
    await seed(app, 2);
    assert.equal((await request(app).patch('/users/7').send({ name: 'n' })).status, 404);
    assert.equal((await request(app).patch('/users/2').send({ email: 'user1@example.com' })).status, 409);
  });
});

describe('DELETE /users/:id', () => {
  let app;
  beforeEach(() => ({ app } = makeApp()));

  it('204 then 404', async () => {
    await seed(app, 1);
    const res = await request(app).delete('/users/1');
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.equal((await request(app).get('/users/1')).status, 404);
    assert.equal((await request(app).delete('/users/1')).status, 404);
  });

  it('400 on invalid id', async () => {
    assert.equal((await request(app).delete('/users/abc')).status, 400);
  });
});

describe('method not allowed', () => {
  it('405 with Allow header on known paths', async () => {
    const { app } = makeApp();
    const a = await request(app).delete('/users');
    assert.equal(a.status, 405);
    assert.equal(a.headers.allow, 'GET, HEAD, POST');
    assert.deepEqual(a.body, { error: 'method not allowed' });
    const b = await request(app).post('/users/1').send({});
    assert.equal(b.status, 405);
    assert.equal(b.headers.allow, 'GET, HEAD, PUT, PATCH, DELETE');
    for (const p of ['/health', '/metrics', '/admin']) {
      const r = await request(app).post(p);
      assert.equal(r.status, 405, p);
      assert.equal(r.headers.allow, 'GET, HEAD');
    }
    const head = await request(app).head('/users');
    assert.equal(head.status, 200);
  });
});
