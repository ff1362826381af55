"""The served checkout refuses paths that leave the repository, and says where a qeflow.toml is missing."""

import subprocess
from pathlib import Path

import pytest

from flows.checkout import checked_out
from tasks.errors import ConfigError


@pytest.mark.parametrize("path", ["/etc", "../other", "svc/../../x"])
def test_the_service_path_stays_inside_the_repository(path: str) -> None:
    with pytest.raises(ConfigError) as raised, checked_out("/nowhere", path, None):
        pass
    assert raised.value.problems[0].location == "path"


def test_a_sha_without_the_service_config_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QEFLOW_HOME", str(tmp_path / "home"))
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    (repo / "README").write_text("no service here\n")
    subprocess.run(["git", "-C", str(repo), "add", "."], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-qm", "one"], check=True)
    with pytest.raises(ConfigError) as raised, checked_out(str(repo), "services/users", None):
        pass
    problem = raised.value.problems[0]
    assert problem.location == "services/users" and "qeflow.toml" in str(problem)
    assert not any((tmp_path / "home" / "checkouts").iterdir())  # the checkout is removed anyway
