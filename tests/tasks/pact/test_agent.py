"""The pact agent: what it verifies, how states and failures are reported, what it records.

Fast tests verify the example's orders-service pact with the real verifier against a fake
provider (conftest.py). The slow ones release the real example into an embedded-PostgreSQL
environment, with the SQL fixtures of examples/users-service/pacts/states.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from tasks.evidence import EvidenceStore
from tasks.pact import SPEC, PactSettings, matrix_table
from tasks.report import Status
from tasks.runner import run_agent
from tests.support.defect_build import BuildRun, make_build_repo
from tests.tasks.pact.conftest import FakeUsers, PactRun

URL_STATES = PactSettings(state_change_url="{base_url}/_pact/state")


def _results(run: PactRun) -> dict:
    return json.loads((run.evidence / "pact-results.json").read_text())


def test_verifies_every_interaction_through_the_state_change_url(
    make_pact_run: Callable[..., PactRun], fake_users: tuple[FakeUsers, str]
) -> None:
    run = make_pact_run(settings=URL_STATES)
    report = run_agent(SPEC, run.ctx)
    assert report.status is Status.PASSED, report.error
    assert report.metrics == {
        "pacts": 1.0,
        "interactions": 3.0,
        "verified": 3.0,
        "failed": 0.0,
        "consumers": 1.0,
        "pending_failed": 0.0,
        "verify_s": report.metrics["verify_s"],
    }
    fake, _ = fake_users
    assert [c["state"] for c in fake.state_calls] == ["user 1 exists", "no user 42", ""]
    assert run.environments.asked == ["pact"]
    assert run.environments.environment.released == [run.ctx.git.head]
    assert run.environments.environment.stopped  # the pact environment is not left running
    assert "3/3 interactions verified" in report.summary


def test_records_evidence_and_the_matrix_entry(make_pact_run: Callable[..., PactRun]) -> None:
    run = make_pact_run(settings=URL_STATES)
    report = run_agent(SPEC, run.ctx)
    names = {Path(p).name for p in report.evidence}
    assert {"pact-results.json", "matrix.json", "output.txt", "results.json", "states.json", "verifier.log"} <= names
    output = next(run.ctx.run.local / p for p in report.evidence if p.endswith("output.txt")).read_text()
    assert "Verifying a pact between orders-service and users-service" in output
    matrix = json.loads((run.evidence / "matrix.json").read_text())["entries"]
    assert len(matrix) == 1
    entry = matrix[0]
    assert entry["consumer"] == "orders-service"
    assert entry["provider_version"] == run.ctx.git.head
    assert entry["result"] == "verified"
    # the pact carries no version: the commit that last changed the pact file stands for it
    assert (entry["consumer_version"], entry["consumer_version_source"]) == (run.ctx.git.head, "git")
    table = matrix_table(run.ctx.run.store, "users-service", run.ctx.git.head[:10])
    assert table.verified is True


def test_a_renamed_response_field_fails_with_the_mismatch_named(
    make_pact_run: Callable[..., PactRun], fake_users: tuple[FakeUsers, str]
) -> None:
    fake_users[0].name_field = "full_name"
    run = make_pact_run(settings=URL_STATES)
    report = run_agent(SPEC, run.ctx)
    assert report.status is Status.FAILED
    assert report.metrics["failed"] == 2.0 and report.metrics["verified"] == 1.0
    mismatches = [f for f in report.findings if f.rule == "pact-mismatch"]
    assert {f.location for f in mismatches} == {
        "pacts/orders-service-users-service.json: a request for user 1",
        "pacts/orders-service-users-service.json: a request to create a user",
    }
    assert all("missing the following keys: name" in f.message for f in mismatches)
    assert all('"full_name"' in f.message for f in mismatches)  # the actual keys are shown
    interaction = _results(run)["pacts"][0]["interactions"][0]
    assert interaction["mismatches"][0]["kind"] == "BodyMismatch"
    assert '"name"' in interaction["mismatches"][0]["expected"]
    entry = json.loads((run.evidence / "matrix.json").read_text())["entries"][0]
    assert entry["result"] == "failed"


def test_a_state_without_fixture_fails_its_interactions_at_once_and_says_why(
    make_pact_run: Callable[..., PactRun],
) -> None:
    run = make_pact_run()  # no fixtures, no state_change_url
    started = time.monotonic()
    report = run_agent(SPEC, run.ctx)
    assert time.monotonic() - started < 20  # a failing state is not retried for minutes
    assert report.status is Status.FAILED
    assert report.metrics["failed"] == 2.0  # the two interactions with a provider state
    assert report.metrics["verified"] == 1.0  # "create a user" needs no state
    missing = [f for f in report.findings if f.rule == "provider-state-missing"]
    assert sorted(f.message.split("'")[1] for f in missing) == ["no user 42", "user 1 exists"]
    failed = [f.message for f in report.findings if f.rule == "pact-mismatch"]
    assert any("'user 1 exists': provider state 'user 1 exists' has no fixture" in m for m in failed)
    assert any("pacts/states/<file>.sql" in m for m in failed)


def test_no_pacts_directory_verifies_nothing_and_says_so(make_pact_run: Callable[..., PactRun]) -> None:
    run = make_pact_run(pacts={})
    report = run_agent(SPEC, run.ctx)
    assert report.status is Status.PASSED
    assert report.metrics["verified"] == 0.0
    assert "does not exist" in report.summary and "verified = 0" in report.summary
    assert run.environments.asked == []  # nothing released for nothing


def test_a_pacts_directory_without_pacts_is_an_error(make_pact_run: Callable[..., PactRun]) -> None:
    run = make_pact_run(pacts={}, files={"pacts/README.md": "pacts go here\n"})
    report = run_agent(SPEC, run.ctx)
    assert report.status is Status.ERROR
    assert "exists but holds no pact" in (report.error or "")


def test_pacts_of_other_providers_are_not_verified(make_pact_run: Callable[..., PactRun]) -> None:
    other = json.dumps({"consumer": {"name": "web"}, "provider": {"name": "billing"}, "interactions": []})
    run = make_pact_run(pacts={"orders-service-users-service.json": "", "web-billing.json": other}, settings=URL_STATES)
    report = run_agent(SPEC, run.ctx)
    assert report.status is Status.PASSED
    assert report.metrics["pacts"] == 1.0
    assert [f.location for f in report.findings if f.rule == "pact-other-provider"] == ["pacts/web-billing.json"]


def test_only_other_providers_pacts_is_an_error(make_pact_run: Callable[..., PactRun]) -> None:
    other = json.dumps({"consumer": {"name": "web"}, "provider": {"name": "billing"}, "interactions": []})
    run = make_pact_run(pacts={"web-billing.json": other})
    report = run_agent(SPEC, run.ctx)
    assert report.status is Status.ERROR
    assert "no pact for provider 'users-service'" in (report.error or "")


def test_a_malformed_pact_is_an_error_naming_the_file(make_pact_run: Callable[..., PactRun]) -> None:
    run = make_pact_run(pacts={"broken.json": "{not json"})
    report = run_agent(SPEC, run.ctx)
    assert report.status is Status.ERROR
    assert "broken.json" in (report.error or "") and "not valid JSON" in (report.error or "")


def test_a_configured_fixture_that_does_not_exist_is_a_config_error(make_pact_run: Callable[..., PactRun]) -> None:
    settings = PactSettings(states={"user 1 exists": "pacts/states/nope.sql"})
    run = make_pact_run(settings=settings)
    report = run_agent(SPEC, run.ctx)
    assert report.status is Status.ERROR
    assert "agents.pact.states.user 1 exists" in (report.error or "")
    assert run.environments.asked == []  # validated before anything was released


def test_the_consumer_version_written_in_the_pact_wins(make_pact_run: Callable[..., PactRun]) -> None:
    pact = json.loads(
        Path(__file__)
        .resolve()
        .parents[3]
        .joinpath("examples/users-service/pacts/orders-service-users-service.json")
        .read_text()
    )
    pact["consumer"]["version"] = "2.4.1"
    run = make_pact_run(pacts={"orders-service-users-service.json": json.dumps(pact)}, settings=URL_STATES)
    report = run_agent(SPEC, run.ctx)
    entry = report.details["matrix"][0]
    assert (entry["consumer_version"], entry["consumer_version_source"]) == ("2.4.1", "pact")


def test_settings_want_the_name_of_the_token_variable_not_the_token() -> None:
    assert PactSettings(broker_token_env="PACTFLOW_TOKEN").broker_token_env == "PACTFLOW_TOKEN"
    with pytest.raises(ValidationError, match="NAME of an environment variable"):
        PactSettings(broker_token_env="eyJhbGciOi.secret-token/value")


def test_broker_url_without_a_token_is_an_error_naming_the_variable(
    make_pact_run: Callable[..., PactRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("QEFLOW_TEST_BROKER_TOKEN", raising=False)
    settings = PactSettings(broker_url="http://127.0.0.1:9", broker_token_env="QEFLOW_TEST_BROKER_TOKEN")
    run = make_pact_run(settings=settings)
    report = run_agent(SPEC, run.ctx)
    assert report.status is Status.ERROR
    assert "$QEFLOW_TEST_BROKER_TOKEN" in (report.error or "")


# --- the real example, released into an embedded PostgreSQL ---------------------------------


@pytest.fixture
def build_run(tmp_path: Path) -> Iterator[Callable[[str | None], BuildRun]]:
    runs: list[BuildRun] = []

    def make(defect: str | None) -> BuildRun:
        run = BuildRun(make_build_repo(tmp_path / (defect or "clean"), defect), tmp_path / "runs", [SPEC])
        runs.append(run)
        return run

    yield make
    for run in runs:
        run.close()


@pytest.mark.slow
def test_clean_example_verifies_3_of_3_with_its_sql_fixtures(build_run: Callable[[str | None], BuildRun]) -> None:
    run = build_run(None)
    report = run.run("pact")
    assert report.status is Status.PASSED, report.error or report.summary
    assert (report.metrics["verified"], report.metrics["failed"], report.metrics["interactions"]) == (3.0, 0.0, 3.0)
    states = json.loads((run.run_dir.local / "build/pact/pact-results.json").read_text())["states"]
    # The example's qeflow.toml names its fixtures; without that they are found by convention.
    assert states["fixtures"]["user 1 exists"] == {"file": "pacts/states/user-1-exists.sql", "from": "config"}
    assert states["default_state"] == "pacts/states/default.sql"
    table = matrix_table(EvidenceStore(run.store.url), "users-service", run.git.head)
    assert table.verified is True


@pytest.mark.slow
def test_pact_field_renamed_fails_with_the_mismatch_named(build_run: Callable[[str | None], BuildRun]) -> None:
    run = build_run("pact-field-renamed")
    report = run.run("pact")
    assert report.status is Status.FAILED
    assert report.metrics["failed"] == 2.0
    assert any("missing the following keys: name" in f.message for f in report.findings)
    assert "missing the following keys: name" in report.summary
    table = matrix_table(EvidenceStore(run.store.url), "users-service", run.git.head)
    assert table.verified is False


@pytest.mark.slow
def test_pact_timestamps_truncated_fails_on_the_consumers_matcher(build_run: Callable[[str | None], BuildRun]) -> None:
    run = build_run("pact-timestamps-truncated")
    report = run.run("pact")
    assert report.status is Status.FAILED
    paths = {f.message.split(" at ")[1].split(":")[0] for f in report.findings if f.rule == "pact-mismatch"}
    assert paths == {"$.created_at", "$.updated_at"}


@pytest.mark.slow
def test_a_failing_sql_fixture_fails_the_interaction_with_psql_s_message(
    build_run: Callable[[str | None], BuildRun],
) -> None:
    run = build_run(None)
    report = run.run("pact", PactSettings(default_state="package.json"))  # not SQL
    assert report.status is Status.FAILED
    failures = [f.message for f in report.findings if f.rule == "pact-mismatch"]
    assert len(failures) == 1 and "a request to create a user" in failures[0]
    assert "SQL fixture" in failures[0] and "psql exit" in failures[0]
