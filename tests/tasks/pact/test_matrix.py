"""The verification matrix: "is provider version X verified against every consumer?" from the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tasks.evidence import EvidenceStore
from tasks.pact import MatrixEntry, format_matrix, load_entries, matrix_table

V1 = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
V2 = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
V3 = "3333333ccccccccccccccccccccccccccccccccc"


def entry(
    consumer: str, provider_version: str, *, result: str = "verified", cv: str = "c1", at: str, run: str
) -> MatrixEntry:
    return MatrixEntry(
        consumer=consumer,
        consumer_version=cv,
        consumer_version_source="git",
        provider="users-service",
        provider_version=provider_version,
        result=result,
        interactions=3,
        verified=3 if result == "verified" else 1,
        failed=0 if result == "verified" else 2,
        pact=f"pacts/{consumer}-users-service.json",
        verified_at=at,
        run_id=run,
    )


def record(store: EvidenceStore, run_id: str, *entries: MatrixEntry, phase: str = "build") -> None:
    store.fs.makedirs(store.join(run_id, phase, "pact"), exist_ok=True)
    with store.fs.open(store.join(run_id, phase, "pact", "matrix.json"), "w") as handle:
        handle.write(json.dumps({"entries": [e.to_json() for e in entries]}))


@pytest.fixture
def store(tmp_path: Path) -> EvidenceStore:
    store = EvidenceStore(tmp_path / "runs")
    # run a: V1 verified against orders and billing
    record(
        store,
        "20261201T100000Z-1111111-aaaaaa",
        entry("orders-service", V1, at="2026-12-01T10:00:00+00:00", run="a"),
        entry("billing", V1, at="2026-12-01T10:00:01+00:00", run="a"),
    )
    # run b: V2 verified against orders, failed against billing
    record(
        store,
        "20261202T100000Z-2222222-bbbbbb",
        entry("orders-service", V2, at="2026-12-02T10:00:00+00:00", run="b"),
        entry("billing", V2, result="failed", at="2026-12-02T10:00:01+00:00", run="b"),
    )
    return store


def test_a_version_verified_against_every_consumer(store: EvidenceStore) -> None:
    table = matrix_table(store, "users-service", V1)
    assert table.verified is True
    assert [v.consumer for v in table.verdicts] == ["billing", "orders-service"]
    assert all(v.reason == "verified" for v in table.verdicts)


def test_a_version_that_failed_one_consumer_is_not_verified(store: EvidenceStore) -> None:
    table = matrix_table(store, "users-service", V2)
    assert table.verified is False
    assert {v.consumer: v.reason for v in table.verdicts} == {"billing": "failed", "orders-service": "verified"}


def test_a_version_never_verified_is_not_verified(store: EvidenceStore) -> None:
    table = matrix_table(store, "users-service", V3)
    assert table.verified is False
    assert table.rows == []
    assert all(v.reason == "never verified" for v in table.verdicts)


def test_a_short_sha_finds_the_version(store: EvidenceStore) -> None:
    assert matrix_table(store, "users-service", V1[:7]).verified is True
    assert matrix_table(store, "users-service", V1[:4]).rows == []  # too short to be a prefix


def test_a_consumer_with_a_newer_pact_needs_a_new_verification(store: EvidenceStore) -> None:
    record(
        store,
        "20261203T100000Z-2222222-cccccc",
        entry("orders-service", V2, cv="c2", at="2026-12-03T10:00:00+00:00", run="c"),
    )
    table = matrix_table(store, "users-service", V1)
    assert table.verified is False  # V1 only knows orders-service's pact c1; c2 is current
    (verdict,) = table.verdicts  # billing has no pact in the newest run any more
    assert verdict.reason == "verified against c1, not the current c2"


def test_rows_are_newest_first_and_other_providers_are_left_out(store: EvidenceStore) -> None:
    other = MatrixEntry(
        **{**entry("web", V1, at="2026-12-05T00:00:00+00:00", run="x").to_json(), "provider": "billing"}
    )
    record(store, "20261205T000000Z-1111111-dddddd", other)
    table = matrix_table(store, "users-service")
    assert [(r.run_id, r.consumer) for r in table.rows] == [
        ("b", "billing"),
        ("b", "orders-service"),
        ("a", "billing"),
        ("a", "orders-service"),
    ]
    assert table.verified is None
    assert len(load_entries(store)) == 5


def test_a_broken_matrix_file_is_not_evidence(store: EvidenceStore, tmp_path: Path) -> None:
    broken = tmp_path / "runs" / "20261204T000000Z-9999999-eeeeee" / "build" / "pact"
    broken.mkdir(parents=True)
    (broken / "matrix.json").write_text("{half", encoding="utf-8")
    assert len(load_entries(store, "users-service")) == 4


def test_the_store_may_be_an_fsspec_url() -> None:
    store = EvidenceStore("memory://qeflow-matrix-test/runs")
    record(
        store, "20261201T100000Z-1111111-aaaaaa", entry("orders-service", V1, at="2026-12-01T10:00:00+00:00", run="a")
    )
    assert matrix_table(store, "users-service", V1).verified is True


def test_format_matrix_shows_rows_and_the_answer(store: EvidenceStore) -> None:
    text = format_matrix(matrix_table(store, "users-service", V2[:10]))
    assert "CONSUMER" in text and "PROVIDER VERSION" in text
    assert "billing 'c1': failed" not in text  # plain words, no reprs
    assert "  billing c1: failed" in text
    assert text.endswith(f"users-service {V2[:10]} verified against every consumer: no")
