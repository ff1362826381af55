'use strict';

const client = require('prom-client');

// Buckets in seconds, tuned for handlers that answer in milliseconds.
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Create a metrics registry with default process metrics plus HTTP request
 * metrics. Each app gets its own registry so several apps (tests) can coexist.
 */
function createMetrics({ collectDefault = true } = {}) {
  const register = new client.Registry();
  if (collectDefault) {
    client.collectDefaultMetrics({ register });
  }
  const labelNames = ['method', 'route', 'status'];
  const requestsTotal = new client.Counter({
    name: 'http_requests_total',
    help: 'Total number of HTTP requests',
    labelNames,
    registers: [register],
  });
  const requestDuration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds',
    labelNames,
    buckets: DURATION_BUCKETS,
    registers: [register],
  });
  return { register, requestsTotal, requestDuration };
}

/** Route label: the Express route pattern (e.g. /users/:id), never the raw URL. */
function routeLabel(req) {
  if (req.route && typeof req.route.path === 'string') {
    return `${req.baseUrl || ''}${req.route.path}`;
  }
  return 'unmatched';
}

/** Express middleware recording count and duration of every request on finish. */
function metricsMiddleware(metrics) {
  return function recordMetrics(req, res, next) {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const labels = { method: req.method, route: routeLabel(req), status: String(res.statusCode) };
      metrics.requestsTotal.inc(labels);
      metrics.requestDuration.observe(labels, seconds);
    });
    next();
  };
}

module.exports = { DURATION_BUCKETS, createMetrics, metricsMiddleware, routeLabel };
