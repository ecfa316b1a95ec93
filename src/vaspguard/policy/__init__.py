"""The policy capability (see its issue)."""

__all__: list[str] = []
