"""The legal desk's registries: requesting authorities, protected parties, operators, and the request policy.

Each list has a detail page; the actions are the CLI's (``authorities add``, ``protected add``, ``operators
add``/``deactivate``) plus an authority's verification and an operator's link to a desk user, each through
``LawfulRequests`` (logged there, before the change) and each refused on the server for roles ``ACCESS``
does not name. A form's mistakes come back beside their fields (400), nothing stored. The request policy is
shown, never installed here: installing takes the CLI (``vaspguard requests policy install``) or the
passkey-confirmed page of the approvals desk.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from vaspguard.desk._access import admitted
from vaspguard.desk._legal_registry_links import actor_of, link, links
from vaspguard.desk._users import DeskRole, User, find_user
from vaspguard.desk._web import DeskRoute, guard, render, store_of
from vaspguard.errors import InvalidFields, InvalidRequest
from vaspguard.requests import (
    AgencyClass,
    LawfulRequests,
    Operator,
    OperatorRole,
    PartyKind,
    VerificationStatus,
    parse_agency,
    parse_party,
)

router = APIRouter(route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(guard)])

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_STAFF_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def _service(request: Request) -> LawfulRequests:
    return LawfulRequests(store_of(request))


def _words(value: str) -> list[str]:
    """A comma-separated form field as a list (blanks dropped)."""
    return [w.strip() for w in value.split(",") if w.strip()]


def _errors(exc: InvalidFields) -> dict[str, str]:
    """Each problem under its top-level field (``callback_numbers[0].number`` under ``callback_numbers``)."""
    out: dict[str, str] = {}
    for p in exc.problems:
        key = re.split(r"[.\[]", p.field, maxsplit=1)[0]
        out[key] = f"{out[key]}; {p.reason}" if key in out else p.reason
    return out


def _options(vocabulary: Iterable[StrEnum]) -> list[tuple[str, str]]:
    return [(v.value, v.value.replace("_", " ")) for v in vocabulary]


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str) and k != "csrf"}


def _list_page(
    request: Request,
    template: str,
    *,
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A registry's list with its add form, refilled with what was typed and each field's mistake (400)."""
    status = 400 if errors else 200
    return render(request, template, status=status, form=form or {}, errors=errors or {}, **context)


# -- authorities ----------------------------------------------------------------------------------------


def _authorities_page(request: Request, user: User, **filled: dict[str, str]) -> HTMLResponse:
    agencies = _service(request).list_agencies()
    return _list_page(
        request,
        "legal/authorities.html",
        agencies=agencies,
        classes=_options(AgencyClass),
        parents=[(a.id, a.id) for a in agencies],
        **filled,
        may_edit=user.has(DeskRole.LEGAL),
    )


@router.get("/legal/authorities")
def authorities(request: Request, user: User = Depends(guard)) -> HTMLResponse:
    return _authorities_page(request, user)


def _agency_doc(form: dict[str, str]) -> dict[str, Any]:
    """The add form as the agency JSON the CLI reads; always unverified (verification is its own step)."""
    doc: dict[str, Any] = {
        "id": form.get("id", ""),
        "name": form.get("name", ""),
        "country": form.get("country", "").upper(),
        "class": form.get("class", ""),
        "parent": form.get("parent") or None,
        "linked": _words(form.get("linked", "")),
        "domains": _words(form.get("domains", "")),
        "aliases": _words(form.get("aliases", "")),
        "notes": form.get("notes") or None,
    }
    if form.get("callback_number") or form.get("callback_source"):
        doc["callback_numbers"] = [
            {"number": form.get("callback_number", ""), "source": form.get("callback_source", "")}
        ]
    return doc


