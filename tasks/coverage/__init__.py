"""The `coverage` agent (build phase): unit and integration coverage merged line by line.

    branches.py  branch counts per line from LCOV BRDA / Cobertura condition-coverage
    merge.py     CoverageInput -> MergedCoverage: union of lines, per-file detail, LCOV out
    agent.py     CoverageSettings, the agent function and its SPEC

Line data and paths come from the shared parser in `tasks.unit_tests.coverage`, changed-lines
coverage from `tasks.unit_tests.diffcov`; nothing here parses line records again.
"""

from tasks.coverage.agent import METRICS, SPEC, CoverageSettings, MissingInput, coverage, find_report, read_input
from tasks.coverage.branches import BranchLines, branch_totals, match_paths, merge_branch_lines, read_branch_lines
from tasks.coverage.merge import CoverageInput, FileCoverage, MergedCoverage, merge_coverage

__all__ = [
    "METRICS",
    "SPEC",
    "BranchLines",
    "CoverageInput",
    "CoverageSettings",
    "FileCoverage",
    "MergedCoverage",
    "MissingInput",
    "branch_totals",
    "coverage",
    "find_report",
    "match_paths",
    "merge_branch_lines",
    "merge_coverage",
    "read_branch_lines",
    "read_input",
]
