'use strict';

const { describe, it } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const {
  validateUserInput,
  parseId,
  parseListQuery,
  isValidEmail,
  hasControlChars,
} = require('../../src/validation');

const fields = (details) => details.map((d) => d.field).sort();

describe('validateUserInput (full)', () => {
  it('accepts a valid body, lower-cases email, defaults role', () => {
    const { value, details } = validateUserInput({ email: 'Ada@Example.COM', name: 'Ada Lovelace' });
    assert.deepEqual(details, []);
    assert.deepEqual(value, { email: 'ada@example.com', name: 'Ada Lovelace', role: 'member' });
  });

  it('stores names as given (no trimming), including non-ASCII', () => {
    assert.equal(validateUserInput({ email: 'a@b.co', name: ' Zoë 李 ' }).value.name, ' Zoë 李 ');
  });

  it('keeps an explicit admin role', () => {
    const { value } = validateUserInput({ email: 'a@b.co', name: 'A', role: 'admin' });
    assert.equal(value.role, 'admin');
  });

  for (const body of [null, undefined, 'text', 42, [], [{ email: 'a@b.co' }]]) {
    it(`rejects non-object body ${JSON.stringify(body)}`, () => {
      const { value, details } = validateUserInput(body);
      assert.equal(value, undefined);
      assert.deepEqual(fields(details), ['body']);
    });
  }

  it('requires email and name', () => {
    const { value, details } = validateUserInput({});
    assert.equal(value, undefined);
    assert.deepEqual(fields(details), ['email', 'name']);
  });

  it('rejects wrong types', () => {
    const { details } = validateUserInput({ email: 5, name: false, role: 1 });
    assert.deepEqual(fields(details), ['email', 'name', 'role']);
    assert.ok(details.every((d) => typeof d.message === 'string' && d.message.length > 0));
  });

  it('accepts RFC 5322 dot-atom addresses', () => {
    for (const email of ['a@b.co', "o'hara+tag@mail.example.org", 'x_y.z-1@a-b.c0', '{~}@x.io']) {
      assert.deepEqual(validateUserInput({ email, name: 'n' }).details, [], email);
    }
  });

  it('rejects malformed emails', () => {
    const bad = ['plain', 'a@b', 'a b@c.de', '@x.io', 'x@.', 'a@b.', ' a@b.co', 'a@b.co ', 'a..b@x.io', '.a@x.io',
      'a.@x.io', 'a@b@c.io', 'a@-x.io', 'a@x-.io', 'a@x..io', 'ä@x.io', 'a@x_y.io', `a@${'x'.repeat(64)}.io`, `${'a'.repeat(65)}@x.io`];
    for (const email of bad) {
      const { details } = validateUserInput({ email, name: 'n' });
      assert.deepEqual(fields(details), ['email'], email);
    }
  });

  it('enforces email length 3..254', () => {
    assert.deepEqual(fields(validateUserInput({ email: 'a@', name: 'n' }).details), ['email']);
    const domain = (last) => ['x', 'y', 'z', 'w'].map((c) => c.repeat(60)).join('.') + '.' + 'v'.repeat(last);
    const long = `a@${domain(9)}`;
    assert.equal(long.length, 255);
    assert.match(validateUserInput({ email: long, name: 'n' }).details[0].message, /length/);
    const max = `a@${domain(8)}`;
    assert.equal(max.length, 254);
    assert.deepEqual(validateUserInput({ email: max, name: 'n' }).details, []);
  });

  it('enforces name length 1..100 in code points', () => {
    const check = (name) => validateUserInput({ email: 'a@b.co', name }).details;
    assert.match(check('')[0].message, /length/);
    assert.match(check('x'.repeat(101))[0].message, /length/);
    assert.match(check(` ${'x'.repeat(100)}`)[0].message, /length/);
    assert.deepEqual(check('x'.repeat(100)), []);
    assert.deepEqual(check('😀'.repeat(100)), []);
    assert.match(check('😀'.repeat(101))[0].message, /length/);
  });

  it('rejects blank names and control characters', () => {
    const check = (name) => validateUserInput({ email: 'a@b.co', name }).details;
    assert.match(check('   ')[0].message, /blank/);
    assert.match(check('a\u0000b')[0].message, /control/);
    assert.match(check('a\nb')[0].message, /control/);
    assert.match(check('a\u007fb')[0].message, /control/);
  });

  it('rejects an unknown role', () => {
    const { details } = validateUserInput({ email: 'a@b.co', name: 'n', role: 'root' });
    assert.deepEqual(fields(details), ['role']);
    assert.match(details[0].message, /admin, member/);
  });

  it('rejects unknown fields (including id and timestamps)', () => {
    const { details } = validateUserInput({ email: 'a@b.co', name: 'n', id: 3, created_at: 'x' });
    assert.deepEqual(fields(details), ['created_at', 'id']);
  });
});

