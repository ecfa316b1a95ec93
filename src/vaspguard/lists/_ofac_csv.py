"""OFAC legacy delimited files: ``sdn.csv`` (or the non-SDN ``cons_prim.csv``) with its companions.

The set is one primary file and up to three companions from the same download::

    sdn.csv          ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT,
                     Vess_flag, Vess_owner, Remarks
    add.csv          ent_num, add_num, address, city/state/postal, country, add_remarks
    alt.csv          ent_num, alt_num, alt_type (aka|fka|nka), alt_name, alt_remarks
    sdn_comments.csv ent_num, continuation of Remarks

No header; ``-0-`` (sometimes ``-0- ``) is null; CRLF line ends; the publisher ends each file with a 0x1A
byte. Remarks longer than 1,000 characters are cut there and continue in ``sdn_comments.csv``; the reader
joins them back. Without the comments file, a cut Remarks' last item is treated as a possible fragment.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from vaspguard.errors import InvalidFile, InvalidRow
from vaspguard.lists._countries import country_code
from vaspguard.lists._model import EntityKind, ListEntity, ListName, NameKind, PostalAddress, Source
from vaspguard.lists._ofac_remarks import parse_remarks

REMARKS_WIDTH = 1000  # the legacy CSV's Remarks column width; longer remarks spill into the comments file
_KINDS = {
    "individual": EntityKind.PERSON,
    "vessel": EntityKind.VESSEL,
    "aircraft": EntityKind.AIRCRAFT,
    "": EntityKind.ORGANISATION,
}
_ALT_KINDS = {"aka": NameKind.AKA, "fka": NameKind.FKA, "nka": NameKind.NKA}
_VESSEL_FIELDS = ("call_sign", "vessel_type", "tonnage", "grt", "vessel_flag", "vessel_owner")

COMPANIONS = {
    "sdn": ("add.csv", "alt.csv", "sdn_comments.csv"),
    "cons": ("cons_add.csv", "cons_alt.csv", "cons_comments.csv"),
}
COMPANION_NAMES = frozenset(n for names in COMPANIONS.values() for n in names)


def null(value: str) -> str:
    v = value.strip()
    return "" if v == "-0-" else v


def decode(data: bytes, path: Path) -> tuple[str, bool]:
    """The text of a legacy file and whether it ended with the publisher's 0x1A end-of-file byte."""
    if b"\x00" in data:
        raise InvalidFile(path, "binary data (NUL bytes) in an OFAC CSV file")
    text = data.decode("latin-1")  # OFAC writes Latin-1/ASCII; every byte sequence decodes
    stripped = text.rstrip("\r\n")
    has_eof = stripped.endswith("\x1a")
    return stripped.rstrip("\x1a"), has_eof


