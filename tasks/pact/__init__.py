"""The `pact` agent (build phase): provider verification against every consumer pact.

    pactfile.py  find and read Pact JSON files; consumer versions (pact metadata or git)
    broker.py    fetch the provider's pacts from a Pact Broker (HAL API), token from the env
    states.py    which SQL fixture or endpoint sets up each provider state
    _worker.py   one verification in a child process: pact-python's Verifier + a state endpoint
    results.py   the verifier's JSON -> InteractionOutcome / Mismatch
    matrix.py    the verification matrix in the evidence store, and the query over it
    agent.py     PactSettings, the agent function and its SPEC

The agent's contracts and where to put a new X: README.md beside this file.
"""

from tasks.pact.agent import METRICS, SPEC, PactSettings, pact
from tasks.pact.broker import BrokerError, BrokerPact, fetch_pacts
from tasks.pact.matrix import (
    MATRIX_FILE,
    ConsumerVerdict,
    MatrixEntry,
    MatrixTable,
    format_matrix,
    load_entries,
    matrix_table,
)
from tasks.pact.pactfile import PactFile, consumer_version_in, find_pacts, git_version, read_pact, state_names
from tasks.pact.results import InteractionOutcome, Mismatch, outcomes
from tasks.pact.states import DEFAULT_FIXTURE, StatePlan, plan_states, state_slug

__all__ = [
    "DEFAULT_FIXTURE",
    "MATRIX_FILE",
    "METRICS",
    "SPEC",
    "BrokerError",
    "BrokerPact",
    "ConsumerVerdict",
    "InteractionOutcome",
    "MatrixEntry",
    "MatrixTable",
    "Mismatch",
    "PactFile",
    "PactSettings",
    "StatePlan",
    "consumer_version_in",
    "fetch_pacts",
    "find_pacts",
    "format_matrix",
    "git_version",
    "load_entries",
    "matrix_table",
    "outcomes",
    "pact",
    "plan_states",
    "read_pact",
    "state_names",
    "state_slug",
]
