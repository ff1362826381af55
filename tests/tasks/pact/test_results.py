"""Reading the verifier's JSON into outcomes and mismatches.

RESULTS is pact_ffi 0.5.12's `verifier_json` for the orders-service pact against the
pact-field-renamed provider with no fixture for "no user 42" (trimmed to the fields read here).
"""

from __future__ import annotations

from tasks.pact import outcomes

NAME_MISSING = {
    "type": "mismatches",
    "mismatches": [
        {
            "type": "BodyMismatch",
            "path": "$",
            "mismatch": "Actual map is missing the following keys: name",
            "expected": '["created_at","email","id","name","role","updated_at"]',
            "actual": '["created_at","email","full_name","id","role","updated_at"]',
        }
    ],
}
RESULTS = {
    "result": False,
    "interactionResults": [
        {
            "consumer": "orders-service",
            "description": "a request for user 1",
            "providerStates": ["user 1 exists"],
            "pending": False,
            "result": "Error",
            "duration": "62ms",
            "mismatch": NAME_MISSING,
        },
        {
            "consumer": "orders-service",
            "description": "a request for user 42, which does not exist",
            "providerStates": ["no user 42"],
            "pending": False,
            "result": "Error",
            "mismatch": {"type": "error", "message": "One or more of the setup state change handlers has failed"},
        },
        {
            "consumer": "orders-service",
            "description": "a request to create a user",
            "providerStates": [],
            "pending": False,
            "result": "OK",
        },
    ],
}
EXPECTED = [
    ("a request for user 1", ["user 1 exists"]),
    ("a request for user 42, which does not exist", ["no user 42"]),
    ("a request to create a user", []),
]
STATE_CALLS = [
    {"state": "user 1 exists", "action": "setup", "ok": True, "message": ""},
    {"state": "no user 42", "action": "setup", "ok": False, "message": "provider state 'no user 42' has no fixture"},
]


def test_each_interaction_gets_an_outcome_with_its_mismatches() -> None:
    found = outcomes(RESULTS, consumer="orders-service", expected=EXPECTED, state_calls=STATE_CALLS)
    assert [o.ok for o in found] == [False, False, True]
    body = found[0].mismatches[0]
    assert (body.kind, body.path) == ("BodyMismatch", "$")
    assert "name" in body.expected and "full_name" in body.actual
    assert body.describe().startswith("BodyMismatch at $: Actual map is missing the following keys: name (expected [")


def test_a_failed_state_change_says_which_state_and_why() -> None:
    found = outcomes(RESULTS, consumer="orders-service", expected=EXPECTED, state_calls=STATE_CALLS)
    (error,) = found[1].mismatches
    assert error.kind == "error"
    assert error.message == (
        "One or more of the setup state change handlers has failed — "
        "'no user 42': provider state 'no user 42' has no fixture"
    )


def test_an_interaction_without_a_result_counts_as_failed() -> None:
    partial = {"interactionResults": RESULTS["interactionResults"][:1]}
    found = outcomes(partial, consumer="orders-service", expected=EXPECTED)
    assert [(o.description, o.ok, o.reported) for o in found[1:]] == [
        ("a request for user 42, which does not exist", False, False),
        ("a request to create a user", False, False),
    ]
    assert "no result" in found[2].mismatches[0].message


def test_pending_interactions_are_marked() -> None:
    pending = {"interactionResults": [{**RESULTS["interactionResults"][0], "pending": True}]}
    (outcome, *_) = outcomes(pending, consumer="orders-service", expected=EXPECTED[:1])
    assert outcome.pending and not outcome.ok


def test_long_values_are_shortened() -> None:
    long = {
        "interactionResults": [
            {
                **RESULTS["interactionResults"][0],
                "mismatch": {"type": "mismatches", "mismatches": [{"type": "BodyMismatch", "actual": "x" * 5000}]},
            }
        ]
    }
    (outcome,) = outcomes(long, consumer="c", expected=EXPECTED[:1])
    assert len(outcome.mismatches[0].actual) == 400