@router.post("/legal/authorities")
async def authority_add(request: Request, user: User = Depends(guard)) -> Response:
    form = await _form(request)
    svc = _service(request)
    try:
        agency = parse_agency(_agency_doc(form), origin="form")
        if agency.id in {a.id for a in svc.list_agencies()}:  # the CLI's add updates; here that is a slip
            raise InvalidRequest("id", f"{agency.id} is registered already; open it to change its status")
        svc.add_agency(agency, actor=actor_of(user))
    except InvalidFields as exc:
        return _authorities_page(request, user, form=form, errors=_errors(exc))
    except InvalidRequest as exc:
        return _authorities_page(request, user, form=form, errors={exc.field: exc.reason})
    return RedirectResponse(f"/legal/authorities/{agency.id}", status_code=303)


@router.get("/legal/authorities/{agency_id}")
def authority(request: Request, agency_id: str, user: User = Depends(guard)) -> HTMLResponse:
    svc = _service(request)
    agency = svc.get_agency(agency_id)
    return render(
        request,
        "legal/authority.html",
        agency=agency,
        related=svc.related_agencies(agency),
        statuses=list(VerificationStatus),
        may_edit=user.has(DeskRole.LEGAL),
    )


@router.post("/legal/authorities/{agency_id}/verification")
async def authority_verification(request: Request, agency_id: str, user: User = Depends(guard)) -> Response:
    value = (await _form(request)).get("status", "")
    try:
        status = VerificationStatus(value)
    except ValueError:
        raise InvalidRequest(
            "status", f"{value[:40]!r} is not one of {', '.join(VerificationStatus)}"
        ) from None
    _service(request).set_verification(agency_id, status, actor=actor_of(user))
    return RedirectResponse(f"/legal/authorities/{agency_id}", status_code=303)


# -- protected parties ----------------------------------------------------------------------------------


def _parties_page(request: Request, user: User, **filled: dict[str, str]) -> HTMLResponse:
    return _list_page(
        request,
        "legal/protected.html",
        parties=_service(request).list_parties(),
        kinds=_options(PartyKind),
        **filled,
        may_edit=user.has(DeskRole.LEGAL, DeskRole.PRIVACY),
    )


@router.get("/legal/protected")
def protected(request: Request, user: User = Depends(guard)) -> HTMLResponse:
    return _parties_page(request, user)


def _addresses(text: str) -> list[dict[str, str | None]]:
    """One address a line: the address, then optionally its chain, then a label (the rest of the line)."""
    out: list[dict[str, str | None]] = []
    for line in text.splitlines():
        parts = line.split(None, 2)
        if parts:
            chain = parts[1] if len(parts) > 1 else None
            label = parts[2] if len(parts) > 2 else None
            out.append({"address": parts[0], "chain": chain, "label": label})
    return out


@router.post("/legal/protected")
async def party_add(request: Request, user: User = Depends(guard)) -> Response:
    form = await _form(request)
    doc = {
        "id": form.get("id", ""),
        "name": form.get("name", ""),
        "kind": form.get("kind", ""),
        "country": form.get("country", "").upper() or None,
        "aliases": _words(form.get("aliases", "")),
        "identifiers": _words(form.get("identifiers", "")),
        "addresses": _addresses(form.get("addresses", "")),
        "notes": form.get("notes") or None,
    }
    svc = _service(request)
    try:
        party = parse_party(doc, origin="form")
        if party.id in {p.id for p in svc.list_parties()}:
            raise InvalidRequest("id", f"{party.id} is registered already")
        svc.add_party(party, actor=actor_of(user))
    except InvalidFields as exc:
        return _parties_page(request, user, form=form, errors=_errors(exc))
    except InvalidRequest as exc:
        return _parties_page(request, user, form=form, errors={exc.field: exc.reason})
    return RedirectResponse(f"/legal/protected/{party.id}", status_code=303)


@router.get("/legal/protected/{party_id}")
def party(request: Request, party_id: str) -> HTMLResponse:
    return render(request, "legal/party.html", party=_service(request).get_party(party_id))


# -- operators ------------------------------------------------------------------------------------------


