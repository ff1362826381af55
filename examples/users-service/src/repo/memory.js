'use strict';

const { ConflictError } = require('../errors');

/**
 * In-memory repository with the same interface as the pg repository.
 * Used by unit tests and for local experiments; not for production.
 * @param {object} [opts]
 * @param {() => Date} [opts.now] clock, injectable for deterministic timestamps
 */
function createMemoryRepo({ now = () => new Date() } = {}) {
  const rows = new Map();
  let nextId = 1;

  const copy = (u) => ({ ...u });
  const emailTaken = (email, exceptId) => {
    for (const u of rows.values()) {
      if (u.email === email && u.id !== exceptId) return true;
    }
    return false;
  };

  return {
    async ping() {
      return true;
    },

    async list({ limit = 20, offset = 0, email } = {}) {
      const all = [...rows.values()]
        .filter((u) => email === undefined || u.email === email)
        .sort((a, b) => a.id - b.id);
      return { items: all.slice(offset, offset + limit).map(copy), total: all.length };
    },

    async get(id) {
      const u = rows.get(id);
      return u ? copy(u) : null;
    },

    async create({ email, name, role = 'member' }) {
      if (emailTaken(email)) throw new ConflictError('email already exists');
      const ts = now().toISOString();
      const user = { id: nextId++, email, name, role, created_at: ts, updated_at: ts };
      rows.set(user.id, user);
      return copy(user);
    },

    async update(id, { email, name, role = 'member' }) {
      return this.patch(id, { email, name, role });
    },

    async patch(id, fields) {
      const current = rows.get(id);
      if (!current) return null;
      if (fields.email !== undefined && emailTaken(fields.email, id)) {
        throw new ConflictError('email already exists');
      }
      const updated = { ...current, updated_at: now().toISOString() };
      for (const key of ['email', 'name', 'role']) {
        if (fields[key] !== undefined) updated[key] = fields[key]; // eslint-disable-line security/detect-object-injection -- fixed key list
      }
      rows.set(id, updated);
      return copy(updated);
    },

    async remove(id) {
      return rows.delete(id);
    },

    async close() {},
  };
}

module.exports = { createMemoryRepo };
