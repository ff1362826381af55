'use strict';

const { ConflictError } = require('../errors');

const UNIQUE_VIOLATION = '23505';
const COLUMNS = 'id, email, name, role, created_at, updated_at';

/** Map a database row to the public User JSON shape. */
function toUser(row) {
  return {
    id: Number(row.id),
    email: row.email,
    name: row.name,
    role: row.role,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  };
}

function mapError(err) {
  if (err && err.code === UNIQUE_VIOLATION) return new ConflictError('email already exists');
  return err;
}

/**
 * Repository over PostgreSQL. Every statement is parameterised ($1, $2...).
 * @param {import('pg').Pool} pool
 */
function createPgRepo(pool) {
  const query = async (text, params) => {
    try {
      return await pool.query(text, params);
    } catch (err) {
      throw mapError(err);
    }
  };

  return {
    async ping() {
      await query('SELECT 1');
      return true;
    },

    async list({ limit = 20, offset = 0, email } = {}) {
      const filter = email === undefined ? null : email;
      const [page, count] = await Promise.all([
        query(
          `SELECT ${COLUMNS} FROM users WHERE ($1::text IS NULL OR email = $1::text)
           ORDER BY id LIMIT $2 OFFSET $3`,
          [filter, limit, offset]
        ),
        query('SELECT count(*)::bigint AS total FROM users WHERE ($1::text IS NULL OR email = $1::text)', [filter]),
      ]);
      return { items: page.rows.map(toUser), total: Number(count.rows[0].total) };
    },

    async get(id) {
      const { rows } = await query(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
      return rows.length ? toUser(rows[0]) : null;
    },

    async create({ email, name, role = 'member' }) {
      const { rows } = await query(
        `INSERT INTO users (email, name, role) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
        [email, name, role]
      );
      return toUser(rows[0]);
    },

    async update(id, { email, name, role = 'member' }) {
      const { rows } = await query(
        `UPDATE users SET email = $2, name = $3, role = $4, updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, email, name, role]
      );
      return rows.length ? toUser(rows[0]) : null;
    },

    async patch(id, { email, name, role }) {
      const { rows } = await query(
        `UPDATE users SET email = COALESCE($2, email), name = COALESCE($3, name),
                role = COALESCE($4, role), updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, email ?? null, name ?? null, role ?? null]
      );
      return rows.length ? toUser(rows[0]) : null;
    },

    async remove(id) {
      const { rowCount } = await query('DELETE FROM users WHERE id = $1', [id]);
      return rowCount > 0;
    },

    async close() {
      await pool.end();
    },
  };
}

module.exports = { createPgRepo, toUser, mapError };
