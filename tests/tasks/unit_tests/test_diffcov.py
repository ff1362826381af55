"""Changed-lines coverage math, as diff-cover defines it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tasks.git import GitContext, changed_lines
from tasks.unit_tests.coverage import CoverageData
from tasks.unit_tests.diffcov import DiffCoverage, FileDiffCoverage, diff_coverage, line_ranges


def _git(changed: dict[str, list[int]], service_path: str = "svc") -> GitContext:
    return GitContext(Path("/repo"), "b" * 40, "h" * 40, "main", "HEAD", service_path, changed)


def _cov(files: dict[str, dict[int, int]]) -> CoverageData:
    return CoverageData("lcov.info", "lcov", files)


def test_only_measurable_changed_lines_count() -> None:
    git = _git(
        {
            "svc/src/a.js": [1, 2, 3, 4, 10],  # 4 and 10 are not in the report (comments, blanks)
            "svc/src/b.js": [5],  # in the report, but line 5 is not measurable
            "svc/README.md": [1, 2],  # not in the report at all
            "other-service/x.js": [1],  # outside the service: ignored entirely
        }
    )
    cov = _cov({"src/a.js": {1: 1, 2: 0, 3: 0, 5: 1}, "src/b.js": {1: 1}, "src/untouched.js": {1: 0}})
    diff = diff_coverage(git, cov)
    assert (diff.changed_lines_total, diff.measurable, diff.covered) == (8, 3, 1)
    assert diff.percent == pytest.approx(100 / 3)
    assert not diff.no_measurable_lines
    assert diff.not_in_coverage == ["README.md"]
    assert diff.per_file["src/a.js"] == FileDiffCoverage("src/a.js", "svc/src/a.js", 5, [1], [2, 3])
    assert diff.per_file["src/b.js"].measurable == 0
    assert [f.path for f in diff.uncovered_files] == ["src/a.js"]


def test_no_measurable_line_is_one_hundred_percent_and_flagged() -> None:
    diff = diff_coverage(_git({"svc/docs/guide.md": [1, 2, 3]}), _cov({"src/a.js": {1: 0}}))
    assert (diff.changed_lines_total, diff.measurable, diff.covered) == (3, 0, 0)
    assert diff.percent == 100.0
    assert diff.no_measurable_lines
    assert diff.not_in_coverage == ["docs/guide.md"]


def test_files_with_only_deletions_are_neither_counted_nor_listed() -> None:
    diff = diff_coverage(_git({"svc/src/a.js": []}), _cov({"src/a.js": {1: 1}}))
    assert diff == DiffCoverage(0, 0, 0, {}, [])


def test_all_changed_lines_covered() -> None:
    diff = diff_coverage(_git({"src/a.js": [2, 3, 3]}, service_path=""), _cov({"src/a.js": {2: 4, 3: 1}}))
    assert (diff.measurable, diff.covered, diff.percent) == (2, 2, 100.0)
    assert diff.uncovered_files == []


def test_to_json_lists_files_and_ranges() -> None:
    git = _git({"svc/a.py": [1, 2, 3, 5], "svc/b.md": [1]})
    diff = diff_coverage(git, _cov({"a.py": {1: 1, 2: 0, 3: 0, 5: 0}}))
    assert diff.to_json() == {
        "changed_lines_total": 5,
        "measurable": 4,
        "covered": 1,
        "percent": 25.0,
        "no_measurable_lines": False,
        "files": {
            "a.py": {
                "repo_path": "svc/a.py",
                "changed": 4,
                "covered": [1],
                "uncovered": [2, 3, 5],
                "uncovered_ranges": "2-3, 5",
            }
        },
        "not_in_coverage": ["b.md"],
    }


@pytest.mark.parametrize(
    ("lines", "text"),
    [([], ""), ([7], "7"), ([12, 13, 14, 15, 20], "12-15, 20"), ([3, 1, 2, 2, 9, 10], "1-3, 9-10")],
)
def test_line_ranges(lines: list[int], text: str) -> None:
    assert line_ranges(lines) == text


def _run(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_a_renamed_file_is_measured_under_its_new_name(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "svc" / "src").mkdir(parents=True)
    body = "".join(f"const v{i} = {i};\n" for i in range(1, 21))
    (repo / "svc" / "src" / "old.js").write_text(body)
    _run(repo, "init", "-q", "-b", "main")
    _run(repo, "add", ".")
    _run(repo, "commit", "-q", "-m", "one")
    _run(repo, "mv", "svc/src/old.js", "svc/src/new.js")
    (repo / "svc" / "src" / "new.js").write_text(body.replace("const v5 = 5;", "const v5 = 55;"))
    _run(repo, "commit", "-q", "-am", "rename and edit")
    changed = changed_lines(repo, "HEAD^", "HEAD")
    assert changed == {"svc/src/new.js": [5]}  # -M follows the rename: one changed line, not twenty
    git = _git(changed)
    diff = diff_coverage(git, _cov({"src/new.js": {n: (0 if n == 5 else 1) for n in range(1, 21)}}))
    assert (diff.changed_lines_total, diff.measurable, diff.covered) == (1, 1, 0)
    assert diff.per_file["src/new.js"].uncovered == [5]
    assert diff.per_file["src/new.js"].repo_path == "svc/src/new.js"
