import subprocess
from pathlib import Path

import pytest

from tasks.errors import GitError
from tasks.git import EMPTY_TREE, changed_lines, resolve_context


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "a.js").write_text("one\ntwo\nthree\n")
    (tmp_path / "other.txt").write_text("x\n")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


def test_changed_lines_are_added_or_modified_lines_of_head(repo: Path) -> None:
    base = _git(repo, "rev-parse", "HEAD")
    (repo / "svc" / "a.js").write_text("one\nTWO\nthree\nfour\nfive\n")
    _git(repo, "commit", "-qam", "change")
    assert changed_lines(repo, base, "HEAD") == {"svc/a.js": [2, 4, 5]}


def test_renamed_file_reports_new_path_and_deleted_lines_do_not_count(repo: Path) -> None:
    base = _git(repo, "rev-parse", "HEAD")
    _git(repo, "mv", "svc/a.js", "svc/b.js")
    (repo / "svc" / "b.js").write_text("one\nthree\n")
    _git(repo, "commit", "-qam", "rename")
    assert changed_lines(repo, base, "HEAD") == {"svc/b.js": []}


def test_context_on_default_branch_uses_the_first_parent(repo: Path) -> None:
    base = _git(repo, "rev-parse", "HEAD")
    (repo / "svc" / "new.js").write_text("a\nb\n")
    (repo / "other.txt").write_text("y\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "more")
    ctx = resolve_context(repo / "svc")
    assert ctx.base == base and ctx.base_ref == "HEAD^"
    assert ctx.service_path == "svc"
    assert ctx.changed == {"svc/new.js": [1, 2]}  # other.txt is outside the service
    assert ctx.service_relative("svc/new.js") == "new.js"


def test_context_on_a_branch_uses_the_merge_base(repo: Path) -> None:
    base = _git(repo, "rev-parse", "HEAD")
    _git(repo, "checkout", "-qb", "feature")
    (repo / "svc" / "a.js").write_text("one\ntwo\nthree\nfour\n")
    _git(repo, "commit", "-qam", "feature")
    ctx = resolve_context(repo / "svc")
    assert ctx.base == base and ctx.base_ref == "merge-base(main)"
    assert ctx.changed == {"svc/a.js": [4]}


def test_root_commit_compares_with_the_empty_tree(repo: Path) -> None:
    ctx = resolve_context(repo)
    assert ctx.base == EMPTY_TREE
    assert ctx.changed["svc/a.js"] == [1, 2, 3]


def test_unknown_revision_is_named(repo: Path) -> None:
    with pytest.raises(GitError, match="unknown revision 'nope'"):
        resolve_context(repo, base="nope")


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="not inside a git repository"):
        resolve_context(tmp_path)


def test_a_pull_request_target_branch_gives_the_merge_base_with_it(repo: Path) -> None:
    _git(repo, "checkout", "-q", "-b", "release")
    (repo / "svc" / "a.js").write_text("one\ntwo\nthree\nrelease fix\n")
    _git(repo, "commit", "-qam", "release fix")
    fork = _git(repo, "rev-parse", "HEAD")
    _git(repo, "checkout", "-q", "-b", "hotfix")
    (repo / "svc" / "a.js").write_text("ONE\ntwo\nthree\nrelease fix\n")
    _git(repo, "commit", "-qam", "hotfix")
    context = resolve_context(repo / "svc", target="refs/heads/release")
    assert (context.base, context.base_ref) == (fork, "merge-base(refs/heads/release)")
    assert context.changed == {"svc/a.js": [1]}  # the release fix is not this change's
    with pytest.raises(GitError, match="nope"):
        resolve_context(repo / "svc", target="refs/heads/nope")
