'use strict';

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { EventEmitter } = require('node:events');
const { start, main } = require('../../src/server');
const { silentLogger } = require('../../src/logger');

// A port where nothing listens: bind, read the port, close.
async function deadPort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

async function get(port, path) {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text() };
}

describe('server.start (no database)', () => {
  it('listens, serves metrics, reports 503 health, and closes idempotently', async () => {
    const dbPort = await deadPort();
    const running = await start(
      { port: 0, host: '127.0.0.1', databaseUrl: `postgres://u@127.0.0.1:${dbPort}/db`, logLevel: 'silent' },
      { logger: silentLogger }
    );
    try {
      assert.ok(running.port > 0);
      const metrics = await get(running.port, '/metrics');
      assert.equal(metrics.status, 200);
      assert.match(metrics.body, /http_requests_total/);
      const health = await get(running.port, '/health');
      assert.equal(health.status, 503);
      assert.deepEqual(JSON.parse(health.body), { status: 'unavailable', error: 'database unavailable' });
    } finally {
      const a = running.close();
      assert.equal(running.close(), a);
      await a;
    }
    assert.equal(running.server.listening, false);
  });

  it('uses a default logger and rejects when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
    try {
      await assert.rejects(
        start({
          port: blocker.address().port,
          host: '127.0.0.1',
          databaseUrl: 'postgres://u@127.0.0.1:1/db',
          logLevel: 'silent',
        }),
        /EADDRINUSE/
      );
    } finally {
      await new Promise((r) => blocker.close(r));
    }
  });
});

function fakeProcess() {
  const proc = new EventEmitter();
  proc.exitCode = undefined;
  proc.exits = [];
  proc.exited = new Promise((resolve) => {
    proc.exit = (code) => {
      proc.exits.push(code);
      resolve(code);
    };
  });
  return proc;
}

describe('server.main', () => {
  it('sets exit code 1 on missing configuration', async () => {
    const proc = fakeProcess();
    const result = await main({ LOG_LEVEL: 'silent' }, proc);
    assert.equal(result, undefined);
    assert.equal(proc.exitCode, 1);
  });

  for (const signal of ['SIGTERM', 'SIGINT']) {
    it(`shuts down gracefully on ${signal} with exit 0`, async () => {
      const proc = fakeProcess();
      const env = { PORT: '0', DATABASE_URL: 'postgres://u@127.0.0.1:1/db', LOG_LEVEL: 'silent' };
      const running = await main(env, proc);
      assert.ok(running.server.listening);
      proc.emit(signal);
      assert.equal(await proc.exited, 0);
      assert.equal(running.server.listening, false);
    });
  }

  it('exits 1 when shutdown fails', async () => {
    const proc = fakeProcess();
    const env = { PORT: '0', DATABASE_URL: 'postgres://u@127.0.0.1:1/db', LOG_LEVEL: 'silent' };
    const running = await main(env, proc);
    const realClose = running.close;
    running.close = () => realClose().then(() => Promise.reject(new Error('pool end failed')));
    proc.emit('SIGTERM');
    assert.equal(await proc.exited, 1);
  });
});
