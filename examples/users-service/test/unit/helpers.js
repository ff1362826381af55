'use strict';

const { createApp } = require('../../src/app');
const { createMemoryRepo } = require('../../src/repo/memory');
const { createMetrics } = require('../../src/metrics');

/** Deterministic clock: 2024-01-01T00:00:00Z, +1s per call. */
function fakeClock(start = Date.UTC(2024, 0, 1)) {
  let t = start;
  return () => {
    const d = new Date(t);
    t += 1000;
    return d;
  };
}

/** Build an app on a fresh in-memory repo; collects log calls. */
function makeApp({ repo = createMemoryRepo({ now: fakeClock() }), collectDefault = false } = {}) {
  const logs = [];
  const logger = {
    info: (msg, fields) => logs.push({ level: 'info', msg, fields }),
    error: (msg, fields) => logs.push({ level: 'error', msg, fields }),
  };
  const app = createApp({ repo, logger, metrics: createMetrics({ collectDefault }) });
  return { app, repo, logs };
}

module.exports = { fakeClock, makeApp };
