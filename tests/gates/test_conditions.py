import pytest

from gates.conditions import ConditionSyntaxError, parse_condition

INVALID_CONDITIONS = [
    "unit-tests.coverage",  # no operator
    "unit-tests.coverage >> 80",  # unknown operator
    "coverage > 80",  # no agent namespace
    "unit-tests.coverage > eighty",  # not a number
    "unit-tests.coverage > 80; import os",  # trailing junk
    "Unit-Tests.coverage > 80",  # agent names are lowercase
]


@pytest.mark.parametrize("text", INVALID_CONDITIONS)
def test_condition_syntax_errors_show_the_expected_form(text: str) -> None:
    with pytest.raises(ConditionSyntaxError, match=r"expected 'agent\.metric OP value'"):
        parse_condition(text)


def test_absolute_condition() -> None:
    c = parse_condition("unit-tests.changed_lines_coverage > 80")
    assert (c.agent, c.metric, c.op, c.value, c.is_relative) == (
        "unit-tests",
        "changed_lines_coverage",
        ">",
        80.0,
        False,
    )
    assert c.holds(80.1, c.threshold(None))
    assert not c.holds(80.0, c.threshold(None))


@pytest.mark.parametrize(
    ("text", "baseline", "threshold"),
    [("load.p95_ms <= +5%", 100.0, 105.0), ("load.rps >= -10%", 200.0, 180.0), ("canary.errors <= baseline", 3.0, 3.0)],
)
def test_relative_conditions_scale_the_baseline(text: str, baseline: float, threshold: float) -> None:
    c = parse_condition(text)
    assert c.is_relative
    assert c.threshold(baseline) == pytest.approx(threshold)
    assert c.threshold(None) is None


def test_nan_never_holds() -> None:
    c = parse_condition("x.y < 5")
    assert not c.holds(float("nan"), 5)


def test_expression_is_normalised() -> None:
    assert parse_condition("  a.b>=1  ").expression == "a.b >= 1"
