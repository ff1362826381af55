'use strict';
const cp = require('child_process');
const { exec, execSync, spawn } = require('node:child_process');

function archive(req, res) {
  // ruleid: qeflow.javascript.command-injection
  cp.exec('tar czf /tmp/out.tgz ' + req.query.dir, () => res.end());
}

function ping(host) {
  // ruleid: qeflow.javascript.command-injection
  return execSync(`ping -c 1 ${host}`);
}

function run(cmd) {
  // ruleid: qeflow.javascript.command-injection
  exec(cmd);
  // ruleid: qeflow.javascript.spawn-shell
  spawn('git', ['log', cmd], { shell: true });
  // ruleid: qeflow.javascript.spawn-shell
  spawn(cmd, { shell: true });
}

function fixed(file) {
  // ok: qeflow.javascript.command-injection
  exec('git status --short');
  // ok: qeflow.javascript.spawn-shell
  spawn('git', ['log', file]);
  // ok: qeflow.javascript.spawn-shell
  spawn('npm test', { shell: true });
  // ok: qeflow.javascript.command-injection
  cp.execFile('git', ['show', file]);
}

module.exports = { archive, ping, run, fixed };
