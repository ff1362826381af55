'use strict';

/** Raised by a repository when a unique constraint (the email) would be violated. */
class ConflictError extends Error {
  constructor(message = 'conflict') {
    super(message);
    this.name = 'ConflictError';
    this.code = 'CONFLICT';
  }
}

module.exports = { ConflictError };