describe('validateUserInput (partial)', () => {
  it('accepts any subset without defaulting role', () => {
    assert.deepEqual(validateUserInput({ name: 'B' }, 'partial').value, { name: 'B' });
    assert.deepEqual(validateUserInput({ role: 'admin' }, 'partial').value, { role: 'admin' });
  });

  it('requires at least one field', () => {
    const { value, details } = validateUserInput({}, 'partial');
    assert.equal(value, undefined);
    assert.deepEqual(fields(details), ['body']);
  });

  it('still validates provided fields', () => {
    assert.deepEqual(fields(validateUserInput({ email: 'bad' }, 'partial').details), ['email']);
  });
});

describe('parseId', () => {
  it('accepts positive integers', () => {
    assert.equal(parseId('1'), 1);
    assert.equal(parseId('9007199254740991'), 9007199254740991);
  });

  for (const raw of ['0', '-1', '01', '1.5', 'abc', '1e3', '', ' 1', '9007199254740992', undefined]) {
    it(`rejects ${JSON.stringify(raw)}`, () => {
      assert.equal(parseId(raw), null);
    });
  }
});

describe('parseListQuery', () => {
  it('applies defaults', () => {
    assert.deepEqual(parseListQuery({}).value, { limit: 20, offset: 0 });
    assert.deepEqual(parseListQuery(undefined).value, { limit: 20, offset: 0 });
  });

  it('parses limit, offset and email', () => {
    assert.deepEqual(parseListQuery({ limit: '100', offset: '5', email: 'A@B.co' }).value, {
      limit: 100,
      offset: 5,
      email: 'a@b.co',
    });
    assert.equal(parseListQuery({ email: ' ' }).value.email, ' ');
    assert.equal(parseListQuery({ limit: '1' }).value.limit, 1);
  });

  for (const [q, field] of [
    [{ limit: '0' }, 'limit'],
    [{ limit: '101' }, 'limit'],
    [{ limit: '-1' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ limit: ['1', '2'] }, 'limit'],
    [{ offset: '-1' }, 'offset'],
    [{ offset: '1.5' }, 'offset'],
    [{ offset: '99999999999999999999' }, 'offset'],
    [{ email: '' }, 'email'],
    [{ email: ['a', 'b'] }, 'email'],
    [{ email: 'x'.repeat(255) }, 'email'],
    [{ email: 'a\u0000@b.co' }, 'email'],
  ]) {
    it(`rejects ${JSON.stringify(q).slice(0, 60)}`, () => {
      const { value, details } = parseListQuery(q);
      assert.equal(value, undefined);
      assert.deepEqual(fields(details), [field]);
    });
  }
});

describe('openapi.yaml patterns agree with the code', () => {
  const spec = fs.readFileSync(path.join(__dirname, '..', '..', 'openapi.yaml'), 'utf8');
  // single-quoted YAML scalars: '' stands for '
  // eslint-disable-next-line security/detect-non-literal-regexp -- patterns come from our own openapi.yaml
  const patterns = [...spec.matchAll(/^\s+pattern: '(.*)'$/gm)].map((m) => new RegExp(m[1].replace(/''/g, "'"), 'u'));
  const emailRe = patterns.find((re) => re.source.includes('@'));
  const nameRe = patterns.find((re) => re.source.includes('\\s'));

  it('finds the patterns', () => {
    assert.ok(emailRe && nameRe);
  });

  const emails = ['a@b.co', 'A@B.CO', "o'hara+x@a.io", 'a..b@x.io', '.a@x.io', 'a.@x.io', 'a@x', 'a@-x.io', 'a@x-.io',
    'a@x..io', ' a@b.co', 'a@b.co\n', 'ä@x.io', 'a@b@c.io', 'a@x_y.io', `${'a'.repeat(64)}@x.io`,
    `${'a'.repeat(65)}@x.io`, `${'a.'.repeat(32)}a@x.io`, `${'a.'.repeat(31)}a@x.io`, `a@${'x'.repeat(63)}.io`, `a@${'x'.repeat(64)}.io`];
  for (const email of emails) {
    it(`email ${JSON.stringify(email)}`, () => {
      assert.equal(emailRe.test(email), isValidEmail(email));
    });
  }

  const names = ['Ada', ' Ada ', '   ', '', 'a\u0000b', 'a\tb', '\u007f', 'Zoë', '😀'];
  for (const name of names) {
    it(`name ${JSON.stringify(name)}`, () => {
      const codeOk = validateUserInput({ email: 'a@b.co', name }).details.length === 0;
      assert.equal(nameRe.test(name), codeOk);
    });
  }

  it('hasControlChars', () => {
    assert.equal(hasControlChars('abc'), false);
    assert.equal(hasControlChars('a\u001fb'), true);
  });
});
