'use strict';

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const request = require('supertest');
const { createApp, createErrorHandler } = require('../../src/app');
const { createMemoryRepo } = require('../../src/repo/memory');
const { makeApp } = require('./helpers');

describe('createApp', () => {
  it('requires a repo', () => {
    assert.throws(() => createApp(), /repo is required/);
    assert.throws(() => createApp({}), /repo is required/);
  });

  it('works with defaults (silent logger, fresh metrics registry)', async () => {
    const app = createApp({ repo: createMemoryRepo() });
    const res = await request(app).get('/health');
    assert.equal(res.status, 200);
  });

  it('sets security headers and hides x-powered-by', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/users');
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.headers['x-powered-by'], undefined);
  });

  it('logs one access line per request with the route pattern', async () => {
    const { app, logs } = makeApp();
    await request(app).get('/users/5');
    const line = logs.find((l) => l.msg === 'request');
    assert.equal(line.fields.method, 'GET');
    assert.equal(line.fields.route, '/users/:id');
    assert.equal(line.fields.status, 404);
    assert.equal(typeof line.fields.duration_ms, 'number');
  });
});

describe('GET /health', () => {
  it('200 {status: ok} when the database answers', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/health');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { status: 'ok' });
  });

  it('503 when the database is down', async () => {
    const repo = createMemoryRepo();
    repo.ping = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    const { app, logs } = makeApp({ repo });
    const res = await request(app).get('/health');
    assert.equal(res.status, 503);
    assert.deepEqual(res.body, { status: 'unavailable', error: 'database unavailable' });
    assert.ok(logs.some((l) => l.level === 'error' && l.msg === 'health check failed'));
  });
});

describe('errors', () => {
  it('404 JSON for unknown routes', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/nope/deeper');
    assert.equal(res.status, 404);
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.deepEqual(res.body, { error: 'not found' });
  });

  it('400 for malformed JSON', async () => {
    const { app } = makeApp();
    const res = await request(app).post('/users').set('Content-Type', 'application/json').send('{"email": ');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body, { error: 'invalid JSON body' });
  });

  it('413 when the body exceeds the limit', async () => {
    const { app } = makeApp();
    const res = await request(app)
      .post('/users')
      .send({ email: 'a@b.co', name: 'x'.repeat(20 * 1024) });
    assert.equal(res.status, 413);
    assert.deepEqual(res.body, { error: 'payload too large' });
  });

  it('415 for an unsupported charset', async () => {
    const { app } = makeApp();
    const res = await request(app)
      .post('/users')
      .set('Content-Type', 'application/json; charset=klingon')
      .send('{}');
    assert.equal(res.status, 415);
    assert.deepEqual(res.body, { error: 'unsupported charset' });
  });

  it('500 without leaking details when the repository throws', async () => {
    for (const method of ['list', 'get', 'create', 'update', 'patch', 'remove']) {
      const repo = createMemoryRepo();
      await repo.create({ email: 'a@b.co', name: 'A', role: 'member' });
      // eslint-disable-next-line security/detect-object-injection -- fixed method list
      repo[method] = async () => {
        throw new Error('secret connection string postgres://u:p@h/db');
      };
      const { app, logs } = makeApp({ repo });
      const calls = {
        list: () => request(app).get('/users'),
        get: () => request(app).get('/users/1'),
        create: () => request(app).post('/users').send({ email: 'c@d.co', name: 'C' }),
        update: () => request(app).put('/users/1').send({ email: 'c@d.co', name: 'C' }),
        patch: () => request(app).patch('/users/1').send({ name: 'C' }),
        remove: () => request(app).delete('/users/1'),
      };
      // eslint-disable-next-line security/detect-object-injection -- fixed method list
      const res = await calls[method]();
      assert.equal(res.status, 500, method);
      assert.deepEqual(res.body, { error: 'internal error' });
      assert.doesNotMatch(res.text, /secret|stack|at /);
      const logged = logs.find((l) => l.msg === 'unhandled error');
      assert.match(logged.fields.err, /secret/);
    }
  });

  it('error handler ends an already-started response instead of writing JSON', () => {
    const logs = [];
    const handler = createErrorHandler({ error: (msg) => logs.push(msg) });
    let ended = false;
    const res = {
      headersSent: true,
      end: () => {
        ended = true;
      },
      status: () => assert.fail('must not set a status after headers were sent'),
    };
    handler(new Error('mid-stream'), {}, res, () => {});
    assert.equal(ended, true);
    assert.deepEqual(logs, ['unhandled error']);
  });

  it('error handler copes with a non-Error value', async () => {
    const logs = [];
    const handler = createErrorHandler({ error: (msg, f) => logs.push(f) });
    let sent;
    const res = { headersSent: false, status: () => ({ json: (b) => (sent = b) }) };
    handler(undefined, {}, res, () => {});
    assert.deepEqual(sent, { error: 'internal error' });
    assert.equal(logs[0].err, undefined);
  });

  it('error handler keeps other 4xx statuses with a generic message', () => {
    const handler = createErrorHandler({ error: () => assert.fail('4xx is not logged as an error') });
    let status;
    let sent;
    const res = {
      headersSent: false,
      status: (s) => {
        status = s;
        return { json: (b) => (sent = b) };
      },
    };
    handler(Object.assign(new Error('request aborted'), { status: 400, type: 'request.aborted' }), {}, res, () => {});
    assert.equal(status, 400);
    assert.deepEqual(sent, { error: 'bad request' });
  });
});
