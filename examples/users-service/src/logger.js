'use strict';

const LEVELS = new Map([
  ['debug', 10],
  ['info', 20],
  ['warn', 30],
  ['error', 40],
  ['silent', 100],
]);

/** Minimal JSON-lines logger (one object per line), enough for a container. */
function createLogger({ level = 'info', stream = process.stdout } = {}) {
  const threshold = LEVELS.get(level) ?? LEVELS.get('info');
  const log = (lvl) => (msg, fields = {}) => {
    if (LEVELS.get(lvl) < threshold) return;
    stream.write(`${JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...fields })}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

const silentLogger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});

module.exports = { createLogger, silentLogger };
