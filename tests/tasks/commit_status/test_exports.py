from __future__ import annotations

import tasks.commit_status as package
from tasks.commit_status import client, reporter, settings


def test_every_exported_name_exists() -> None:
    for module in (package, client, reporter, settings):
        assert [name for name in module.__all__ if not hasattr(module, name)] == []


def test_the_package_reexports_every_public_name() -> None:
    public = set(client.__all__) | set(reporter.__all__) | set(settings.__all__)
    assert public == set(package.__all__)
