'use strict';

// ruleid: qeflow.javascript.hardcoded-password
const DB_PASSWORD = 'S3cr3t-pa55';
const config = {
  // ruleid: qeflow.javascript.hardcoded-password
  apiKey: 'k3y-4eC39HqLyjWDarjtT1zdp7dc',
  // ok: qeflow.javascript.hardcoded-password
  password: process.env.DB_PASSWORD,
  // ok: qeflow.javascript.hardcoded-password
  passwordLabel: 'Password',
  // ok: qeflow.javascript.hardcoded-password
  secret: '',
  // ok: qeflow.javascript.hardcoded-password
  clientSecret: '${CLIENT_SECRET}',
};
// ruleid: qeflow.javascript.hardcoded-password
config.jwtSecret = 'changeme';
// ok: qeflow.javascript.hardcoded-password
const errors = { password: 'is required' };
// ok: qeflow.javascript.hardcoded-password
const PASSWORD_MIN = 12;

module.exports = { DB_PASSWORD, config, errors, PASSWORD_MIN };
