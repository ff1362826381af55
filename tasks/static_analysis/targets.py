"""What gets analysed: the files git tracks at a revision, filtered by `paths` and `exclude`.

Listing files from git rather than walking the checkout keeps the analysis to the team's own
sources: nothing untracked (node_modules, coverage reports the unit tests are writing at the same
moment in the same checkout) and the same rule at base and head.

Also here: which analyzers a service gets when the config does not list them, and which files
changed between base and head (with renames followed, so a moved file keeps its findings).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from tasks.git import EMPTY_TREE, git
from tasks.static_analysis.settings import Analyzer

__all__ = [
    "ESLINT_CONFIGS",
    "JS_EXTENSIONS",
    "PY_EXTENSIONS",
    "changed_files",
    "default_analyzers",
    "eslint_config",
    "glob_match",
    "has_extension",
    "languages",
    "select_targets",
    "tracked_files",
]

JS_EXTENSIONS = frozenset({".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx"})
PY_EXTENSIONS = frozenset({".py", ".pyi"})
ESLINT_CONFIGS: tuple[str, ...] = (
    "eslint.config.js",
    "eslint.config.mjs",
    "eslint.config.cjs",
    "eslint.config.ts",
    "eslint.config.mts",
    "eslint.config.cts",
    ".eslintrc.js",
    ".eslintrc.cjs",
    ".eslintrc.yaml",
    ".eslintrc.yml",
    ".eslintrc.json",
    ".eslintrc",
)


def _prefix(service_path: str) -> str:
    return f"{service_path.rstrip('/')}/" if service_path else ""


def tracked_files(repo: Path, rev: str, service_path: str) -> list[str]:
    """Regular files (not links, not submodules) tracked at `rev`, relative to the service dir."""
    if rev == EMPTY_TREE:
        return []
    out = git(repo, "ls-tree", "-r", "-z", "--full-tree", rev, "--", *([service_path] if service_path else []))
    prefix = _prefix(service_path)
    files = []
    for entry in out.split("\0"):
        if not entry:
            continue
        meta, _, path = entry.partition("\t")
        mode, kind, _sha = meta.split()
        if kind == "blob" and mode in {"100644", "100755"} and path.startswith(prefix):
            files.append(path[len(prefix) :])
    return sorted(files)


def changed_files(repo: Path, base: str, head: str, service_path: str) -> dict[str, str | None]:
    """Files added, modified or renamed between base and head: head path -> base path (None: added).

    Paths are relative to the service directory; a file renamed into the service from outside it
    counts as added.
    """
    if base == EMPTY_TREE:
        return {path: None for path in tracked_files(repo, head, service_path)}
    out = git(
        repo,
        "diff",
        "--name-status",
        "-z",
        "-M",
        "--no-color",
        base,
        head,
        "--",
        *([service_path] if service_path else []),
    )
    prefix = _prefix(service_path)
    parts = out.split("\0")
    changes: dict[str, str | None] = {}
    i = 0
    while i < len(parts) and parts[i]:
        status = parts[i]
        if status[0] in "RC":
            old, new, i = parts[i + 1], parts[i + 2], i + 3
        else:
            old = new = parts[i + 1]
            i += 2
        if status[0] == "D" or not new.startswith(prefix):
            continue
        head_path = new[len(prefix) :]
        if status[0] == "A" or not old.startswith(prefix):
            changes[head_path] = None
        else:
            changes[head_path] = old[len(prefix) :]
    return changes


@functools.lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """`**` any number of directories, `*` and `?` within one path segment."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def glob_match(path: str, pattern: str) -> bool:
    """Does a service-relative path match a glob? A pattern naming a directory matches inside it."""
    pattern = pattern.removeprefix("./")
    regex = _glob_regex(pattern.rstrip("/"))
    if regex.match(path):
        return True
    # "vendor" / "vendor/" / "**/dist" exclude whatever lies below them.
    return any(regex.match(str(parent)) for parent in PurePosixPath(path).parents if str(parent) != ".")


def _under(path: str, root: str) -> bool:
    root = root.removeprefix("./").rstrip("/")
    return root in {"", "."} or path == root or path.startswith(root + "/")


def select_targets(files: Iterable[str], paths: Sequence[str], exclude: Sequence[str]) -> list[str]:
    return sorted(f for f in files if any(_under(f, p) for p in paths) and not any(glob_match(f, g) for g in exclude))


def has_extension(path: str, extensions: Iterable[str]) -> bool:
    return PurePosixPath(path).suffix.lower() in extensions


def eslint_config(service_dir: Path) -> str | None:
    """The eslint configuration file of the service (or `package.json` with eslintConfig), if any."""
    for name in ESLINT_CONFIGS:
        if (service_dir / name).is_file():
            return name
    package = service_dir / "package.json"
    if package.is_file():
        try:
            if "eslintConfig" in json.loads(package.read_text(encoding="utf-8")):
                return "package.json"
        except (ValueError, UnicodeDecodeError):
            return None
    return None


def languages(targets: Iterable[str]) -> set[str]:
    """The semgrep rule sets the targets call for: javascript, python (generic always applies)."""
    found = set()
    for path in targets:
        suffix = PurePosixPath(path).suffix.lower()
        if suffix in JS_EXTENSIONS:
            found.add("javascript")
        elif suffix in PY_EXTENSIONS:
            found.add("python")
    return found


def default_analyzers(
    service_dir: Path, targets: Sequence[str], eslint_available: bool
) -> tuple[list[Analyzer], list[str]]:
    """Detected analyzers, and a note for each one left out on purpose (shown in the report)."""
    chosen: list[Analyzer] = []
    notes: list[str] = []
    js = any(has_extension(t, JS_EXTENSIONS) for t in targets)
    config = eslint_config(service_dir)
    if config and js:
        if eslint_available:
            chosen.append(Analyzer.ESLINT)
        else:
            notes.append(
                f"eslint not run: {config} is there but node_modules/.bin/eslint is not (install the "
                "service's packages, or set [agents.static-analysis] commands.eslint)"
            )
    chosen.append(Analyzer.SEMGREP)
    if any(has_extension(t, PY_EXTENSIONS) for t in targets):
        chosen += [Analyzer.RUFF, Analyzer.BANDIT]
    return chosen, notes
