'use strict';
const crypto = require('crypto');

function hashPassword(password) {
  // ruleid: qeflow.javascript.weak-password-hash
  return crypto.createHash('md5').update(password).digest('hex');
}

function hashUser(user) {
  // ruleid: qeflow.javascript.weak-password-hash
  return crypto.createHash('sha1').update(user.password).digest('hex');
}

function etag(body) {
  // ok: qeflow.javascript.weak-password-hash
  return crypto.createHash('md5').update(body).digest('hex');
}

function strong(password, salt) {
  // ok: qeflow.javascript.weak-password-hash
  return crypto.scryptSync(password, salt, 64);
}

function encrypt(key, iv, text) {
  // ruleid: qeflow.javascript.weak-cipher
  const legacy = crypto.createCipher('aes-256-cbc', key);
  // ruleid: qeflow.javascript.weak-cipher
  const des = crypto.createCipheriv('des-ede3-cbc', key, iv);
  // ruleid: qeflow.javascript.weak-cipher
  const ecb = crypto.createCipheriv('aes-128-ecb', key, null);
  // ok: qeflow.javascript.weak-cipher
  const gcm = crypto.createCipheriv('aes-256-gcm', key, iv);
  return [legacy, des, ecb, gcm].map((c) => c.update(text));
}

function tokens() {
  // ruleid: qeflow.javascript.insecure-random
  const resetToken = Math.random().toString(36).slice(2);
  // ruleid: qeflow.javascript.insecure-random
  const session = { sessionId: Math.floor(Math.random() * 1e9) };
  // ok: qeflow.javascript.insecure-random
  const jitterMs = Math.random() * 100;
  // ok: qeflow.javascript.insecure-random
  const csrfToken = crypto.randomBytes(32).toString('hex');
  return { resetToken, session, jitterMs, csrfToken };
}

module.exports = { hashPassword, hashUser, etag, strong, encrypt, tokens };
