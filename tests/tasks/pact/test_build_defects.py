"""The build-phase defects (tests/support/defect_build.py) apply to the example as written.

Each edit asserts the text it replaces, so a change to the example that would make a defect a
no-op fails here, fast, instead of making a slow end-to-end test pass for the wrong reason.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support.defect_build import DEFECTS, apply_defect
from tests.support.defects import EXAMPLE


@pytest.fixture
def service(tmp_path: Path) -> Path:
    skip = {"node_modules", "coverage", "coverage-integration", "reports", ".qeflow"}
    return Path(shutil.copytree(EXAMPLE, tmp_path / "svc", ignore=lambda d, names: [n for n in names if n in skip]))


@pytest.mark.parametrize("name", sorted(DEFECTS))
def test_each_defect_applies_and_names_its_commit(service: Path, name: str) -> None:
    before = {p: p.read_bytes() for p in service.rglob("*") if p.is_file()}
    message = apply_defect(service, name)
    after = {p: p.read_bytes() for p in service.rglob("*") if p.is_file()}
    assert message and ":" in message
    assert before != after


def test_pact_field_renamed_changes_only_the_response_schema(service: Path) -> None:
    apply_defect(service, "pact-field-renamed")
    spec = (service / "openapi.yaml").read_text()
    user = spec[spec.index("    User:\n") : spec.index("    UserInput:\n")]
    rest = spec.replace(user, "")
    assert "full_name:" in user and "        name:" not in user
    assert "full_name" not in rest  # requests still send `name`
    assert "toResource(user)" in (service / "src/app.js").read_text()


def test_integration_tests_deleted_keeps_the_migration_tests(service: Path) -> None:
    apply_defect(service, "integration-tests-deleted")
    assert sorted(p.name for p in (service / "test/integration").glob("*.test.js")) == ["migrate.test.js"]
    assert not (service / "test/unit/server.test.js").exists()
    repo_tests = (service / "test/unit/repo.test.js").read_text()
    assert "createPgRepo" not in repo_tests and "toUser(ROW)" in repo_tests


def test_unknown_defect_lists_the_known_ones(service: Path) -> None:
    with pytest.raises(KeyError, match="pact-field-renamed"):
        apply_defect(service, "nope")
