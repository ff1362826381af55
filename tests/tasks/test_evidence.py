from pathlib import Path

import pytest

from tasks.errors import EvidenceError
from tasks.evidence import EvidenceStore, open_run_dir


def test_runs_never_overwrite_each_other(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    a, b = store.create_run("a" * 40), store.create_run("a" * 40)
    assert a.run_id != b.run_id and a.local.is_dir() and b.local.is_dir()
    assert store.run_ids() == sorted([a.run_id, b.run_id])


def test_json_roundtrip_and_reports_newest_first(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    first = store.create_run("1" * 40)
    first.write_json("report.json", {"n": 1})
    second = store.create_run("2" * 40)
    second.write_json("report.json", {"n": 2})
    store.create_run("3" * 40)  # still running: no report yet
    assert [r["n"] for _, r in store.reports()] == [2, 1]
    assert open_run_dir(second.local).read_json("report.json") == {"n": 2}


def test_missing_or_broken_json_is_an_evidence_error(tmp_path: Path) -> None:
    run = EvidenceStore(tmp_path).create_run("f" * 40)
    with pytest.raises(EvidenceError, match="missing"):
        run.read_json("gate.json")
    run.path("bad.json").write_text("{", encoding="utf-8")
    with pytest.raises(EvidenceError, match="not valid JSON"):
        run.read_json("bad.json")


def test_fsspec_store_publishes_the_local_copy() -> None:
    store = EvidenceStore("memory://qeflow-test/runs")
    run = store.create_run("c" * 40)
    run.write_json("commit/unit-tests/report.json", {"ok": True})
    run.write_json("report.json", {"run": run.run_id})
    run.publish()
    assert store.fs.exists(store.join(run.run_id, "commit", "unit-tests", "report.json"))
    assert [rid for rid, _ in store.reports()] == [run.run_id]
    reopened = store.open_run(run.run_id)
    assert reopened.read_json("commit/unit-tests/report.json") == {"ok": True}
