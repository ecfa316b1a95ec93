"""A real HTTP receiver for webhook tests (see conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    got: list[Received] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)
    delay: float = 0.0
