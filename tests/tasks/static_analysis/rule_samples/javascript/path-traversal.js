'use strict';
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, 'files');

function download(req, res) {
  // ruleid: qeflow.javascript.path-traversal
  const text = fs.readFileSync(path.join(ROOT, req.query.name), 'utf8');
  // ruleid: qeflow.javascript.path-traversal
  res.sendFile(path.resolve(ROOT, req.params.file));
  const target = ROOT + '/' + req.body.name;
  // ruleid: qeflow.javascript.path-traversal
  fs.writeFile(target, req.body.content, () => {});
  // ruleid: qeflow.javascript.path-traversal
  fs.promises.readFile(req.path);
  res.end(text);
}

function safe(req, res) {
  // ok: qeflow.javascript.path-traversal
  const text = fs.readFileSync(path.join(ROOT, path.basename(req.query.name)), 'utf8');
  // ok: qeflow.javascript.path-traversal
  res.sendFile(req.params.file, { root: ROOT });
  // ok: qeflow.javascript.path-traversal
  fs.readFile(path.join(ROOT, 'index.html'), () => {});
  res.end(text);
}

module.exports = { download, safe };