def _operators_page(request: Request, user: User, **filled: dict[str, str]) -> HTMLResponse:
    return _list_page(
        request,
        "legal/operators.html",
        operators=_service(request).list_operators(),
        linked=links(store_of(request)),
        op_roles=_options(OperatorRole),
        **filled,
        may_add=user.has(DeskRole.SECURITY),
    )


@router.get("/legal/operators")
def operators(request: Request, user: User = Depends(guard)) -> HTMLResponse:
    return _operators_page(request, user)


def _operator(form: dict[str, str]) -> Operator:
    """The add form as an ``Operator``, or ``InvalidFields`` naming every bad field."""
    problems: list[InvalidRequest] = []
    name, region, key = (
        form.get("name", ""),
        form.get("region", "").upper(),
        form.get("public_key", "").lower(),
    )
    if not _STAFF_ID.match(name):
        problems.append(InvalidRequest("name", "a staff id: 1 to 100 letters, digits, '.', '_' or '-'"))
    if form.get("role", "") not in set(OperatorRole):
        problems.append(InvalidRequest("role", f"one of {', '.join(OperatorRole)}"))
    if not region or len(region) > 16:
        problems.append(
            InvalidRequest("region", "a region of 1 to 16 characters, as in the policy (EU, US, ...)")
        )
    if not _HEX64.match(key):
        problems.append(
            InvalidRequest("public_key", "the Ed25519 public key: 64 hex digits (operators keygen)")
        )
    if problems:
        raise InvalidFields("form", tuple(problems))
    return Operator(name, OperatorRole(form["role"]), region, key)


@router.post("/legal/operators")
async def operator_add(request: Request, user: User = Depends(guard)) -> Response:
    form = await _form(request)
    try:
        op = _operator(form)
        _service(request).add_operator(op, actor=actor_of(user))
    except InvalidFields as exc:
        return _operators_page(request, user, form=form, errors=_errors(exc))
    except InvalidRequest as exc:
        field = exc.field.removeprefix("--").replace("-", "_")
        return _operators_page(request, user, form=form, errors={field: exc.reason})
    return RedirectResponse(f"/legal/operators/{op.name}", status_code=303)


@router.get("/legal/operators/{name}")
def operator(request: Request, name: str, user: User = Depends(guard)) -> HTMLResponse:
    store = store_of(request)
    return render(
        request,
        "legal/operator.html",
        op=_service(request).get_operator(name),
        linked=links(store).get(name),
        may_link=user.has(DeskRole.SECURITY),
        may_deactivate=user.has(DeskRole.SECURITY, DeskRole.LEGAL),
    )


@router.post("/legal/operators/{name}/link")
async def operator_link(request: Request, name: str, user: User = Depends(guard)) -> Response:
    who = (await _form(request)).get("user", "")
    if not who:
        raise InvalidRequest("user", "name the desk user (name or id) who acts as this operator")
    store = store_of(request)
    link(store, name, find_user(store, who), by=user)
    return RedirectResponse(f"/legal/operators/{name}", status_code=303)


@router.post("/legal/operators/{name}/deactivate")
async def operator_deactivate(request: Request, name: str, user: User = Depends(guard)) -> Response:
    form = await _form(request)
    _service(request).deactivate_operator(
        name,
        actor=actor_of(user),
        reason=form.get("reason", ""),
        compromised=form.get("compromised") == "yes",
    )
    return RedirectResponse(f"/legal/operators/{name}", status_code=303)


# -- the request policy ---------------------------------------------------------------------------------


INSTALL = "/requests/policy/install"  # the approvals desk's passkey-confirmed installation


@router.get("/legal/policy")
def request_policy(request: Request, user: User = Depends(guard)) -> HTMLResponse:
    svc = _service(request)
    return render(
        request,
        "legal/policy.html",
        current=svc.policy(),
        history=list(reversed(svc.policy_history())),
        install_page=INSTALL if user.roles & admitted("GET", INSTALL) else None,
    )
