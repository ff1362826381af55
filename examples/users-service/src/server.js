'use strict';

const { Pool } = require('pg');
const { createApp } = require('./app');
const { loadConfig } = require('./config');
const { createLogger } = require('./logger');
const { createPgRepo } = require('./repo/pg');

const SHUTDOWN_TIMEOUT_MS = 10000;

/**
 * Start the HTTP server. Resolves to { server, port, close } once listening.
 * close() stops accepting connections, then ends the pool.
 */
function start(config, { logger = createLogger({ level: config.logLevel }) } = {}) {
  const pool = new Pool({
    connectionString: config.databaseUrl,
    max: 10,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30000,
  });
  pool.on('error', (err) => logger.error('idle database client error', { err: err.message }));
  const repo = createPgRepo(pool);
  const app = createApp({ repo, logger });

  return new Promise((resolve, reject) => {
    const server = app.listen(config.port, config.host);
    server.once('error', reject);
    server.once('listening', () => {
      const { port } = server.address();
      logger.info('listening', { host: config.host, port });
      let closing;
      const close = () => {
        closing ??= new Promise((done) => {
          server.close(() => done());
          server.closeIdleConnections();
        }).then(() => repo.close());
        return closing;
      };
      resolve({ server, port, close });
    });
  });
}

/** Entry point: start, and shut down gracefully on SIGTERM / SIGINT. */
async function main(env = process.env, proc = process) {
  const logger = createLogger({ level: env.LOG_LEVEL || 'info' });
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    logger.error(err.message);
    proc.exitCode = 1;
    return undefined;
  }
  const running = await start(config, { logger });
  const shutdown = (signal) => {
    logger.info('shutting down', { signal });
    const timer = setTimeout(() => {
      logger.error('forced shutdown after timeout');
      proc.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    running.close().then(
      () => proc.exit(0),
      (err) => {
        logger.error('error during shutdown', { err: err.message });
        proc.exit(1);
      }
    );
  };
  proc.once('SIGTERM', shutdown);
  proc.once('SIGINT', shutdown);
  return running;
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`fatal: ${err.message}\n`);
    process.exit(1);
  });
}

module.exports = { start, main };
