"""Prefect flows: `pipeline` (phases in order, rollback policy) and one subflow per phase."""

__all__: list[str] = []
