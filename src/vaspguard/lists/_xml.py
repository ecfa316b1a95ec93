"""Safe, streaming XML for publisher files.

Parsing goes through ``defusedxml``: a document that declares entities (billion laughs, quadratic blowup)
or refers to external entities is refused at the declaration, before any expansion, so an XML bomb costs
microseconds, not memory. A ``<!DOCTYPE>`` is allowed only without a SYSTEM or PUBLIC identifier: one that
names an external DTD (``<!DOCTYPE x SYSTEM "file:///etc/passwd">``) is refused even though nothing would
fetch it, since no publisher file needs one. Elements are streamed (``iterparse``) and cleared once read, so a
100 MB Enhanced XML file is never held as one tree.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

import defusedxml
from defusedxml.ElementTree import DefusedXMLParser, iterparse

from vaspguard.errors import InvalidFile, InvalidRow
from vaspguard.lists._dates import parse_timestamp
from vaspguard.lists._model import ListEntity


def local(tag: str) -> str:
    """A tag without its ``{namespace}``."""
    return tag.rsplit("}", 1)[-1]


def text(el: Element | None, path: str | None = None) -> str:
    """Stripped text of ``el`` (or of its descendant at ``path``, namespace-agnostic), "" if absent."""
    if el is None:
        return ""
    if path is not None:
        el = child(el, *path.split("/"))
        if el is None:
            return ""
    return (el.text or "").strip()


def child(el: Element, *names: str) -> Element | None:
    cur: Element | None = el
    for name in names:
        if cur is None:
            return None
        cur = next((c for c in cur if local(c.tag) == name), None)
    return cur


def children(el: Element, name: str) -> list[Element]:
    return [c for c in el if local(c.tag) == name]


def all_at(el: Element | None, *path: str) -> list[Element]:
    """Every element at ``path`` below ``el`` (each step may repeat), namespace-agnostic. (Never test an
    ``Element`` for truth: an element without children is false, and Python 3.12 deprecates the test.)"""
    level = [el] if el is not None else []
    for name in path:
        level = [c for p in level for c in children(p, name)]
    return level


def refusal(exc: Exception, path: Path) -> InvalidFile:
    """The one-line reason a document is refused."""
    if isinstance(exc, ParseError):
        line, column = exc.position
        return InvalidFile(path, f"malformed XML at line {line}, column {column}: {exc.msg}")
    if isinstance(exc, defusedxml.EntitiesForbidden):
        return InvalidFile(path, "XML declares entities (possible XML bomb): refused, nothing expanded")
    if isinstance(exc, defusedxml.ExternalReferenceForbidden):
        return InvalidFile(path, "XML refers to an external entity or DTD: refused, nothing fetched")
    if isinstance(exc, defusedxml.DTDForbidden):
        # repr(): an identifier is the file's text and may hold a line break; the reason stays one line.
        ids = " ".join(
            f"{kind} {value!r}" for kind, value in (("PUBLIC", exc.pubid), ("SYSTEM", exc.sysid)) if value
        )
        return InvalidFile(
            path, f"XML DOCTYPE {exc.name!r} names an external DTD ({ids}): refused, nothing read"
        )
    return InvalidFile(path, f"unsafe XML refused: {exc}")


class _Parser(DefusedXMLParser):  # type: ignore[misc]
    """``defusedxml``'s parser, refusing a DOCTYPE that carries a SYSTEM or PUBLIC identifier."""

    def __init__(self) -> None:
        super().__init__(target=TreeBuilder(), forbid_dtd=False, forbid_entities=True, forbid_external=True)
        self.parser.StartDoctypeDeclHandler = self._refuse_external_dtd

    def _refuse_external_dtd(self, name: str, sysid: str | None, pubid: str | None, _internal: bool) -> None:
        if sysid or pubid:
            raise defusedxml.DTDForbidden(name, sysid, pubid)


def _events(data: bytes, events: tuple[str, ...]) -> Iterator[tuple[str, Element]]:
    found: Iterator[tuple[str, Element]] = iterparse(io.BytesIO(data), events=events, parser=_Parser())
    return found


def stream(data: bytes, path: Path, records: frozenset[str]) -> Iterator[tuple[Element, Element]]:
    """Yield ``(root, record)`` for each element whose local name is in ``records``, safely.

    The record is complete when yielded and cleared afterwards; ``root`` carries the root's attributes.
    Malformed or truncated XML and forbidden constructs raise ``InvalidFile`` naming line and column.
    """
    root: Element | None = None
    depth_of_record = 0
    try:
        for event, el in _events(data, ("start", "end")):
            if event == "start":
                if root is None:
                    root = el
                if local(el.tag) in records:
                    depth_of_record += 1
                continue
            if local(el.tag) in records:
                depth_of_record -= 1
                if depth_of_record == 0:
                    assert root is not None
                    yield root, el
                    el.clear()
    except (ParseError, defusedxml.DefusedXmlException) as exc:
        raise refusal(exc, path) from None


def root_of(data: bytes, path: Path) -> Element:
    """Only the root element (with its attributes), read safely from the start of the document."""
    try:
        for _event, el in _events(data, ("start",)):
            found: Element = el
            return found
    except (ParseError, defusedxml.DefusedXmlException) as exc:
        raise refusal(exc, path) from None
    raise InvalidFile(path, "empty XML document")


def read_entities(
    data: bytes,
    path: Path,
    records: frozenset[str],
    entity: Callable[[Element, Path, int], ListEntity],
    *,
    stamp: str,
    id_field: str,
) -> tuple[list[ListEntity], datetime | None]:
    """The ``records`` of a list file as entities in file order (``entity(record, path, row)``) and the
    root's ``stamp`` attribute as the publication time. A source id seen twice is refused, naming the row
    and ``id_field``."""
    entities: list[ListEntity] = []
    published = None
    seen: set[str] = set()
    for root, rec in stream(data, path, records):
        if published is None:
            published = parse_timestamp(root.get(stamp))
        e = entity(rec, path, len(entities) + 1)
        if e.source_id in seen:
            raise InvalidRow(path, len(entities) + 1, id_field, f"{e.source_id} appears twice")
        seen.add(e.source_id)
        entities.append(e)
    return entities, published
