"""OpenSanctions FollowTheMoney exports: ``entities.ftm.json`` (one entity per line) and its delta.

Only *things* that can be listed become entities (Person, Organization, Company, LegalEntity, PublicBody,
Vessel, Airplane, CryptoWallet); ``Address`` entities are folded into the things that refer to them
(``addressEntity``). ``name`` values are names (the ``caption`` first, as primary), ``alias`` and
``previousName`` are a.k.a./f.k.a., ``weakAlias`` weak. ``birthDate`` uses prefix precision (``1970``,
``1970-05``, ``1970-05-01``). Countries are lower-case ISO codes. The delta format holds
``{"op": "ADD"|"MOD"|"DEL", "entity": {...}}`` lines applied to the previous snapshot.

OpenSanctions data is CC BY-NC 4.0: reading it is supported as a second source, never required.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vaspguard.errors import InvalidFile, InvalidRow
from vaspguard.lists._countries import country_code
from vaspguard.lists._crypto import chain_for, looks_whole
from vaspguard.lists._dates import birth_date, parse_day, parse_timestamp
from vaspguard.lists._model import (
    CryptoAddress,
    Document,
    EntityKind,
    Link,
    ListEntity,
    ListName,
    NameKind,
    ParsedList,
    PostalAddress,
    Source,
)
from vaspguard.lists._text import script_of

_KINDS = {
    "Person": EntityKind.PERSON,
    "Organization": EntityKind.ORGANISATION,
    "Company": EntityKind.ORGANISATION,
    "LegalEntity": EntityKind.ORGANISATION,
    "PublicBody": EntityKind.ORGANISATION,
    "Vessel": EntityKind.VESSEL,
    "Airplane": EntityKind.AIRCRAFT,
    "CryptoWallet": EntityKind.WALLET,
}
_DOCS = {
    "passportNumber": "passport",
    "idNumber": "national_id",
    "taxNumber": "tax_id",
    "innCode": "tax_id",
    "vatCode": "tax_id",
    "registrationNumber": "registration",
    "ogrnCode": "registration",
    "leiCode": "lei",
    "swiftBic": "swift_bic",
    "imoNumber": "imo",
}


def _lines(path: Path, data: bytes) -> Iterator[tuple[int, dict[str, Any]]]:
    try:
        textdata = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidFile(path, f"not UTF-8: {exc}") from None
    for number, line in enumerate(textdata.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InvalidRow(
                path, number, "*", f"not JSON ({exc.msg}): truncated or malformed line"
            ) from None
        if not isinstance(obj, dict):
            raise InvalidRow(path, number, "*", "not a JSON object")
        yield number, obj


def read_ftm(path: Path, data: bytes, *, delta: bool) -> ParsedList:
    raw: list[tuple[int, dict[str, Any]]] = []
    removed: list[str] = []
    for number, obj in _lines(path, data):
        if delta:
            op = obj.get("op")
            entity = obj.get("entity")
            if op not in ("ADD", "MOD", "DEL") or not isinstance(entity, dict) or not entity.get("id"):
                raise InvalidRow(path, number, "op", f"{op!r} is not an ADD/MOD/DEL operation on an entity")
            if op == "DEL":
                removed.append(str(entity["id"]))
                continue
            obj = entity
        if not obj.get("id") or not obj.get("schema"):
            raise InvalidRow(path, number, "id", "FtM entity without id or schema")
        raw.append((number, obj))
    addresses: dict[str, dict[str, Any]] = {}
    for _, o in raw:
        if o.get("schema") == "Address":
            for ref in (o["id"], *(o.get("referents") or ())):
                addresses[str(ref)] = o
    entities: list[ListEntity] = []
    last_change = None
    for number, obj in raw:
        stamp = parse_timestamp(obj.get("last_change") or obj.get("last_seen"))
        if stamp is not None and (last_change is None or stamp > last_change):
            last_change = stamp
        if obj["schema"] not in _KINDS:
            continue
        entities.append(_entity(obj, addresses, path, number))
    return ParsedList(
        source=Source.OPENSANCTIONS,
        format="ftm_delta" if delta else "ftm_json",
        published_at=last_change,
        entities=entities,
        is_delta=delta,
        removed=tuple(removed),
    )


# The FtM name properties after the caption, in the order their names are taken, and the kind each gives.
_NAME_PROPS = (
    ("name", NameKind.AKA),
    ("alias", NameKind.AKA),
    ("previousName", NameKind.FKA),
    ("weakAlias", NameKind.WEAK),
)


def _entity(obj: dict[str, Any], addresses: dict[str, dict[str, Any]], path: Path, number: int) -> ListEntity:
    props: dict[str, list[str]] = {k: [str(x) for x in v] for k, v in (obj.get("properties") or {}).items()}

    def p(name: str) -> list[str]:
        return props.get(name, [])

    names = _names(obj.get("caption") or (p("name") or [""])[0], props)
    if not names:
        raise InvalidRow(path, number, "name", f"entity {obj['id']} has no name")
    births = [b for raw in p("birthDate") if (b := birth_date(raw)) is not None]
    documents = [Document(kind, v) for prop, kind in _DOCS.items() for v in p(prop)]
    links = [Link(h, "holder") for h in p("holder")]
    extra = {"datasets": ",".join(sorted(obj.get("datasets") or []))}
    for k in ("topics", "position", "title"):
        if p(k):
            extra[k] = "; ".join(p(k))
    gender = (p("gender") or [""])[0].lower()
    created = (p("createdAt") or [""])[0]
    return ListEntity(
        source=Source.OPENSANCTIONS,
        source_id=str(obj["id"]),
        kind=_KINDS[obj["schema"]],
        names=tuple(names),
        birth_dates=tuple(births),
        birth_places=tuple(p("birthPlace")),
        nationalities=tuple(dict.fromkeys(c for x in p("nationality") if (c := country_code(x)))),
        citizenships=tuple(dict.fromkeys(c for x in p("citizenship") if (c := country_code(x)))),
        addresses=_addresses(props, addresses),
        documents=tuple(documents),
        gender=gender if gender in ("male", "female") else None,
        programs=tuple(p("program")),
        listed_on=parse_day(created[:10]) if created else None,
        remarks="; ".join(p("notes")) or None,
        crypto_addresses=_crypto(obj["schema"], props),
        links=tuple(links),
        extra=extra,
    )


def _names(caption: str, props: dict[str, list[str]]) -> list[ListName]:
    """The caption as primary, then the name properties; a name in a non-Latin script is original-script."""
    given = [(caption, NameKind.PRIMARY)]
    given += [(name, kind) for prop, kind in _NAME_PROPS for name in props.get(prop, [])]
    names: list[ListName] = []
    for name, kind in given:
        script = script_of(name)
        nk = kind if script in (None, "Latn") or kind is NameKind.WEAK else NameKind.ORIGINAL_SCRIPT
        if name and all(n.name != name for n in names):
            names.append(ListName(name, nk, script))
    return names


def _addresses(
    props: dict[str, list[str]], addresses: dict[str, dict[str, Any]]
) -> tuple[PostalAddress, ...]:
    """The ``address`` strings, then the ``Address`` entities referenced by ``addressEntity``."""
    addrs = [PostalAddress(a) for a in props.get("address", [])]
    for ref in props.get("addressEntity", []):
        a = addresses.get(ref)
        if a is not None:
            ap = a.get("properties") or {}
            full = (ap.get("full") or [""])[0]
            country = (ap.get("country") or [None])[0]
            if full:
                addrs.append(PostalAddress(full, country_code(country)))
    return tuple(addrs)


def _crypto(schema: str, props: dict[str, list[str]]) -> tuple[CryptoAddress, ...]:
    if schema != "CryptoWallet":
        return ()
    crypto = []
    for key in props.get("publicKey", []):
        tag = (props.get("currency") or [""])[0].upper()
        chain = chain_for(tag, key) if tag else None
        crypto.append(CryptoAddress(key, tag, chain, False, bool(chain) and not looks_whole(key, chain)))
    return tuple(crypto)
