'use strict';

const ESCAPES = new Map([
  ['&', '&amp;'],
  ['<', '&lt;'],
  ['>', '&gt;'],
  ['"', '&quot;'],
  ["'", '&#39;'],
]);

/** HTML-escape any value for use in text and attribute contexts. */
function escapeHtml(value) {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => ESCAPES.get(ch));
}

/** "2024-01-02T03:04:05.678Z" -> "2024-01-02 03:04:05 UTC" (deterministic, timezone-free). */
function formatTimestamp(iso) {
  if (typeof iso !== 'string' || iso.length < 19) return '';
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

const STYLE = `
  * { box-sizing: border-box; }
  body { margin: 0; padding: 24px; background: #f5f6f8; color: #1f2933;
         font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; font-size: 14px; line-height: 20px; }
  header { display: flex; align-items: baseline; justify-content: space-between; width: 960px; margin: 0 0 16px 0; }
  h1 { margin: 0; font-size: 22px; line-height: 28px; font-weight: bold; }
  .summary { color: #52606d; }
  table { width: 960px; border-collapse: collapse; table-layout: fixed; background: #ffffff;
          border: 1px solid #cbd2d9; }
  th, td { padding: 8px 12px; text-align: left; border-bottom: 1px solid #e4e7eb;
           overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  th { background: #e4e7eb; font-weight: bold; }
  col.c-id { width: 80px; } col.c-email { width: 320px; } col.c-name { width: 240px; }
  col.c-role { width: 100px; } col.c-created { width: 220px; }
  td.id { font-family: "DejaVu Sans Mono", "Courier New", monospace; }
  .role { display: inline-block; padding: 0 8px; border-radius: 4px; font-size: 12px; }
  .role-admin { background: #fde2e1; color: #8a1c1c; }
  .role-member { background: #e1effe; color: #1a4f8a; }
  td.empty { text-align: center; color: #7b8794; padding: 24px; }
`;

/** Render the admin page listing users. Pure function: same input -> same HTML. */
function renderAdminPage({ items, total }) {
  const rows = items.length
    ? items
        .map(
          (u) => `      <tr>
        <td class="id">${escapeHtml(u.id)}</td>
        <td class="email" title="${escapeHtml(u.email)}">${escapeHtml(u.email)}</td>
        <td class="name" title="${escapeHtml(u.name)}">${escapeHtml(u.name)}</td>
        <td><span class="role role-${u.role === 'admin' ? 'admin' : 'member'}">${escapeHtml(u.role)}</span></td>
        <td class="created">${escapeHtml(formatTimestamp(u.created_at))}</td>
      </tr>`
        )
        .join('\n')
    : '      <tr><td class="empty" colspan="5">No users yet</td></tr>';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Users – admin</title>
  <style>${STYLE}</style>
</head>
<body>
  <header>
    <h1>Users</h1>
    <span class="summary">Showing ${escapeHtml(items.length)} of ${escapeHtml(total)}</span>
  </header>
  <table id="users">
    <colgroup><col class="c-id"><col class="c-email"><col class="c-name"><col class="c-role"><col class="c-created"></colgroup>
    <thead>
      <tr><th>ID</th><th>Email</th><th>Name</th><th>Role</th><th>Created</th></tr>
    </thead>
    <tbody>
${rows}
    </tbody>
  </table>
</body>
</html>
`;
}

module.exports = { escapeHtml, formatTimestamp, renderAdminPage };
