'use strict';

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const request = require('supertest');
const { makeApp } = require('./helpers');
const { escapeHtml, formatTimestamp, renderAdminPage } = require('../../src/admin');

describe('GET /admin', () => {
  it('renders an HTML table of users', async () => {
    const { app } = makeApp();
    await request(app).post('/users').send({ email: 'ada@example.com', name: 'Ada', role: 'admin' });
    await request(app).post('/users').send({ email: 'bob@example.com', name: 'Bob' });
    const res = await request(app).get('/admin');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/html; charset=utf-8/);
    assert.match(res.headers['content-security-policy'], /default-src 'none'/);
    assert.match(res.text, /^<!DOCTYPE html>/);
    assert.match(res.text, /<th>ID<\/th><th>Email<\/th><th>Name<\/th><th>Role<\/th><th>Created<\/th>/);
    assert.match(res.text, /<td class="email" title="ada@example\.com">ada@example\.com<\/td>/);
    assert.match(res.text, /<span class="role role-admin">admin<\/span>/);
    assert.match(res.text, /<span class="role role-member">member<\/span>/);
    assert.match(res.text, /<td class="created">2024-01-01 00:00:00 UTC<\/td>/);
    assert.match(res.text, /Showing 2 of 2/);
    assert.doesNotMatch(res.text, /<script/i);
  });

  it('escapes user-controlled values', async () => {
    const { app } = makeApp();
    await request(app)
      .post('/users')
      .send({ email: 'x@evil.io', name: '<script>alert("x")</script> & \'co\'' });
    const res = await request(app).get('/admin');
    assert.doesNotMatch(res.text, /<script>/);
    assert.match(res.text, />&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &#39;co&#39;<\/td>/);
    assert.match(res.text, /title="&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &#39;co&#39;"/);
  });

  it('shows an empty state', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/admin');
    assert.match(res.text, /No users yet/);
    assert.match(res.text, /Showing 0 of 0/);
  });

  it('is deterministic for the same data', async () => {
    const { app } = makeApp();
    await request(app).post('/users').send({ email: 'ada@example.com', name: 'Ada' });
    const a = (await request(app).get('/admin')).text;
    const b = (await request(app).get('/admin')).text;
    assert.equal(a, b);
  });
});

describe('admin helpers', () => {
  it('escapeHtml handles all special characters and nullish values', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    assert.equal(escapeHtml(null), '');
    assert.equal(escapeHtml(undefined), '');
    assert.equal(escapeHtml(12), '12');
  });

  it('formatTimestamp', () => {
    assert.equal(formatTimestamp('2024-05-06T07:08:09.123Z'), '2024-05-06 07:08:09 UTC');
    assert.equal(formatTimestamp(undefined), '');
    assert.equal(formatTimestamp('short'), '');
  });

  it('unknown roles fall back to member styling but are still escaped', () => {
    const html = renderAdminPage({
      items: [{ id: 1, email: 'a@b.co', name: 'A', role: '<x>', created_at: '2024-01-01T00:00:00.000Z' }],
      total: 1,
    });
    assert.match(html, /<span class="role role-member">&lt;x&gt;<\/span>/);
  });
});
