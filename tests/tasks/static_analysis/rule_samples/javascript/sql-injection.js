'use strict';
const util = require('util');

const COLUMNS = 'id, email, name';

function createRepo(pool) {
  return {
    async search(name) {
      // ruleid: qeflow.javascript.sql-injection
      const { rows } = await pool.query("SELECT id FROM users WHERE name LIKE '%" + name + "%'");
      return rows;
    },
    async byEmail(email) {
      // ruleid: qeflow.javascript.sql-injection
      return pool.query(`SELECT ${COLUMNS} FROM users WHERE email = '${email}'`);
    },
    async sorted(column) {
      let sql = 'SELECT id FROM users';
      // ruleid: qeflow.javascript.sql-injection
      sql += ' ORDER BY ' + column;
      return pool.query(sql);
    },
    async filtered(email) {
      let sql = 'SELECT id FROM users';
      // ruleid: qeflow.javascript.sql-injection
      sql += " WHERE email = '" + email + "'";
      return pool.query(sql);
    },
    async formatted(id) {
      // ruleid: qeflow.javascript.sql-injection
      return pool.query(util.format('DELETE FROM users WHERE id = %s', id));
    },
    async searchColumns(name) {
      // ruleid: qeflow.javascript.sql-injection
      return pool.query('SELECT ' + COLUMNS + " FROM users WHERE name ILIKE '%" + name + "%' ORDER BY id");
    },
    async searchPattern(name) {
      const pattern = '%' + name + '%';
      // ruleid: qeflow.javascript.sql-injection
      return pool.query('SELECT ' + COLUMNS + " FROM users WHERE name ILIKE '" + pattern + "'");
    },
    async get(id) {
      // ok: qeflow.javascript.sql-injection
      const { rows } = await pool.query(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);
      return rows;
    },
    async count(limit) {
      // ok: qeflow.javascript.sql-injection
      return pool.query('SELECT count(*) FROM users LIMIT ' + parseInt(limit, 10));
    },
    async escaped(name) {
      // ok: qeflow.javascript.sql-injection
      return pool.query('SELECT id FROM users WHERE name = ' + pool.escapeLiteral(name));
    },
  };
}

const handler = async (req, res) => {
  const sort = req.query.sort;
  // ruleid: qeflow.javascript.sql-injection
  const sql = 'SELECT * FROM users ORDER BY ' + sort;
  res.json(await db.query(sql));
};

function fail(id) {
  // ok: qeflow.javascript.sql-injection
  throw new Error('Update failed: no such row where id is ' + id);
}

function wrapper(text, params) {
  // ok: qeflow.javascript.sql-injection
  return pool.query(text, params);
}

function greeting(name) {
  // ok: qeflow.javascript.sql-injection
  return `Hello ${name}, please select a plan`;
}

function directions(name) {
  // ok: qeflow.javascript.sql-injection
  return `Tell us where ${name} lives, in order of preference`;
}

app.post('/run', async (req, res) => {
  // ruleid: qeflow.javascript.sql-injection-raw-input
  const result = await pool.query(req.body.sql);
  res.json(result.rows);
});

app.get('/users/:id', async (req, res) => {
  // ok: qeflow.javascript.sql-injection-raw-input
  const result = await pool.query('SELECT * FROM users WHERE id = $1', [req.params.id]);
  res.json(result.rows);
});

module.exports = { createRepo, handler, fail, wrapper, greeting, directions };
