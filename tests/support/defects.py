"""The defect helper: the example service in a temporary git repository, with a named defect.

`make_service_repo(tmp, defect)` copies examples/users-service (without installed or generated
files; node_modules is linked), commits it on `main`, then commits the defect on a `change`
branch, and returns base and head. With `defect=None` the second commit is a clean, tested
change, so a run has real changed lines either way.

Each defect is a function that edits the service directory and returns its commit message.
Each gate's defects live beside this module in defect_<area>.py; `known_defects()` has them all.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFECTS", "EXAMPLE", "ServiceRepo", "known_defects", "make_service_repo"]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "users-service"
_NOT_COPIED = {"node_modules", "coverage", "coverage-integration", "reports", ".qeflow"}


@dataclass(frozen=True)
class ServiceRepo:
    root: Path  # repository top level == the service directory
    base: str
    head: str
    defect: str | None


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, stdin=subprocess.DEVNULL
    ).stdout.strip()


def _uncovered_module(service: Path) -> str:
    """New code without tests: a CSV export module that no test loads."""
    (service / "src" / "export.js").write_text(
        """'use strict';

/** Quote one CSV field (RFC 4180): double the quotes, wrap when needed. */
function csvField(value) {
  const text = value === null || value === undefined ? '' : String(value);
  if (/[",\\r\\n]/.test(text)) {
    return `"${text.replace(/"/g, '""')}"`;
  }
  return text;
}

/** Render users as CSV with a header row. */
function usersToCsv(users) {
  const header = ['id', 'email', 'name', 'role', 'created_at'];
  const rows = [header.join(',')];
  for (const user of users) {
    rows.push(header.map((key) => csvField(user[key])).join(','));
  }
  return rows.join('\\r\\n') + '\\r\\n';
}

/** Stream every user page by page so a large table never sits in memory at once. */
async function exportAll(repo, write, pageSize = 100) {
  let offset = 0;
  let total = 0;
  for (;;) {
    const page = await repo.list({ limit: pageSize, offset });
    if (page.length === 0) {
      break;
    }
    write(usersToCsv(page));
    total += page.length;
    offset += page.length;
  }
  return total;
}

module.exports = { csvField, usersToCsv, exportAll };
""",
        encoding="utf-8",
    )
    return "defect: add CSV export without tests"


def _clean_change(service: Path) -> str:
    """A harmless, covered change: a comment and README line (what a tidy commit looks like)."""
    readme = service / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nMaintained by the platform team.\n", encoding="utf-8")
    app = service / "src" / "app.js"
    text = app.read_text(encoding="utf-8")
    app.write_text(
        text.replace("'use strict';\n", "'use strict';\n// Users API: see openapi.yaml.\n", 1), encoding="utf-8"
    )
    return "docs: describe the users API"


DEFECTS: dict[str, Callable[[Path], str]] = {
    "uncovered-code": _uncovered_module,
}


def known_defects() -> dict[str, Callable[[Path], str]]:
    """Every named defect: this module's and those beside it (defect_<area>.py), one per gate.

    Imported here, not at the top, because defect_build uses this module's helpers."""
    from tests.support import defect_api, defect_build, defect_contract, defect_static

    found: dict[str, Callable[[Path], str]] = {}
    for table in (defect_static.DEFECTS, defect_api.DEFECTS, defect_contract.DEFECTS, defect_build.DEFECTS, DEFECTS):
        found.update(table)
    return found


def make_service_repo(tmp: Path, defect: str | None = None) -> ServiceRepo:
    defects = known_defects()
    if defect is not None and defect not in defects:
        raise KeyError(f"unknown defect {defect!r}; known: {', '.join(sorted(defects))}")
    root = tmp / "users-service"
    shutil.copytree(EXAMPLE, root, ignore=lambda d, names: [n for n in names if n in _NOT_COPIED])
    modules = EXAMPLE / "node_modules"
    if modules.is_dir():
        (root / "node_modules").symlink_to(modules, target_is_directory=True)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "users-service")
    base = _git(root, "rev-parse", "HEAD")
    _git(root, "checkout", "-q", "-b", "change")
    message = defects[defect](root) if defect else _clean_change(root)
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", message)
    return ServiceRepo(root, base, _git(root, "rev-parse", "HEAD"), defect)
