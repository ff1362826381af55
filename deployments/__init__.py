"""How runs start: the `qeflow` CLI (served mode, Prefect deployments and the webhook receiver come next)."""

__all__: list[str] = []
