'use strict';
const vm = require('vm');

function calculate(req, res) {
  // ruleid: qeflow.javascript.eval
  const value = eval(req.query.expr);
  // ruleid: qeflow.javascript.eval
  const fn = new Function('a', 'b', req.body.code);
  // ruleid: qeflow.javascript.eval
  const out = vm.runInNewContext(req.body.script, {});
  // ruleid: qeflow.javascript.eval
  const script = new vm.Script(req.body.script);
  // ruleid: qeflow.javascript.string-timer
  setTimeout('refresh(' + req.query.id + ')', 100);
  res.json({ value, fn, out, script });
}

function safe() {
  // ok: qeflow.javascript.eval
  const two = eval('1 + 1');
  // ok: qeflow.javascript.eval
  const add = new Function('a', 'b', 'return a + b');
  // ok: qeflow.javascript.eval
  const parsed = JSON.parse('{"a": 1}');
  // ok: qeflow.javascript.string-timer
  setTimeout(() => refresh(two), 100);
  // ok: qeflow.javascript.eval
  const three = vm.runInNewContext('1 + 2', {});
  return [two, add, parsed, three];
}

module.exports = { calculate, safe };
