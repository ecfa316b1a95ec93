"""CSV records with the file line each starts on (what an editor shows; a quoted field may span lines), for
every reader of exchange files: a malformed record or a byte that is not UTF-8 is an ``InvalidRow`` naming
that line."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from vaspguard.errors import InvalidRow

if TYPE_CHECKING:
    from _csv import Reader


def records(path: Path | str, reader: Reader) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, values) for each non-empty record after what ``reader`` has read."""
    line = reader.line_num
    while True:
        start = line + 1  # the record starts on the line after the previous one ended
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidRow(path, start, "(row)", f"malformed CSV: {exc}") from None
        except UnicodeDecodeError as exc:
            raise InvalidRow(path, start, "(row)", f"not UTF-8: {exc.reason}") from None
        line = reader.line_num
        if values:
            yield start, values
