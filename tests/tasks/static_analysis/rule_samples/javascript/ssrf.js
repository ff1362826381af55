'use strict';
const axios = require('axios');
const http = require('http');

async function preview(req, res) {
  // ruleid: qeflow.javascript.ssrf
  const page = await fetch(req.query.url);
  // ruleid: qeflow.javascript.ssrf
  const other = await axios.get(req.body.target);
  // ruleid: qeflow.javascript.ssrf
  http.get(`http://${req.query.host}/status`, () => {});
  const hook = req.body.webhook;
  // ruleid: qeflow.javascript.ssrf
  await axios({ method: 'post', url: hook });
  res.json({ page: await page.text(), other: other.data });
}

async function profile(req, res) {
  // ok: qeflow.javascript.ssrf
  const user = await fetch(`https://api.example.com/users/${encodeURIComponent(req.params.id)}`);
  // ok: qeflow.javascript.ssrf
  const repo = await axios.get('https://api.github.com/repos/' + req.query.repo);
  // ok: qeflow.javascript.ssrf
  const fixed = await fetch('https://status.example.com/health');
  res.json({ user: await user.json(), repo: repo.data, fixed: fixed.ok });
}

module.exports = { preview, profile };
