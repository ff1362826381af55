"""Static-analysis defects for the defect helper (tests/support/defects.py).

Each function edits a copy of examples/users-service and returns its commit message, like the
other defects. `sql_concatenation` is the critical finding the commit gate must stop: a search
endpoint whose PostgreSQL repository builds its SQL by string concatenation from the `name` query
parameter. It is a realistic, working and tested feature — the route, both repositories and unit
tests for them, so changed-lines coverage stays high — with one flaw: the value is spliced into
the SQL text instead of being passed as a `$1` parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

__all__ = ["DEFECTS", "sql_concatenation"]

_ROUTE_ANCHOR = "  /** Resolve :id or answer 400; returns null when a response was sent. */\n"
_PG_ANCHOR = "    async close() {\n      await pool.end();\n    },\n"
_MEMORY_ANCHOR = "    async close() {},\n"

_ROUTE = """  // Declared before /users/:id, which would otherwise take "search" for an id.
  app
    .route('/users/search')
    .get(
      wrap(async (req, res) => {
        const name = typeof req.query.name === 'string' ? req.query.name.trim() : '';
        if (!name || name.length > 100) {
          const details = [{ field: 'name', message: 'must be 1 to 100 characters' }];
          return badRequest(res, details, 'invalid query parameters');
        }
        const items = await repo.search(name);
        return res.json({ items });
      })
    )
    .all(getOnly);

"""

_PG_SEARCH = """    /** Users whose name contains `name` (case-insensitive), at most 50. */
    async search(name) {
      const { rows } = await query(
        'SELECT ' + COLUMNS + " FROM users WHERE name ILIKE '%" + name + "%' ORDER BY id LIMIT 50"
      );
      return rows.map(toUser);
    },

"""

_MEMORY_SEARCH = """    async search(name) {
      const needle = name.toLowerCase();
      return [...rows.values()]
        .filter((u) => u.name.toLowerCase().includes(needle))
        .sort((a, b) => a.id - b.id)
        .slice(0, 50)
        .map(copy);
    },

"""

_TEST = """'use strict';

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const request = require('supertest');
const { makeApp } = require('./helpers');
const { createPgRepo } = require('../../src/repo/pg');

describe('GET /users/search', () => {
  it('finds users by part of their name, case-insensitively', async () => {
    const { app } = makeApp();
    await request(app).post('/users').send({ email: 'ada@example.com', name: 'Ada Lovelace' }).expect(201);
    await request(app).post('/users').send({ email: 'alan@example.com', name: 'Alan Turing' }).expect(201);
    const res = await request(app).get('/users/search').query({ name: 'LOVE' });
    assert.equal(res.status, 200);
    assert.deepEqual(
      res.body.items.map((u) => u.email),
      ['ada@example.com']
    );
  });

  it('answers 400 without a name', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/users/search');
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid query parameters');
  });

  it('does not take "search" for a user id', async () => {
    const { app } = makeApp();
    const res = await request(app).get('/users/search').query({ name: 'nobody' });
    assert.deepEqual(res.body, { items: [] });
  });
});

describe('pg repo search', () => {
  it('selects by name and maps the rows', async () => {
    const calls = [];
    const row = {
      id: '3',
      email: 'ada@example.com',
      name: 'Ada',
      role: 'member',
      created_at: new Date('2024-01-01T00:00:00Z'),
      updated_at: new Date('2024-01-01T00:00:00Z'),
    };
    const pool = {
      async query(text, params) {
        calls.push({ text, params });
        return { rows: [row], rowCount: 1 };
      },
    };
    const users = await createPgRepo(pool).search('Ada');
    assert.equal(users[0].id, 3);
    assert.match(calls[0].text, /FROM users WHERE name ILIKE '%Ada%'/);
  });
});
"""


def _insert_before(path: Path, anchor: str, text: str) -> None:
    source = path.read_text(encoding="utf-8")
    if anchor not in source:
        raise ValueError(f"{path}: the defect's anchor is gone; update tests/support/defect_static.py")
    path.write_text(source.replace(anchor, text + anchor, 1), encoding="utf-8")


def sql_concatenation(service: Path) -> str:
    """GET /users/search?name=... whose pg repository concatenates `name` into the SQL text."""
    _insert_before(service / "src" / "app.js", _ROUTE_ANCHOR, _ROUTE)
    _insert_before(service / "src" / "repo" / "pg.js", _PG_ANCHOR, _PG_SEARCH)
    _insert_before(service / "src" / "repo" / "memory.js", _MEMORY_ANCHOR, _MEMORY_SEARCH)
    (service / "test" / "unit" / "search.test.js").write_text(_TEST, encoding="utf-8")
    return "feat: search users by name"


DEFECTS: dict[str, Callable[[Path], str]] = {
    "sql-injection": sql_concatenation,
}
