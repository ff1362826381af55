"""What the pipeline shares with its phase subflows for one run."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from tasks.config import Config
from tasks.context import Memory
from tasks.environment import Environments
from tasks.evidence import RunDir
from tasks.git import GitContext
from tasks.registry import Registry
from tasks.workspace import Workspace

__all__ = ["RunContext", "progress"]

# The CLI prints this logger's records as live progress; Prefect's run logger feeds the UI.
progress = logging.getLogger("qeflow.progress")


@dataclass
class RunContext:
    config: Config
    registry: Registry
    git: GitContext
    run: RunDir
    workspace: Workspace
    environments: Environments
    memory: Memory = field(default_factory=dict)
    reused: dict[str, str] = field(default_factory=dict)  # phase -> run id whose evidence was reused
