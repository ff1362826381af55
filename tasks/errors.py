"""The exceptions qeflow raises, one tree under `QeflowError`.

    QeflowError
    ├── ConfigError            a qeflow.toml (or a CLI argument) is wrong; carries every problem
    ├── GitError               a git command failed or a revision does not exist
    ├── EvidenceError          the evidence store is unreadable or a stored run is incomplete
    ├── EnvironmentError_      a local environment (database, service instances) could not start
    │   └── HealthTimeout      an instance did not answer its health check in time
    └── ReportError            a tool report (JUnit, LCOV, Cobertura, ...) is missing or malformed

`GateFailed` lives in `gates` because it is raised by the gate task; it derives from QeflowError
too. Config errors are kept apart from runtime failures: the CLI exits 2 on the first, 1 on a
failed gate.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ConfigError",
    "ConfigProblem",
    "EnvironmentError_",
    "EvidenceError",
    "GitError",
    "HealthTimeout",
    "QeflowError",
    "ReportError",
]


class QeflowError(Exception):
    """Base of every error qeflow raises on purpose."""


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong in a config file: where, what was expected, what was found."""

    file: str
    location: str
    expected: str
    found: str = ""

    def __str__(self) -> str:
        found = f" (found: {self.found})" if self.found else ""
        return f"{self.file}: {self.location}: {self.expected}{found}"


class ConfigError(QeflowError):
    """A configuration file or argument is invalid. Holds every problem found, not just the first."""

    def __init__(self, problems: list[ConfigProblem] | ConfigProblem) -> None:
        self.problems = problems if isinstance(problems, list) else [problems]
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} configuration problem(s):\n{lines}")


class GitError(QeflowError):
    """A git command failed; the message carries git's own stderr."""


class EvidenceError(QeflowError):
    """The evidence store cannot be read or written as expected."""


class EnvironmentError_(QeflowError):
    """A local environment (embedded database, service instances, release) failed to start."""


class HealthTimeout(EnvironmentError_):
    """A service instance did not become healthy within its timeout."""


class ReportError(QeflowError):
    """A tool's report file is missing or malformed; the message names the file."""

    def __init__(self, message: str, *, path: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")
