"""The intake form: a lawful request entered in the desk, every field of the request format, and its
assessment shown at once (the request page: tier, reason codes with detail, reach).

The form's fields are named by the request format's paths (``instrument.reference``), so each problem
``parse_request`` names is shown next to its field. The agency is picked from the registry, or a new one is
added inline as unverified (``new_agency.*``). The instrument document's SHA-256 is computed in the browser
(``legal.js``, into ``document_sha256_browser``) and on the server from the bytes received, and the two must
agree. The request is filed as ``desk:NAME``: the desk user who filed it can never approve it.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData, UploadFile

from vaspguard.desk._users import User
from vaspguard.desk._web import DeskRoute, guard, render, store_of
from vaspguard.errors import InvalidFields, InvalidRequest
from vaspguard.requests import (
    AgencyClass,
    Channel,
    DataCategory,
    InstrumentType,
    LawfulRequests,
    TargetType,
    parse_agency,
    parse_request,
)

router = APIRouter(route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(guard)])
MAX_DOCUMENT = 20 * 1024 * 1024
NEW = "__new__"
# The sections of the format whose fields are sent only when one of them is filled in.
SECTIONS = {
    "non_disclosure": ("basis", "until"),
    "emergency": ("nature", "persons_at_risk", "why_normal_process_insufficient"),
    "offence": ("description", "statute"),
    "callback": ("number", "by", "at", "outcome"),
}


def _choices(request: Request) -> dict[str, Any]:
    return {
        "agencies": LawfulRequests(store_of(request)).list_agencies(),
        "channels": [c.value for c in Channel],
        "instruments": [i.value for i in InstrumentType],
        "categories": [c.value for c in DataCategory],
        "target_types": [t.value for t in TargetType],
        "agency_classes": [a.value for a in AgencyClass],
    }


@router.get("/requests/new")
def intake_form(request: Request) -> HTMLResponse:
    return render(request, "requests/new.html", values={}, errors={}, **_choices(request))


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _targets(text: str) -> list[dict[str, Any]]:
    """One target a line: ``TYPE VALUE [CHAIN]``."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) not in (2, 3):
            raise InvalidRequest(
                "targets", f"line {n}: write TYPE VALUE [CHAIN], e.g. wallet_address bc1q… bitcoin"
            )
        out.append({"type": parts[0], "value": parts[1], "chain": parts[2] if len(parts) == 3 else None})
    return out


async def _document(form: FormData) -> str | None:
    """The uploaded instrument's SHA-256, checked against the one the browser computed."""
    upload = form.get("document")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    data = await upload.read(MAX_DOCUMENT + 1)
    if len(data) > MAX_DOCUMENT:
        raise InvalidRequest("instrument.document_sha256", "the document is over 20 MB")
    digest = hashlib.sha256(data).hexdigest()
    browser = _text(form, "document_sha256_browser").lower()
    if browser and browser != digest:
        raise InvalidRequest(
            "instrument.document_sha256",
            f"your browser hashed the document to {browser[:16]}…, the server received {digest[:16]}…: "
            "upload it again",
        )
    return digest


def _document_of(form: FormData, digest: str | None) -> dict[str, Any]:
    """The request as the format has it, from the form's fields."""
    doc: dict[str, Any] = {
        k: _text(form, k) or None
        for k in ("received_at", "channel", "officer", "sender_email", "deadline", "follow_up_of")
    }
    doc["instrument"] = {
        k: _text(form, f"instrument.{k}") or None
        for k in ("type", "reference", "issued_by", "issued_at", "legal_basis")
    }
    doc["instrument"]["document_sha256"] = digest or _text(form, "instrument.document_sha256") or None
    doc["targets"] = _targets(_text(form, "targets"))
    doc["data_categories"] = [str(c) for c in form.getlist("data_categories")]
    doc["date_range"] = {
        "from": _text(form, "date_range.from") or None,
        "to": _text(form, "date_range.to") or None,
    }
    for section, fields in SECTIONS.items():
        values = {f: _text(form, f"{section}.{f}") or None for f in fields}
        if any(values.values()):
            doc[section] = values
    doc["received_at"] = _utc(doc.get("received_at"))
    if "callback" in doc:
        doc["callback"]["at"] = _utc(doc["callback"]["at"])
    return {k: v for k, v in doc.items() if v is not None}


def _utc(value: str | None) -> str | None:
    """A browser's ``datetime-local`` value (no zone) is UTC, as the form says."""
    if value and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?", value):
        return value + "+00:00"
    return value


def _new_agency(lawful: LawfulRequests, form: FormData, user: User) -> str:
    """A new agency, added inline as unverified; returns its id."""
    name = _text(form, "new_agency.name")
    country = _text(form, "new_agency.country").upper()
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:40] or "agency"
    try:
        agency = parse_agency(
            {
                "id": f"{country.lower()}-{slug}",
                "name": name,
                "country": country,
                "class": _text(form, "new_agency.class"),
                "verification_status": "unverified",
                "notes": f"added in the desk by {user.name} at intake; not verified",
            },
            origin="new agency",
        )
    except InvalidFields as exc:
        raise InvalidFields(
            exc.origin, tuple(InvalidRequest(f"new_agency.{p.field}", p.reason) for p in exc.problems)
        ) from None
    lawful.add_agency(agency, actor=user.name)
    return agency.id


def _errors(exc: InvalidFields | InvalidRequest) -> dict[str, str]:
    """Each problem under the form field it belongs to (``targets[0].value`` -> ``targets``)."""
    problems = exc.problems if isinstance(exc, InvalidFields) else (exc,)
    out: dict[str, str] = {}
    for p in problems:
        key = re.sub(r"\[\d+\].*$", "", p.field)
        key = {"agency.id": "agency", "agency.name": "agency", "agency.country": "agency"}.get(key, key)
        out.setdefault(key, p.reason)
    return out


@router.post("/requests/new")
async def intake(request: Request, user: User = Depends(guard)) -> Response:
    async with request.form() as form:  # closes the uploaded file's spool
        return await _file(request, form, user)


async def _file(request: Request, form: FormData, user: User) -> Response:
    lawful = LawfulRequests(store_of(request))
    values: dict[str, Any] = {k: v for k, v in form.multi_items() if isinstance(v, str) and k != "csrf"}
    values["data_categories"] = [str(c) for c in form.getlist("data_categories")]
    try:
        doc = _document_of(form, await _document(form))
        agency = _text(form, "agency")
        if not agency:
            raise InvalidRequest("agency", "pick the agency, or add a new one")
        filed = parse_request({**doc, "agency": agency if agency != NEW else "pending"}, origin="form")
        if agency == NEW:
            filed = parse_request({**doc, "agency": _new_agency(lawful, form, user)}, origin="form")
        result = lawful.file(filed, intake=f"desk:{user.name}", region=user.region)
    except (InvalidFields, InvalidRequest) as exc:
        errors = _errors(exc)
        return render(
            request, "requests/new.html", status=400, values=values, errors=errors, **_choices(request)
        )
    return RedirectResponse(f"/requests/{result.request_id}", status_code=303)
