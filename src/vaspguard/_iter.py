"""Iteration helpers shared by the packages."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], n: int) -> Iterator[list[T]]:
    """``items`` in lists of ``n`` (the last shorter), lazily: ``itertools.batched`` of Python 3.12."""
    it = iter(items)
    while step := list(itertools.islice(it, n)):
        yield step
