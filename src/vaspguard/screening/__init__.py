"""The screening capability (see its issue)."""

__all__: list[str] = []
