'use strict';

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const request = require('supertest');
const { makeApp } = require('./helpers');
const { createMetrics, routeLabel, DURATION_BUCKETS } = require('../../src/metrics');

describe('GET /metrics', () => {
  it('exposes default process metrics in Prometheus text format', async () => {
    const { app } = makeApp({ collectDefault: true });
    const res = await request(app).get('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/plain;/);
    assert.match(res.headers['content-type'], /version=0\.0\.4/);
    assert.match(res.text, /^process_cpu_user_seconds_total /m);
    assert.match(res.text, /^nodejs_heap_size_total_bytes /m);
  });

  it('counts requests labelled with the route pattern, not the raw URL', async () => {
    const { app } = makeApp();
    await request(app).get('/users/123');
    await request(app).get('/users/456');
    await request(app).post('/users').send({ email: 'a@b.co', name: 'A' });
    await request(app).get('/does/not/exist');
    const res = await request(app).get('/metrics');
    const text = res.text;
    assert.match(text, /^# TYPE http_requests_total counter$/m);
    assert.match(text, /^http_requests_total\{method="GET",route="\/users\/:id",status="404"\} 2$/m);
    assert.match(text, /^http_requests_total\{method="POST",route="\/users",status="201"\} 1$/m);
    assert.match(text, /^http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
    assert.doesNotMatch(text, /route="\/users\/123"/);
  });

  it('records a duration histogram with millisecond-range buckets', async () => {
    const { app } = makeApp();
    await request(app).get('/health');
    const text = (await request(app).get('/metrics')).text;
    assert.match(text, /^# TYPE http_request_duration_seconds histogram$/m);
    assert.match(
      text,
      /^http_request_duration_seconds_bucket\{le="0\.005",method="GET",route="\/health",status="200"\} \d+$/m
    );
    assert.match(text, /^http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} 1$/m);
    assert.equal(DURATION_BUCKETS[0], 0.001);
    assert.ok(DURATION_BUCKETS.every((b, i) => i === 0 || b > DURATION_BUCKETS[i - 1]));
  });

  it('uses a separate registry per app', async () => {
    const a = createMetrics({ collectDefault: false });
    const b = createMetrics({ collectDefault: false });
    a.requestsTotal.inc({ method: 'GET', route: '/x', status: '200' });
    assert.match(await a.register.metrics(), /route="\/x"/);
    assert.doesNotMatch(await b.register.metrics(), /route="\/x"/);
  });
});

describe('routeLabel', () => {
  it('joins baseUrl and route path', () => {
    assert.equal(routeLabel({ baseUrl: '/api', route: { path: '/users/:id' } }), '/api/users/:id');
    assert.equal(routeLabel({ route: { path: '/health' } }), '/health');
  });

  it('is "unmatched" without a route', () => {
    assert.equal(routeLabel({}), 'unmatched');
    assert.equal(routeLabel({ route: { path: /regex/ } }), 'unmatched');
  });
});
