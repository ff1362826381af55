'use strict';

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const { loadConfig } = require('../../src/config');
const { createLogger, silentLogger } = require('../../src/logger');
const { ConflictError } = require('../../src/errors');

const URL = 'postgres://u@127.0.0.1:5432/db';

describe('loadConfig', () => {
  it('reads PORT and DATABASE_URL with defaults for the rest', () => {
    assert.deepEqual(loadConfig({ PORT: '3000', DATABASE_URL: URL }), {
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: URL,
      logLevel: 'info',
    });
  });

  it('honours HOST and LOG_LEVEL', () => {
    const c = loadConfig({ PORT: '0', DATABASE_URL: URL, HOST: '0.0.0.0', LOG_LEVEL: 'error' });
    assert.equal(c.port, 0);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.logLevel, 'error');
  });

  it('requires both variables', () => {
    assert.throws(() => loadConfig({}), /PORT is required; DATABASE_URL is required/);
    assert.throws(() => loadConfig({ PORT: '', DATABASE_URL: URL }), /PORT is required/);
    assert.throws(() => loadConfig({ PORT: '80' }), /DATABASE_URL is required/);
  });

  it('rejects invalid ports', () => {
    for (const PORT of ['abc', '-1', '65536', '80.5']) {
      assert.throws(() => loadConfig({ PORT, DATABASE_URL: URL }), /PORT must be an integer/, PORT);
    }
  });

  it('defaults to process.env', () => {
    assert.throws(() => loadConfig(), /invalid configuration/);
  });
});

describe('logger', () => {
  const sink = () => {
    const lines = [];
    return { lines, write: (s) => lines.push(JSON.parse(s)) };
  };

  it('writes JSON lines at or above the level', () => {
    const stream = sink();
    const log = createLogger({ level: 'warn', stream });
    log.debug('d');
    log.info('i');
    log.warn('w', { a: 1 });
    log.error('e');
    assert.deepEqual(
      stream.lines.map((l) => [l.level, l.msg]),
      [
        ['warn', 'w'],
        ['error', 'e'],
      ]
    );
    assert.equal(stream.lines[0].a, 1);
    assert.match(stream.lines[0].time, /Z$/);
  });

  it('unknown level falls back to info; silent logs nothing', () => {
    const s1 = sink();
    createLogger({ level: 'bogus', stream: s1 }).debug('x');
    createLogger({ level: 'bogus', stream: s1 }).info('y');
    assert.deepEqual(
      s1.lines.map((l) => l.msg),
      ['y']
    );
    const s2 = sink();
    createLogger({ level: 'silent', stream: s2 }).error('z');
    assert.equal(s2.lines.length, 0);
    for (const fn of Object.values(silentLogger)) assert.equal(fn(), undefined);
  });

  it('defaults to stdout at info', () => {
    const log = createLogger();
    assert.equal(typeof log.info, 'function');
  });
});

describe('ConflictError', () => {
  it('has a name, code and default message', () => {
    const e = new ConflictError();
    assert.equal(e.name, 'ConflictError');
    assert.equal(e.code, 'CONFLICT');
    assert.equal(e.message, 'conflict');
  });
});
