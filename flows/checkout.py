"""The checkout a served run works in: the repository of the event at its sha, packages installed.

Runs started by a webhook or a schedule name a repository (URL or local path) and a sha; nothing
in them may depend on the server's own working copy. The service's qeflow.toml is read from the
checkout, so a change to it is tested with the change. A relative evidence store would live in the
checkout and vanish with it: served runs then keep evidence under QEFLOW_HOME/runs, shared by all
runs of the server, which is what lets a single-phase rerun find the earlier phases of a sha.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from flows.context import progress
from tasks.checkout import Checkout, install_cached, qeflow_home
from tasks.config import CONFIG_FILE, Config
from tasks.errors import ConfigError, ConfigProblem

__all__ = ["checked_out", "inside_repository", "prepare_service"]


def inside_repository(path: str) -> PurePosixPath:
    relative = PurePosixPath(path or ".")
    if relative.is_absolute() or ".." in relative.parts:
        raise ConfigError(
            [ConfigProblem("(parameters)", "path", "a path relative to the repository root, without '..'", path)]
        )
    return relative


@contextmanager
def checked_out(repo: str, path: str, head: str | None) -> Iterator[tuple[Path, str]]:
    """Yield (the qeflow.toml at `path` in a checkout of `repo` at `head`, the sha checked out)."""
    relative = inside_repository(path)
    with Checkout(repo, head) as checkout:
        assert checkout.root is not None and checkout.sha is not None
        local = checkout.root / relative
        toml = local if local.name == CONFIG_FILE else local / CONFIG_FILE
        if not toml.is_file():
            raise ConfigError(
                [ConfigProblem(f"{repo}@{checkout.sha[:10]}", str(relative), f"a {CONFIG_FILE} at this path", "none")]
            )
        progress.info("checked out %s at %s into %s", repo, checkout.sha[:10], checkout.root)
        yield toml, checkout.sha


def prepare_service(config: Config) -> str:
    """Install the service's packages in the checkout; return the evidence store served runs use."""
    done = install_cached(config.service_dir, config.service.dependencies, config.service.name)
    progress.info("packages of %s: %s", config.service.name, done)
    store = config.evidence.store
    if "://" not in store and not Path(store).is_absolute():
        store = str(qeflow_home() / "runs")
    return store