def rows(text: str, path: Path, width: int) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each record; every record must have ``width`` fields."""
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        for fields in reader:
            if not fields or fields == [""]:
                continue
            if len(fields) != width:
                raise InvalidRow(
                    path,
                    reader.line_num,
                    "*",
                    f"{len(fields)} fields where this file has {width} (truncated or not this format)",
                )
            yield reader.line_num, fields
    except csv.Error as exc:
        raise InvalidRow(path, reader.line_num, "*", f"malformed CSV: {exc}") from None


def ent_num(value: str, path: Path, line: int) -> str:
    v = value.strip()
    if not v.isdigit():
        raise InvalidRow(path, line, "ent_num", f"{v[:40]!r} is not an entity number")
    return v


def companions_of(primary: Path) -> dict[str, Path]:
    """The companion files next to ``primary`` (matched case-insensitively), by role: add, alt, comments."""
    family = "cons" if primary.name.lower().startswith("cons_") else "sdn"
    wanted = dict(zip(("add", "alt", "comments"), COMPANIONS[family], strict=True))
    present = {p.name.lower(): p for p in primary.parent.iterdir() if p.is_file()}
    return {role: present[name] for role, name in wanted.items() if name in present}


def read_ofac_csv(
    primary: Path,
    data: bytes,
    companions: dict[str, tuple[Path, bytes]],
    *,
    source: Source,
) -> tuple[list[ListEntity], list[str]]:
    """Entities of one legacy set; returns (entities, warnings)."""
    warnings: list[str] = []
    text, has_eof = decode(data, primary)
    if not has_eof:
        warnings.append(
            f"{primary.name}: no 0x1A end-of-file byte (the publisher writes one): may be incomplete"
        )

    comments = _comments(companions)
    addresses = _addresses(companions)
    aliases = _aliases(companions)
    entities: list[ListEntity] = []
    seen: set[str] = set()
    for line, f in rows(text, primary, 12):
        num = ent_num(f[0], primary, line)
        if num in seen:
            raise InvalidRow(primary, line, "ent_num", f"entity {num} appears twice")
        seen.add(num)
        overflow = comments.pop(num, "")
        entities.append(
            _entity(primary, line, f, source, overflow, aliases.pop(num, []), addresses.pop(num, []))
        )
    entities = resolve_links(entities)
    for label, orphans in (("comments", comments), ("addresses", addresses), ("aliases", aliases)):
        if orphans:
            warnings.append(
                f"{len(orphans)} {label} rows name entities not in {primary.name} (not the same download?)"
            )
    return entities, warnings


def _comments(companions: dict[str, tuple[Path, bytes]]) -> dict[str, str]:
    """The Remarks continuations of ``sdn_comments.csv``, joined per entity."""
    comments: dict[str, str] = defaultdict(str)
    if "comments" in companions:
        cpath, cdata = companions["comments"]
        ctext, _ = decode(cdata, cpath)
        for line, f in rows(ctext, cpath, 2):
            comments[ent_num(f[0], cpath, line)] += f[1]
    return comments


def _addresses(companions: dict[str, tuple[Path, bytes]]) -> dict[str, list[PostalAddress]]:
    addresses: dict[str, list[PostalAddress]] = defaultdict(list)
    if "add" in companions:
        apath, adata = companions["add"]
        atext, _ = decode(adata, apath)
        for line, f in rows(atext, apath, 6):
            parts = [null(x) for x in (f[2], f[3], f[4])]
            label = ", ".join(p for p in parts if p)
            remark = null(f[5])
            if remark:
                label = f"{label} ({remark})" if label else remark
            if label:
                addresses[ent_num(f[0], apath, line)].append(PostalAddress(label, country_code(null(f[4]))))
    return addresses


def _aliases(companions: dict[str, tuple[Path, bytes]]) -> dict[str, list[ListName]]:
    aliases: dict[str, list[ListName]] = defaultdict(list)
    if "alt" in companions:
        lpath, ldata = companions["alt"]
        ltext, _ = decode(ldata, lpath)
        for line, f in rows(ltext, lpath, 5):
            kind = _ALT_KINDS.get(null(f[2]).lower())
            if kind is None:
                raise InvalidRow(lpath, line, "alt_type", f"{f[2]!r} is not aka, fka or nka")
            name = null(f[3])
            if name:
                aliases[ent_num(f[0], lpath, line)].append(ListName(name, kind))
    return aliases


def _entity(
    primary: Path,
    line: int,
    f: list[str],
    source: Source,
    overflow: str,
    aliases: list[ListName],
    addresses: list[PostalAddress],
) -> ListEntity:
    """One row of the primary file with its companion rows, its Remarks joined with their ``overflow``
    from the comments file and parsed. Names: the primary, the ``alt.csv`` aliases, then those of the remarks.
    """
    name = null(f[1])
    if not name:
        raise InvalidRow(primary, line, "SDN_Name", "empty name")
    kind_text = null(f[2]).lower()
    if kind_text not in _KINDS:
        raise InvalidRow(primary, line, "SDN_Type", f"{f[2]!r} is not individual, vessel, aircraft or -0-")
    remarks = null(f[11])
    # Cut: the field is full and no overflow joined it (or no comments file was given at all).
    cut = not overflow and len(remarks) >= REMARKS_WIDTH
    full = remarks + overflow
    parsed = parse_remarks(full, cut=cut) if full else None
    programs = tuple(p.strip() for p in null(f[3]).strip("[] ").split("] [") if p.strip())
    extra = {k: null(v) for k, v in zip(_VESSEL_FIELDS, f[5:11], strict=True) if null(v)}
    if null(f[4]):
        extra["title"] = null(f[4])
    if cut:
        extra["remarks_cut"] = "true"
    names = [ListName(name, NameKind.PRIMARY), *aliases]
    if parsed is not None:
        names.extend(n for n in parsed.names if n not in names)
    return ListEntity(
        source=source,
        source_id=f[0].strip(),  # the caller checked it with ent_num
        kind=_KINDS[kind_text],
        names=tuple(names),
        birth_dates=tuple(parsed.birth_dates) if parsed else (),
        birth_places=tuple(parsed.birth_places) if parsed else (),
        nationalities=tuple(parsed.nationalities) if parsed else (),
        citizenships=tuple(parsed.citizenships) if parsed else (),
        addresses=tuple(addresses),
        documents=tuple(parsed.documents) if parsed else (),
        gender=parsed.gender if parsed else None,
        programs=programs,
        remarks=("; ".join(parsed.rest) or None) if parsed else None,
        crypto_addresses=tuple(parsed.crypto) if parsed else (),
        links=tuple(parsed.links) if parsed else (),
        extra=extra,
    )


def resolve_links(entities: list[ListEntity]) -> list[ListEntity]:
    """Fill in the target id of "Linked To: NAME" where exactly one entity of the list has that primary
    name; an ambiguous or unknown name stays a name only, never a guessed id."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for e in entities:
        by_name[e.primary_name.casefold()].append(e.source_id)
    out = []
    for e in entities:
        if any(not lk.target_source_id for lk in e.links):
            links = []
            for lk in e.links:
                ids = by_name.get((lk.target_name or "").casefold(), [])
                links.append(
                    replace(lk, target_source_id=ids[0]) if len(ids) == 1 and not lk.target_source_id else lk
                )
            e = replace(e, links=tuple(links))
        out.append(e)
    return out
