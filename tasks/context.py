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
from tasks.workspace import Workspace

if TYPE_CHECKING:
    from tasks.environment import Environments
    from tasks.report import AgentReport

__all__ = ["AgentContext"]


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
    memory: dict[str, list[AgentReport]] = field(default_factory=dict)
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("qeflow.agent"))

    @property
    def evidence_dir(self) -> Path:
        return self.run.agent_dir(self.phase, self.agent)

    def evidence_path(self, name: str) -> Path:
        return self.evidence_dir / name

    def rel(self, path: Path) -> str:
        return self.run.relative(path)

    def typed_settings(self, model: type[AgentSettings]) -> AgentSettings:
        return self.settings if isinstance(self.settings, model) else model()
