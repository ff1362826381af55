"""The `integration-tests` agent of the build phase."""

from tasks.integration_tests.agent import SPEC, IntegrationTestsSettings, integration_tests

__all__ = ["SPEC", "IntegrationTestsSettings", "integration_tests"]
