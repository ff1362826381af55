"""Tasks: the agents (Prefect tasks) and the engines they stand on.

The built-in agents are listed here explicitly, in one registry: nothing registers itself on
import. Each agent's name is its registry key, its gate namespace and its config table.

Where to put a new agent: a module or subpackage of tasks/ exposing `SPEC = AgentSpec(...)`,
added to `AGENTS` below, with its default gate conditions in gates/defaults.py.
"""

from tasks.api_tests import SPEC as API_TESTS
from tasks.contract_check import SPEC as CONTRACT_CHECK
from tasks.coverage import SPEC as COVERAGE
from tasks.integration_tests import SPEC as INTEGRATION_TESTS
from tasks.pact import SPEC as PACT
from tasks.registry import AgentSpec, Registry
from tasks.static_analysis import SPEC as STATIC_ANALYSIS
from tasks.test_data import SPEC as TEST_DATA
from tasks.unit_tests import SPEC as UNIT_TESTS

__all__ = ["AGENTS", "AgentSpec", "Registry"]

# Within a phase that runs one agent after another (build), this order is the order they run in.
AGENTS = Registry(
    [
        # commit (concurrent)
        UNIT_TESTS,
        CONTRACT_CHECK,
        STATIC_ANALYSIS,
        API_TESTS,
        # build (one after another, each reading what the earlier ones stored)
        INTEGRATION_TESTS,
        COVERAGE,
        PACT,
        TEST_DATA,
    ]
)
