"""The scheduled worker (see _jobs.py)."""

__all__: list[str] = []
