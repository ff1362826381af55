'use strict';

// Shared setup for integration tests: needs a real PostgreSQL in DATABASE_URL.
const { Pool } = require('pg');
const { migrate } = require('../../scripts/migrate');

function databaseUrl() {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new Error(
      'DATABASE_URL is not set: integration tests need a PostgreSQL database, ' +
        'e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/users_test npm run test:integration'
    );
  }
  return url;
}

/** Migrate, open a pool and empty the users table. */
async function setupDatabase() {
  const url = databaseUrl();
  await migrate({ databaseUrl: url });
  const pool = new Pool({ connectionString: url, max: 4 });
  await pool.query('TRUNCATE users RESTART IDENTITY');
  return pool;
}

module.exports = { databaseUrl, setupDatabase };
