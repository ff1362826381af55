"""Targets: tracked files, path and glob filters, changed files with renames, analyzer detection."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tasks.git import EMPTY_TREE
from tasks.static_analysis import (
    DEFAULT_EXCLUDE,
    Analyzer,
    changed_files,
    default_analyzers,
    eslint_config,
    glob_match,
    languages,
    select_targets,
    tracked_files,
)
from tests.tasks.static_analysis.conftest import git


@pytest.mark.parametrize(
    ("path", "pattern", "expected"),
    [
        ("node_modules/x/index.js", "**/node_modules/**", True),
        ("web/node_modules/x/index.js", "**/node_modules/**", True),
        ("src/app.js", "**/node_modules/**", False),
        ("public/app.min.js", "**/*.min.js", True),
        ("app.min.js", "**/*.min.js", True),
        ("src/admin.js", "**/*.min.js", False),
        ("vendor/lib.js", "vendor", True),  # a directory excludes what is below it
        ("vendor/lib.js", "vendor/", True),
        ("src/vendor.js", "vendor", False),
        ("test/fixtures/a.js", "test/*/a.js", True),
        ("test/x/fixtures/a.js", "test/*/a.js", False),  # * stays within one segment
        ("src/a.py", "./src/*.py", True),
        ("src/ab.py", "src/a?.py", True),
    ],
)
def test_glob_match(path: str, pattern: str, expected: bool) -> None:
    assert glob_match(path, pattern) is expected


def test_select_targets_applies_paths_then_exclude() -> None:
    files = ["src/app.js", "src/app.min.js", "lib/util.js", "dist/bundle.js", "README.md", "srcx/a.js"]
    assert select_targets(files, ["."], DEFAULT_EXCLUDE) == ["README.md", "lib/util.js", "src/app.js", "srcx/a.js"]
    assert select_targets(files, ["src", "lib/"], DEFAULT_EXCLUDE) == ["lib/util.js", "src/app.js"]
    assert select_targets(files, ["README.md"], []) == ["README.md"]
    assert select_targets(files, ["."], []) == sorted(files)


def test_tracked_files_lists_regular_files_of_the_service_only(service_repo: Callable[..., Path]) -> None:
    repo = service_repo({"svc/a.py": "x = 1\n", "svc/sub/b.js": "1;\n", "other/c.py": "y = 2\n"})
    (repo / "svc" / "untracked.py").write_text("z = 3\n")
    (repo / "svc" / "link.py").symlink_to("a.py")
    git(repo, "add", "svc/link.py")
    git(repo, "commit", "-q", "-m", "link")
    head = git(repo, "rev-parse", "HEAD")
    assert tracked_files(repo, head, "svc") == ["a.py", "sub/b.js"]
    assert tracked_files(repo, head, "") == ["other/c.py", "qeflow.toml", "svc/a.py", "svc/sub/b.js"]
    assert tracked_files(repo, EMPTY_TREE, "svc") == []


def test_changed_files_follow_renames_and_skip_deletions(service_repo: Callable[..., Path]) -> None:
    body = "".join(f"line {n}\n" for n in range(40))
    repo = service_repo(
        {"svc/kept.py": "a = 1\n", "svc/old_name.py": body, "svc/gone.py": "b = 2\n", "svc/edit.py": "c = 3\n"},
        {
            "svc/old_name.py": None,
            "svc/new_name.py": body + "line 40\n",
            "svc/gone.py": None,
            "svc/edit.py": "c = 4\n",
            "svc/added.py": "d = 5\n",
            "outside.py": "e = 6\n",
        },
    )
    base, head = git(repo, "rev-parse", "HEAD^"), git(repo, "rev-parse", "HEAD")
    assert changed_files(repo, base, head, "svc") == {
        "new_name.py": "old_name.py",
        "edit.py": "edit.py",
        "added.py": None,
    }
    # From the empty tree, everything is added.
    assert changed_files(repo, EMPTY_TREE, head, "svc") == {f: None for f in tracked_files(repo, head, "svc")}


def test_eslint_config_detection(tmp_path: Path) -> None:
    assert eslint_config(tmp_path) is None
    (tmp_path / "package.json").write_text('{"name": "x"}')
    assert eslint_config(tmp_path) is None
    (tmp_path / "package.json").write_text('{"name": "x", "eslintConfig": {"rules": {}}}')
    assert eslint_config(tmp_path) == "package.json"
    (tmp_path / ".eslintrc.json").write_text("{}")
    assert eslint_config(tmp_path) == ".eslintrc.json"
    (tmp_path / "eslint.config.mjs").write_text("export default [];")
    assert eslint_config(tmp_path) == "eslint.config.mjs"


def test_languages_of_the_targets() -> None:
    assert languages(["a.ts", "b.md"]) == {"javascript"}
    assert languages(["a.py", "b.cjs"]) == {"javascript", "python"}
    assert languages(["Dockerfile", "x.yaml"]) == set()


def test_detection_js_service_with_eslint(tmp_path: Path) -> None:
    (tmp_path / "eslint.config.js").write_text("module.exports = [];")
    chosen, notes = default_analyzers(tmp_path, ["src/app.js", "README.md"], eslint_available=True)
    assert chosen == [Analyzer.ESLINT, Analyzer.SEMGREP]
    assert notes == []


def test_detection_says_why_eslint_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "eslint.config.js").write_text("module.exports = [];")
    chosen, notes = default_analyzers(tmp_path, ["src/app.js"], eslint_available=False)
    assert chosen == [Analyzer.SEMGREP]
    assert notes == [
        "eslint not run: eslint.config.js is there but node_modules/.bin/eslint is not (install the "
        "service's packages, or set [agents.static-analysis] commands.eslint)"
    ]


def test_detection_python_service(tmp_path: Path) -> None:
    chosen, notes = default_analyzers(tmp_path, ["app/main.py", "pyproject.toml"], eslint_available=True)
    assert chosen == [Analyzer.SEMGREP, Analyzer.RUFF, Analyzer.BANDIT]
    assert notes == []


def test_detection_eslint_needs_js_files(tmp_path: Path) -> None:
    (tmp_path / "eslint.config.js").write_text("module.exports = [];")
    chosen, _ = default_analyzers(tmp_path, ["app.py"], eslint_available=True)
    assert Analyzer.ESLINT not in chosen
