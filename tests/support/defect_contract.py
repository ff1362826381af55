"""Contract-break defects for the pipeline tests: each edits a copy of examples/users-service.

Each function takes the service directory, changes the OpenAPI document *and* the code and its
unit tests consistently (the way a developer making that change on purpose would, so the
unit tests stay green and only the contract check can object), and returns its commit message.

- `response_field_removed`: the User response no longer carries `name` (still accepted on input
  and stored; the admin page still shows it). Expected: `response-property-removed` (ERR) on
  every operation returning a User.
- `query_param_required`: GET /users requires `limit` (no default any more) and answers 400
  without it. Expected: `parameter-made-required` (ERR) on GET /users.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

__all__ = ["DEFECTS", "query_param_required", "response_field_removed"]


def _edit(path: Path, *replacements: tuple[str, str, int]) -> None:
    """Replace each `old` by `new` exactly `count` times, or fail loudly (the example changed)."""
    text = path.read_text(encoding="utf-8")
    for old, new, count in replacements:
        found = text.count(old)
        if found != count:
            raise AssertionError(f"{path}: expected {count} occurrence(s) of {old!r}, found {found}")
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")


def response_field_removed(service: Path) -> str:
    _edit(
        service / "openapi.yaml",
        (
            "      required: [id, email, name, role, created_at, updated_at]\n",
            "      required: [id, email, role, created_at, updated_at]\n",
            1,
        ),
        (  # User's name property (UserInput's has a pattern, and its role is not a $ref)
            "        name:\n          type: string\n          minLength: 1\n          maxLength: 100\n"
            "          example: Ada Lovelace\n        role:\n          $ref: '#/components/schemas/Role'\n",
            "        role:\n          $ref: '#/components/schemas/Role'\n",
            1,
        ),
    )
    _edit(
        service / "src" / "app.js",
        (
            "/** Wrap an async handler",
            "/** The User shape the API returns: the name is stored (the admin page shows it) but not returned. */\n"
            "function publicUser(user) {\n"
            "  const { id, email, role, created_at: createdAt, updated_at: updatedAt } = user;\n"
            "  return { id, email, role, created_at: createdAt, updated_at: updatedAt };\n"
            "}\n\n"
            "/** Wrap an async handler",
            1,
        ),
        (
            "return res.json({ items, total, limit: value.limit, offset: value.offset });",
            "return res.json({ items: items.map(publicUser), total, limit: value.limit, offset: value.offset });",
            1,
        ),
        ("return res.status(201).json(user);", "return res.status(201).json(publicUser(user));", 1),
        (
            "return user ? res.json(user) : notFound(res);",
            "return user ? res.json(publicUser(user)) : notFound(res);",
            2,
        ),
    )
    _edit(
        service / "test" / "unit" / "users.routes.test.js",
        (
            "['created_at', 'email', 'id', 'name', 'role', 'updated_at']",
            "['created_at', 'email', 'id', 'role', 'updated_at']",
            1,
        ),
        ("    assert.equal(res.body.name, 'Ada Lovelace');\n", "    assert.equal('name' in res.body, false);\n", 1),
        ("    assert.equal(res.body.name, 'New');\n", "    assert.equal('name' in res.body, false);\n", 1),
        ("    assert.equal(res.body.name, 'Renamed');\n", "    assert.equal('name' in res.body, false);\n", 1),
        ("    assert.equal(res.body.name, 'Patched');\n", "    assert.equal('name' in res.body, false);\n", 1),
    )
    return "api: stop returning the user's name (kept for the admin page)"


def query_param_required(service: Path) -> str:
    _edit(
        service / "openapi.yaml",
        (
            "      name: limit\n      in: query\n      required: false\n      description: Page size\n"
            "      schema:\n        type: integer\n        minimum: 1\n        maximum: 100\n        default: 20\n",
            "      name: limit\n      in: query\n      required: true\n      description: Page size (required)\n"
            "      schema:\n        type: integer\n        minimum: 1\n        maximum: 100\n",
            1,
        ),
    )
    _edit(
        service / "src" / "validation.js",
        (
            "/** Parse GET /users query: limit 1..100 (default 20), offset >= 0 (default 0), optional email. */",
            "/** Parse GET /users query: limit 1..100 (required), offset >= 0 (default 0), optional email. */",
            1,
        ),
        (
            "  if (q.limit !== undefined) value.limit = parseIntParam(q.limit, 'limit', 1, LIMIT_MAX, details);\n",
            "  if (q.limit === undefined) {\n"
            "    details.push({ field: 'limit', message: 'is required' });\n"
            "  } else {\n"
            "    value.limit = parseIntParam(q.limit, 'limit', 1, LIMIT_MAX, details);\n"
            "  }\n",
            1,
        ),
    )
    _edit(
        service / "test" / "unit" / "users.routes.test.js",
        (
            "  it('returns an empty page by default', async () => {\n"
            "    const res = await request(app).get('/users');\n",
            "  it('400 when limit is missing', async () => {\n"
            "    const res = await request(app).get('/users');\n"
            "    assert.equal(res.status, 400);\n"
            "    assert.deepEqual(res.body.details, [{ field: 'limit', message: 'is required' }]);\n"
            "  });\n\n"
            "  it('returns an empty page', async () => {\n    const res = await request(app).get('/users?limit=20');\n",
            1,
        ),
        ("request(app).get('/users?offset=10')", "request(app).get('/users?limit=20&offset=10')", 1),
        ("request(app).head('/users')", "request(app).head('/users?limit=1')", 1),
        ("request(app).get('/users').query({ email:", "request(app).get('/users').query({ limit: 20, email:", 2),
    )
    _edit(
        service / "test" / "unit" / "app.test.js",
        ("list: () => request(app).get('/users'),", "list: () => request(app).get('/users?limit=5'),", 1),
    )
    _edit(
        service / "test" / "unit" / "validation.test.js",
        (
            "  it('applies defaults', () => {\n"
            "    assert.deepEqual(parseListQuery({}).value, { limit: 20, offset: 0 });\n"
            "    assert.deepEqual(parseListQuery(undefined).value, { limit: 20, offset: 0 });\n",
            "  it('requires limit and defaults offset', () => {\n"
            "    assert.deepEqual(fields(parseListQuery({}).details), ['limit']);\n"
            "    assert.deepEqual(fields(parseListQuery(undefined).details), ['limit']);\n"
            "    assert.deepEqual(parseListQuery({ limit: '20' }).value, { limit: 20, offset: 0 });\n",
            1,
        ),
        (
            "parseListQuery({ email: ' ' }).value.email",
            "parseListQuery({ limit: '1', email: ' ' }).value.email",
            1,
        ),
        (
            "      const { value, details } = parseListQuery(q);\n",
            "      const { value, details } = parseListQuery({ limit: '10', ...q });\n",
            1,
        ),
    )
    _edit(
        service / "test" / "integration" / "app.test.js",
        ("request(app).get('/users').query({ email:", "request(app).get('/users').query({ limit: 10, email:", 1),
    )
    return "api: GET /users requires limit"


DEFECTS: dict[str, Callable[[Path], str]] = {
    "contract-response-field-removed": response_field_removed,
    "contract-query-param-required": query_param_required,
}
