from gates.conditions import parse_condition
from gates.errors import GateFailed
from gates.verdict import evaluate_gate
from tasks.report import Status


def _conds(*texts: str):
    return [parse_condition(t) for t in texts]


def test_gate_passes_when_every_condition_holds(make_report) -> None:
    verdict = evaluate_gate(
        "commit", _conds("unit-tests.cov > 80", "unit-tests.failed == 0"), [make_report(cov=91.0, failed=0.0)]
    )
    assert verdict.passed
    assert [c.outcome for c in verdict.conditions] == ["passed", "passed"]


def test_gate_lists_every_failed_condition_with_measured_and_threshold(make_report) -> None:
    verdict = evaluate_gate(
        "commit", _conds("unit-tests.cov > 80", "unit-tests.failed == 0"), [make_report(cov=42.5, failed=2.0)]
    )
    assert not verdict.passed
    messages = [c.message() for c in verdict.failed_conditions]
    assert messages == ["unit-tests.cov > 80 — actual: 42.5", "unit-tests.failed == 0 — actual: 2"]
    assert "2 condition(s)" in str(GateFailed(verdict))


def test_missing_metric_fails_the_gate(make_report) -> None:
    verdict = evaluate_gate("commit", _conds("unit-tests.cov > 80"), [make_report(failed=0.0)])
    assert not verdict.passed
    assert verdict.conditions[0].reason == "metric missing from the agent's report"


def test_missing_agent_report_fails_the_gate() -> None:
    verdict = evaluate_gate("commit", _conds("unit-tests.cov > 80"), [])
    assert not verdict.passed
    assert "no report" in verdict.conditions[0].reason


def test_agent_in_error_fails_the_gate_even_without_conditions(make_report) -> None:
    verdict = evaluate_gate("commit", [], [make_report(agent="lint", status=Status.ERROR)])
    assert not verdict.passed
    assert verdict.conditions[0].expression == "lint ran without error"


def test_disabled_agent_conditions_are_shown_as_skipped(make_report) -> None:
    verdict = evaluate_gate("commit", _conds("unit-tests.cov > 80"), [make_report(status=Status.SKIPPED)])
    assert verdict.passed
    assert verdict.conditions[0].outcome == "skipped"


def test_relative_condition_against_baseline(make_report) -> None:
    conds = _conds("load.p95_ms <= +5%")
    ok = evaluate_gate("integration", conds, [make_report(agent="load", p95_ms=104.0)], {"load": {"p95_ms": 100.0}})
    bad = evaluate_gate("integration", conds, [make_report(agent="load", p95_ms=106.0)], {"load": {"p95_ms": 100.0}})
    assert ok.passed and not bad.passed
    assert bad.conditions[0].threshold == 105.0 and bad.conditions[0].baseline == 100.0
    assert "from baseline 100" in bad.conditions[0].message()


def test_relative_condition_without_baseline_passes_and_says_so(make_report) -> None:
    verdict = evaluate_gate("integration", _conds("load.p95_ms <= +5%"), [make_report(agent="load", p95_ms=5.0)])
    assert verdict.passed
    assert "no baseline yet" in verdict.conditions[0].reason
