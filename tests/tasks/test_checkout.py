"""Checkouts of a repository at a sha (served runs), and the package cache keyed by lockfile."""

import subprocess
import sys
from pathlib import Path

import pytest

from tasks.checkout import Checkout, install_cached, repository_key
from tasks.config import DependencySettings
from tasks.errors import EnvironmentError_, GitError


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def origin(tmp_path: Path) -> Path:
    repo = tmp_path / "origin"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "svc").mkdir()
    (repo / "svc" / "a.txt").write_text("main 1\n")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "one")
    _git(repo, "checkout", "-q", "-b", "feature")
    (repo / "svc" / "a.txt").write_text("feature\n")
    _git(repo, "commit", "-q", "-am", "two")
    _git(repo, "checkout", "-q", "main")
    return repo


def test_a_checkout_is_the_sha_with_every_branch_and_is_removed_after(origin: Path, tmp_path: Path) -> None:
    feature = _git(origin, "rev-parse", "feature")
    with Checkout(str(origin), feature, home=tmp_path / "home") as checkout:
        root = checkout.root
        assert root is not None and checkout.sha == feature
        assert (root / "svc" / "a.txt").read_text() == "feature\n"
        assert _git(root, "rev-parse", "HEAD") == feature
        # The default branch resolves by name, so the merge-base with it can be found.
        assert _git(root, "rev-parse", "main") == _git(origin, "rev-parse", "main")
    assert not root.exists()


def test_no_sha_means_the_default_branch_tip_and_new_commits_are_fetched(origin: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Checkout(str(origin), None, home=home) as first:
        assert first.sha == _git(origin, "rev-parse", "main")
    (origin / "svc" / "a.txt").write_text("main 2\n")
    _git(origin, "commit", "-q", "-am", "three")
    newest = _git(origin, "rev-parse", "HEAD")
    with Checkout(str(origin), newest, home=home) as second:  # the mirror exists: fetched, not cloned
        assert second.root is not None and (second.root / "svc" / "a.txt").read_text() == "main 2\n"
    assert len(list((home / "mirrors").glob("*.git"))) == 1


def test_an_unknown_sha_and_a_bad_revision_are_named(origin: Path, tmp_path: Path) -> None:
    with pytest.raises(GitError, match="has no commit '0123456789abcdef0123'"):
        Checkout(str(origin), "0123456789abcdef0123", home=tmp_path / "home").__enter__()
    with pytest.raises(GitError, match="neither a commit sha nor a full ref"):
        Checkout(str(origin), "--upload-pack=touch /tmp/x", home=tmp_path / "home").__enter__()
    with pytest.raises(GitError, match="no such path"):
        Checkout(str(tmp_path / "nowhere"), None, home=tmp_path / "home").__enter__()


def test_repository_keys_are_readable_and_distinct() -> None:
    a, b = repository_key("https://github.com/acme/users.git"), repository_key("https://gitlab.com/acme/users.git")
    assert a.startswith("users-") and b.startswith("users-") and a != b


def _deps(tmp_path: Path) -> DependencySettings:
    # An install command that records each run and creates the packages directory.
    script = "import os, pathlib; os.makedirs('pkgs/lib', exist_ok=True); " \
        f"open({str(tmp_path / 'installs.log')!r}, 'a').write('x')"  # fmt: skip
    return DependencySettings(install=[sys.executable, "-c", script], reuse="pkgs", lockfile="lock.json")


def _service(tmp_path: Path, name: str, lock: str) -> Path:
    service = tmp_path / name
    service.mkdir()
    (service / "lock.json").write_text(lock)
    return service


def test_packages_are_installed_once_per_lockfile_then_linked(tmp_path: Path) -> None:
    deps, home = _deps(tmp_path), tmp_path / "home"
    first, second, other = (_service(tmp_path, n, lock) for n, lock in [("a", "v1"), ("b", "v1"), ("c", "v2")])
    assert install_cached(first, deps, "svc", home) == "installed"
    assert install_cached(second, deps, "svc", home) == "linked"
    assert install_cached(other, deps, "svc", home) == "installed"
    assert (tmp_path / "installs.log").read_text() == "xx"
    assert (first / "pkgs").is_symlink() and (first / "pkgs").resolve() == (second / "pkgs").resolve()
    assert (first / "pkgs" / "lib").is_dir()


def test_a_committed_link_to_packages_is_never_written_through(tmp_path: Path) -> None:
    theirs = tmp_path / "someone-elses"
    (theirs / "keep").mkdir(parents=True)
    service = _service(tmp_path, "a", "v1")
    (service / "pkgs").symlink_to(theirs, target_is_directory=True)
    install_cached(service, _deps(tmp_path), "svc", tmp_path / "home")
    assert (theirs / "keep").is_dir() and not (theirs / "lib").exists()
    assert (service / "pkgs").resolve() != theirs.resolve()


def test_a_failing_install_is_reported_with_its_output(tmp_path: Path) -> None:
    deps = DependencySettings(install=[sys.executable, "-c", "raise SystemExit('registry down')"],
                              reuse="pkgs", lockfile="lock.json")  # fmt: skip
    with pytest.raises(EnvironmentError_, match="registry down"):
        install_cached(_service(tmp_path, "a", "v1"), deps, "svc", tmp_path / "home")
