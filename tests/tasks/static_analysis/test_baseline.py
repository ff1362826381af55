"""The base tree and the new-versus-existing decision, without running any analyzer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tasks.report import Severity
from tasks.static_analysis import BaseTree, ToolFinding, changed_files, classify
from tests.tasks.static_analysis.conftest import git


def finding(path: str, fp: str) -> ToolFinding:
    return ToolFinding("semgrep", "r", path, 1, 1, "m", "ERROR", Severity.CRITICAL, fingerprint=fp)


def test_classify() -> None:
    head = [finding("same.py", "a"), finding("edited.py", "b"), finding("edited.py", "c"), finding("added.py", "d")]
    base = [finding("edited.py", "b")]
    result = classify(head, base, ["edited.py", "added.py"])
    assert [(f.path, f.fingerprint, f.new) for f in result] == [
        ("same.py", "a", False),  # unchanged file: existing by definition
        ("edited.py", "b", False),  # also found at base
        ("edited.py", "c", True),
        ("added.py", "d", True),
    ]


def test_base_tree_holds_base_versions_under_head_names(service_repo: Callable[..., Path], tmp_path: Path) -> None:
    body = "".join(f"print({n})\n" for n in range(30))
    repo = service_repo(
        {"svc/src/app.py": "v1\n", "svc/src/old.py": body, "svc/pyproject.toml": "[tool.ruff]\n", "svc/doc.md": "d\n"},
        {"svc/src/app.py": "v2\n", "svc/src/old.py": None, "svc/src/new.py": body + "x\n", "svc/src/added.py": "a\n"},
    )
    base_sha = git(repo, "rev-parse", "HEAD^")
    head_dir = repo / "svc"  # the working copy is at head
    (head_dir / "node_modules").mkdir()
    changes = changed_files(repo, base_sha, git(repo, "rev-parse", "HEAD"), "svc")
    at_base = {path: old for path, old in changes.items() if old is not None}
    assert at_base == {"src/app.py": "src/app.py", "src/new.py": "src/old.py"}
    with BaseTree(repo, base_sha, "svc", head_dir, at_base) as tree:
        root = tree.root
        assert tree.files == ["src/app.py", "src/new.py"]
        assert (root / "src/app.py").read_text() == "v1\n"
        assert not (root / "src/app.py").is_symlink()
        assert (root / "src/new.py").read_text() == body  # the old file, under its new name
        # Everything else is head's, linked: configuration, packages, files analysed at head only.
        for linked in ("pyproject.toml", "doc.md", "node_modules", "src/added.py"):
            assert (root / linked).is_symlink(), linked
            assert (root / linked).resolve() == (head_dir / linked).resolve()
        assert not (root / "src/old.py").exists()
    assert not root.exists()
