"""OFAC's free-text ``Remarks`` (legacy CSV/XML) parsed into structured fields.

OFAC writes DOB, POB, nationality, citizenship, gender, identity documents, weak a.k.a.s, "Linked To:" and
digital currency addresses only into Remarks, as ``; ``-separated items, ``alt.`` marking a further value::

    DOB 1984; POB Niger; nationality Niger; Gender Male; a.k.a. 'ILLIASSOU, Djibbo'; Passport A1 (Niger).

Items that are none of these stay in ``remarks`` as published. When Remarks were cut (the legacy CSV
field holds 1,000 characters; the rest is in ``sdn_comments.csv``) and the overflow is not available, the
last item may be a fragment: a digital currency address there is flagged ``possibly_truncated``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from vaspguard.lists._countries import country_code
from vaspguard.lists._crypto import chain_for, looks_whole
from vaspguard.lists._dates import birth_date
from vaspguard.lists._model import BirthDate, CryptoAddress, Document, Link, ListName, NameKind

# Document labels as OFAC writes them -> our document type.
DOC_TYPES = {
    "Passport": "passport",
    "Diplomatic Passport": "passport",
    "National ID No.": "national_id",
    "Personal ID Card": "national_id",
    "Identification Number": "national_id",
    "Cedula No.": "national_id",
    "D.N.I.": "national_id",
    "C.U.R.P.": "national_id",
    "Kenyan ID No.": "national_id",
    "Electoral Registry No.": "national_id",
    "Credencial electoral": "national_id",
    "SSN": "national_id",
    "Residency Number": "residence_permit",
    "Birth Certificate Number": "birth_certificate",
    "Driver's License No.": "driving_licence",
    "Tax ID No.": "tax_id",
    "R.F.C.": "tax_id",
    "RFC": "tax_id",
    "NIT #": "tax_id",
    "RUC #": "tax_id",
    "RIF #": "tax_id",
    "V.A.T. Number": "tax_id",
    "Registration Number": "registration",
    "Registration ID": "registration",
    "Business Registration Number": "registration",
    "Business Registration Document #": "registration",
    "Commercial Registry Number": "registration",
    "Company Number": "registration",
    "UK Company Number": "registration",
    "Chamber of Commerce Number": "registration",
    "Enterprise Number": "registration",
    "Folio Mercantil No.": "registration",
    "Matricula Mercantil No": "registration",
    "Trade License No.": "registration",
    "Legal Entity Number": "lei",
    "Unified Social Credit Code (USCC)": "registration",
    "Government Gazette Number": "registration",
    "Economic Register Number (CBLS)": "registration",
    "Public Security and Immigration No.": "national_id",
    "D-U-N-S Number": "duns",
    "SWIFT/BIC": "swift_bic",
    "MMSI": "mmsi",
    "Vessel Registration Identification": "imo",
    "BIK (RU)": "registration",
}
_DOC_RE = re.compile(
    r"^(?P<type>"
    + "|".join(re.escape(k) for k in sorted(DOC_TYPES, key=len, reverse=True))
    + r") (?P<number>[^()]+?)(?: \((?P<country>[^)]*)\))?(?P<note>[ ,].*)?$"
)
_DCA_RE = re.compile(r"^Digital Currency Address - (?P<tag>[A-Z0-9]+)(?: (?P<address>\S+))?\s*$")
_QUOTED_ALIAS = re.compile(r"^(?P<kind>a\.k\.a\.|f\.k\.a\.|n\.k\.a\.) '(?P<name>.*)'?$")
_ALT = re.compile(r"^alt\. ")
_ABBREVIATION_END = re.compile(r"(?:^|[\s.])[A-Za-z]\.$")


@dataclass
class ParsedRemarks:
    birth_dates: list[BirthDate] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    citizenships: list[str] = field(default_factory=list)
    gender: str | None = None
    documents: list[Document] = field(default_factory=list)
    names: list[ListName] = field(default_factory=list)
    crypto: list[CryptoAddress] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    rest: list[str] = field(default_factory=list)


def _split(remarks: str) -> list[str]:
    text = remarks.strip()
    # The final full stop ends the remarks; keep it where it ends an abbreviation such as "S.A.".
    if text.endswith(".") and not _ABBREVIATION_END.search(text[-3:]):
        text = text[:-1]
    return [p.strip() for p in text.split("; ") if p.strip()]


def parse_remarks(remarks: str, *, cut: bool = False) -> ParsedRemarks:
    """Parse OFAC Remarks. ``cut``: the text was cut off and not completed (its last item may be partial)."""
    out = ParsedRemarks()
    if cut and remarks.rstrip().endswith(";"):
        cut = False  # cut exactly after an item's separator: every item is whole
    parts = _split(remarks)
    for i, raw in enumerate(parts):
        _item(out, raw, last_of_cut=cut and i == len(parts) - 1)
    return out


def _item(out: ParsedRemarks, raw: str, *, last_of_cut: bool) -> None:
    """Add one item to ``out``: by its label, else as a quoted alias, else as a document, else as is."""
    item = _ALT.sub("", raw)
    if m := _DCA_RE.match(item):
        _crypto(out, m, last_of_cut)
        return
    for label, take in _LABELLED:
        if item.startswith(label):
            take(out, item[len(label) :], raw, last_of_cut)
            return
    if m := _QUOTED_ALIAS.match(item):
        name = m["name"].rstrip("'").strip()
        if name and not last_of_cut:
            out.names.append(ListName(name, NameKind.WEAK))
        elif name:
            out.rest.append(raw)
    elif m := _DOC_RE.match(item):
        out.documents.append(_document(m))
    else:
        out.rest.append(raw)


def _crypto(out: ParsedRemarks, m: re.Match[str], last_of_cut: bool) -> None:
    address = (m["address"] or "").rstrip(".;,")
    if not address:
        return  # "Digital Currency Address - XBT" with the address cut away
    chain = chain_for(m["tag"], address)
    whole = looks_whole(address, chain)
    # A cut item is a possible fragment; a shapeless one that was not cut is as OFAC published it.
    out.crypto.append(CryptoAddress(address, m["tag"], chain, last_of_cut, not whole and not last_of_cut))


def _document(m: re.Match[str]) -> Document:
    kind = DOC_TYPES[m["type"]]
    country = m["country"]
    note = (m["note"] or "").strip(" ,") or None
    if m["type"] != "Passport" and kind == "passport":
        note = ("diplomatic " + (note or "")).strip()
    return Document(
        type=kind,
        number=m["number"].strip(),
        country=country_code(country) if country else None,
        note=note if not country or country_code(country) else f"({country}) {note or ''}".strip(),
    )


def _cut_label(out: ParsedRemarks, value: str, raw: str, last_of_cut: bool) -> None:
    """A cut-off label ("Digital Currency Addres"): nothing to keep."""


def _dob(out: ParsedRemarks, value: str, raw: str, last_of_cut: bool) -> None:
    bd = birth_date(value)
    if bd is not None:
        out.birth_dates.append(bd)
    else:
        out.rest.append(raw)


def _pob(out: ParsedRemarks, value: str, raw: str, last_of_cut: bool) -> None:
    out.birth_places.append(value.strip())


def _nationality(out: ParsedRemarks, value: str, raw: str, last_of_cut: bool) -> None:
    _add_country(out.nationalities, value, out.rest, raw)


def _citizen(out: ParsedRemarks, value: str, raw: str, last_of_cut: bool) -> None:
    _add_country(out.citizenships, value, out.rest, raw)


def _gender(out: ParsedRemarks, value: str, raw: str, last_of_cut: bool) -> None:
    out.gender = value.strip().lower() or None


def _linked_to(out: ParsedRemarks, value: str, raw: str, last_of_cut: bool) -> None:
    target = value.strip()
    if target and not last_of_cut:
        out.links.append(Link("", "linked_to", target))


# Items told by their leading label, tried in this order (after a whole "Digital Currency Address - TAG").
_LABELLED: tuple[tuple[str, Callable[[ParsedRemarks, str, str, bool], None]], ...] = (
    ("Digital Currency", _cut_label),
    ("DOB ", _dob),
    ("POB ", _pob),
    ("nationality ", _nationality),
    ("citizen ", _citizen),
    ("Gender ", _gender),
    ("Linked To: ", _linked_to),
)


def _add_country(target: list[str], text: str, rest: list[str], raw: str) -> None:
    code = country_code(text)
    if code is None:
        rest.append(raw)
    elif code not in target:
        target.append(code)
