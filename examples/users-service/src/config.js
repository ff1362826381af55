'use strict';

const PORT_RE = /^\d+$/;

/**
 * Read configuration from the environment. PORT and DATABASE_URL are required.
 * PORT 0 asks the OS for a free port (tests). Throws with a clear message otherwise.
 */
function loadConfig(env = process.env) {
  const errors = [];
  const rawPort = env.PORT;
  let port;
  if (rawPort === undefined || rawPort === '') {
    errors.push('PORT is required');
  } else if (!PORT_RE.test(rawPort) || Number(rawPort) > 65535) {
    errors.push('PORT must be an integer between 0 and 65535');
  } else {
    port = Number(rawPort);
  }
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) errors.push('DATABASE_URL is required');
  if (errors.length) {
    throw new Error(`invalid configuration: ${errors.join('; ')}`);
  }
  return {
    port,
    host: env.HOST || '127.0.0.1',
    databaseUrl,
    logLevel: env.LOG_LEVEL || 'info',
  };
}

module.exports = { loadConfig };
