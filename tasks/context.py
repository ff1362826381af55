"""What an agent is given: `AgentContext`. Agents read their options here, never from env vars."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tasks.config import AgentSettings, Config
from tasks.evidence import RunDir
from tasks.git import GitContext
from tasks.report import AgentReport
from tasks.workspace import Workspace

if TYPE_CHECKING:
    from tasks.environment import Environments

__all__ = ["AgentContext", "Memory", "Recall"]


@dataclass(frozen=True)
class Recall:
    """An earlier agent's report and the run directory its evidence paths are relative to.

    The run is this run, or an earlier run of the same service and head whose evidence a
    single-phase rerun reuses ("sequential with memory coordination", DESIGN.md).
    """

    run: RunDir
    report: AgentReport

    def evidence(self, name: str) -> Path | None:
        """The local path of the first evidence file of that report whose name is `name`."""
        for rel in self.report.evidence:
            if Path(rel).name == name:
                return self.run.local / rel
        return None


Memory = dict[str, Recall]  # agent name -> its latest report in this run (or reused)


@dataclass
class AgentContext:
    run: RunDir
    phase: str
    agent: str
    config: Config
    settings: Any  # the agent's own AgentSettings subclass
    git: GitContext
    workspace: Workspace
    environments: Environments | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    memory: Memory = field(default_factory=dict)
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("qeflow.agent"))

    @property
    def evidence_dir(self) -> Path:
        return self.run.agent_dir(self.phase, self.agent)

    def evidence_path(self, name: str) -> Path:
        return self.evidence_dir / name

    def rel(self, path: Path) -> str:
        return self.run.relative(path)

    def recall(self, agent: str) -> Recall | None:
        """What an earlier agent of this run (or of a reused run) reported, with its evidence."""
        return self.memory.get(agent)

    def typed_settings(self, model: type[AgentSettings]) -> AgentSettings:
        return self.settings if isinstance(self.settings, model) else model()
