'use strict';

const ROLES = Object.freeze(['admin', 'member']);
const DEFAULT_ROLE = 'member';
const EMAIL_MIN = 3;
const EMAIL_MAX = 254;
const NAME_MAX = 100;
const LIMIT_DEFAULT = 20;
const LIMIT_MAX = 100;
const USER_FIELDS = Object.freeze(['email', 'name', 'role']);
const ATEXT_RE = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL_CHARS_RE = /^[A-Za-z0-9-]+$/;
const LABEL_MAX = 63;
const LOCAL_MAX = 64;
const NON_SPACE_RE = /\S/;
const DIGITS_RE = /^\d+$/;
const ID_RE = /^[1-9]\d*$/;

/** C0 controls and DEL are never valid in stored text (PostgreSQL rejects NUL). */
function hasControlChars(str) {
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** DNS label: 1..63 letters, digits or hyphens, not starting or ending with a hyphen. */
function isValidLabel(label) {
  return (
    label.length <= LABEL_MAX && LABEL_CHARS_RE.test(label) && !label.startsWith('-') && !label.endsWith('-')
  );
}

/**
 * Email syntax check, equivalent to the openapi.yaml pattern (ASCII addresses only):
 * RFC 5322 dot-atom local part of at most 64 characters, then a domain of at least two DNS labels.
 */
function isValidEmail(email) {
  const at = email.split('@');
  if (at.length !== 2) return false;
  const [local, domain] = at;
  if (local.length > LOCAL_MAX || !local.split('.').every((part) => ATEXT_RE.test(part))) return false;
  const labels = domain.split('.');
  return labels.length >= 2 && labels.every(isValidLabel);
}

function checkEmail(value, details) {
  if (typeof value !== 'string') {
    details.push({ field: 'email', message: 'must be a string' });
    return undefined;
  }
  if (value.length < EMAIL_MIN || value.length > EMAIL_MAX) {
    details.push({ field: 'email', message: `length must be between ${EMAIL_MIN} and ${EMAIL_MAX}` });
  } else if (!isValidEmail(value)) {
    details.push({ field: 'email', message: 'must be a valid email address' });
  }
  return value.toLowerCase();
}

function checkName(value, details) {
  if (typeof value !== 'string') {
    details.push({ field: 'name', message: 'must be a string' });
    return undefined;
  }
  const length = [...value].length; // code points, like PostgreSQL char_length and JSON Schema
  if (length < 1 || length > NAME_MAX) {
    details.push({ field: 'name', message: `length must be between 1 and ${NAME_MAX}` });
  } else if (hasControlChars(value)) {
    details.push({ field: 'name', message: 'must not contain control characters' });
  } else if (!NON_SPACE_RE.test(value)) {
    details.push({ field: 'name', message: 'must not be blank' });
  }
  return value;
}

function checkRole(value, details) {
  if (!ROLES.includes(value)) {
    details.push({ field: 'role', message: `must be one of: ${ROLES.join(', ')}` });
  }
  return value;
}

/**
 * Validate a user body.
 * mode 'full' (POST/PUT): email and name required, role defaults to "member".
 * mode 'partial' (PATCH): any non-empty subset of the fields.
 * Returns { value, details }; details is empty when the body is valid.
 */
function validateUserInput(body, mode = 'full') {
  const details = [];
  if (!isPlainObject(body)) {
    return { value: undefined, details: [{ field: 'body', message: 'must be a JSON object' }] };
  }
  for (const key of Object.keys(body)) {
    if (!USER_FIELDS.includes(key)) {
      details.push({ field: key, message: 'unknown field' });
    }
  }
  const value = {};
  const has = (k) => Object.prototype.hasOwnProperty.call(body, k);
  if (has('email')) {
    value.email = checkEmail(body.email, details);
  } else if (mode === 'full') {
    details.push({ field: 'email', message: 'is required' });
  }
  if (has('name')) {
    value.name = checkName(body.name, details);
  } else if (mode === 'full') {
    details.push({ field: 'name', message: 'is required' });
  }
  if (has('role')) {
    value.role = checkRole(body.role, details);
  } else if (mode === 'full') {
    value.role = DEFAULT_ROLE;
  }
  if (mode === 'partial' && details.length === 0 && Object.keys(value).length === 0) {
    details.push({ field: 'body', message: 'at least one of email, name, role is required' });
  }
  return { value: details.length ? undefined : value, details };
}

/** Parse a path id: a positive integer within the safe-integer range, else null. */
function parseId(raw) {
  if (typeof raw !== 'string' || !ID_RE.test(raw)) return null;
  const id = Number(raw);
  return Number.isSafeInteger(id) ? id : null;
}

function parseIntParam(raw, field, min, max, details) {
  if (typeof raw !== 'string' || !DIGITS_RE.test(raw)) {
    details.push({ field, message: 'must be an integer' });
    return undefined;
  }
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    details.push({ field, message: `must be between ${min} and ${max}` });
  }
  return n;
}

/** Parse GET /users query: limit 1..100 (default 20), offset >= 0 (default 0), optional email. */
function parseListQuery(query) {
  const details = [];
  const q = query || {};
  const value = { limit: LIMIT_DEFAULT, offset: 0 };
  if (q.limit !== undefined) value.limit = parseIntParam(q.limit, 'limit', 1, LIMIT_MAX, details);
  if (q.offset !== undefined) {
    value.offset = parseIntParam(q.offset, 'offset', 0, Number.MAX_SAFE_INTEGER, details);
  }
  if (q.email !== undefined) {
    if (
      typeof q.email !== 'string' ||
      q.email.length < 1 ||
      q.email.length > EMAIL_MAX ||
      hasControlChars(q.email)
    ) {
      details.push({
        field: 'email',
        message: `must be 1 to ${EMAIL_MAX} characters without control characters`,
      });
    } else {
      value.email = q.email.toLowerCase();
    }
  }
  return { value: details.length ? undefined : value, details };
}

module.exports = {
  ROLES,
  DEFAULT_ROLE,
  EMAIL_MAX,
  NAME_MAX,
  LIMIT_DEFAULT,
  LIMIT_MAX,
  isValidEmail,
  hasControlChars,
  validateUserInput,
  parseId,
  parseListQuery,
};
