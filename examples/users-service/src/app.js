'use strict';

const express = require('express');
const { ConflictError } = require('./errors');
const { validateUserInput, parseId, parseListQuery } = require('./validation');
const { createMetrics, metricsMiddleware, routeLabel } = require('./metrics');
const { renderAdminPage } = require('./admin');
const { silentLogger } = require('./logger');

const JSON_BODY_LIMIT = '16kb';
const ADMIN_PAGE_SIZE = 100;
const ADMIN_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/** Wrap an async handler so rejections reach the Express error handler. */
const wrap = (fn) => (req, res, next) => Promise.resolve(fn(req, res, next)).catch(next);

function badRequest(res, details, error = 'validation failed') {
  return res.status(400).json({ error, details });
}

function methodNotAllowed(allowed) {
  return (req, res) => {
    res.set('Allow', allowed.join(', '));
    res.status(405).json({ error: 'method not allowed' });
  };
}

/** Errors raised by express.json() carry a `type`; map them to safe client messages. */
const BODY_ERRORS = new Map([
  ['entity.parse.failed', [400, 'invalid JSON body']],
  ['entity.too.large', [413, 'payload too large']],
  ['encoding.unsupported', [415, 'unsupported content encoding']],
  ['charset.unsupported', [415, 'unsupported charset']],
]);

/** JSON error handler: known client errors keep their status, anything else is a bare 500. */
function createErrorHandler(logger) {
  // eslint-disable-next-line no-unused-vars -- Express recognises error handlers by arity 4
  return function errorHandler(err, req, res, next) {
    if (err instanceof ConflictError) {
      return res.status(409).json({ error: 'email already exists' });
    }
    const known = err ? BODY_ERRORS.get(err.type) : undefined;
    if (known) {
      return res.status(known[0]).json({ error: known[1] });
    }
    if (err && Number.isInteger(err.status) && err.status >= 400 && err.status < 500 && !res.headersSent) {
      return res.status(err.status).json({ error: 'bad request' });
    }
    logger.error('unhandled error', { err: err && err.message, stack: err && err.stack });
    if (res.headersSent) {
      return res.end();
    }
    return res.status(500).json({ error: 'internal error' });
  };
}

/**
 * Build the Express application.
 * @param {object} opts
 * @param {object} opts.repo   repository: ping, list, get, create, update, patch, remove
 * @param {object} [opts.logger] logger with info/error (defaults to silent)
 * @param {object} [opts.metrics] metrics from createMetrics() (a fresh registry by default)
 */
function createApp({ repo, logger = silentLogger, metrics = createMetrics() } = {}) {
  if (!repo) throw new TypeError('createApp: repo is required');
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.locals.metrics = metrics;

  app.use(metricsMiddleware(metrics));
  app.use((req, res, next) => {
    const start = process.hrtime.bigint();
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('Cache-Control', 'no-store');
    res.on('finish', () => {
      logger.info('request', {
        method: req.method,
        route: routeLabel(req),
        status: res.statusCode,
        duration_ms: Number(process.hrtime.bigint() - start) / 1e6,
      });
    });
    next();
  });
  app.use(express.json({ limit: JSON_BODY_LIMIT }));

  const getOnly = methodNotAllowed(['GET', 'HEAD']);

  app
    .route('/health')
    .get(
      wrap(async (req, res) => {
        try {
          await repo.ping();
        } catch (err) {
          logger.error('health check failed', { err: err.message });
          return res.status(503).json({ status: 'unavailable', error: 'database unavailable' });
        }
        return res.json({ status: 'ok' });
      })
    )
    .all(getOnly);

  app
    .route('/metrics')
    .get(
      wrap(async (req, res) => {
        const body = await metrics.register.metrics();
        res.set('Content-Type', metrics.register.contentType);
        res.send(body);
      })
    )
    .all(getOnly);

  app
    .route('/admin')
    .get(
      wrap(async (req, res) => {
        const page = await repo.list({ limit: ADMIN_PAGE_SIZE, offset: 0 });
        res.set('Content-Security-Policy', ADMIN_CSP);
        res.type('html').send(renderAdminPage(page));
      })
    )
    .all(getOnly);

  app
    .route('/users')
    .get(
      wrap(async (req, res) => {
        const { value, details } = parseListQuery(req.query);
        if (!value) return badRequest(res, details, 'invalid query parameters');
        const { items, total } = await repo.list(value);
        return res.json({ items, total, limit: value.limit, offset: value.offset });
      })
    )
    .post(
      wrap(async (req, res) => {
        const { value, details } = validateUserInput(req.body, 'full');
        if (!value) return badRequest(res, details);
        const user = await repo.create(value);
        res.set('Location', `/users/${user.id}`);
        return res.status(201).json(user);
      })
    )
    .all(methodNotAllowed(['GET', 'HEAD', 'POST']));

  /** Resolve :id or answer 400; returns null when a response was sent. */
  const idOr400 = (req, res) => {
    const id = parseId(req.params.id);
    if (id === null) {
      badRequest(res, [{ field: 'id', message: 'must be a positive integer' }], 'invalid id');
    }
    return id;
  };
  const notFound = (res) => res.status(404).json({ error: 'user not found' });

  const writeHandler = (mode) =>
    wrap(async (req, res) => {
      const id = idOr400(req, res);
      if (id === null) return undefined;
      const { value, details } = validateUserInput(req.body, mode);
      if (!value) return badRequest(res, details);
      const user = mode === 'full' ? await repo.update(id, value) : await repo.patch(id, value);
      return user ? res.json(user) : notFound(res);
    });

  app
    .route('/users/:id')
    .get(
      wrap(async (req, res) => {
        const id = idOr400(req, res);
        if (id === null) return undefined;
        const user = await repo.get(id);
        return user ? res.json(user) : notFound(res);
      })
    )
    .put(writeHandler('full'))
    .patch(writeHandler('partial'))
    .delete(
      wrap(async (req, res) => {
        const id = idOr400(req, res);
        if (id === null) return undefined;
        const removed = await repo.remove(id);
        return removed ? res.status(204).end() : notFound(res);
      })
    )
    .all(methodNotAllowed(['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE']));

  app.use((req, res) => {
    res.status(404).json({ error: 'not found' });
  });

  app.use(createErrorHandler(logger));

  return app;
}

module.exports = { createApp, createErrorHandler, JSON_BODY_LIMIT };
