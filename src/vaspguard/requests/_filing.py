"""Intake: a request is recorded (signed by its intake operator, or by an API caller) and assessed.

A follow-up must ratify an emergency request with legal process; the same instrument from the same sender
is not filed twice; an agency id must be registered.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, func, insert, select

from vaspguard.errors import AlreadyExists, InvalidRequest
from vaspguard.requests import _crypto
from vaspguard.requests._assess import AssessmentContext, assess
from vaspguard.requests._core import audit_event
from vaspguard.requests._documents import (
    agency_from_doc,
    dump,
    request_doc,
    request_from_doc,
    scope_doc,
    scope_hash,
)
from vaspguard.requests._model import Agency, Assessment, InstrumentType, LawfulRequest, RequestState, Scope
from vaspguard.requests._names import NAME_MATCHER
from vaspguard.requests._policy import Policy
from vaspguard.requests._protected import protected_matches
from vaspguard.requests._reach import compute_reach
from vaspguard.requests._registries import Registries
from vaspguard.requests._tables import AgencyRow, RequestRow
from vaspguard.screening import score_names


class Intake(Registries):
    """Filing and assessing a request."""

    def _context(
        self, conn: Connection, request: LawfulRequest, scope: Scope, policy: Policy
    ) -> AssessmentContext:
        agency: Agency | None = None
        if request.agency_id:
            doc = conn.execute(
                select(AgencyRow.doc).where(AgencyRow.id == request.agency_id)
            ).scalar_one_or_none()
            agency = agency_from_doc(json.loads(doc)) if doc else None
        related = self.related_agencies(agency, conn) if agency else []
        names = [agency.name, *agency.aliases] if agency else [request.agency_name]
        names += [a.name for a, _ in related]
        hits, check = self.sanctions.hits(names, min_score=policy.section("requester")["sanctions_min_score"])
        reach = compute_reach(conn, scope.targets, scope.date_range)
        return AssessmentContext(
            agency=agency,
            related=related,
            sanctions=hits,
            sanctions_check=check,
            reach=reach,
            protected=self._protected_matches(conn, scope, reach.customers, policy, score_names),
            name_matcher=NAME_MATCHER,
            today=request.received_at.date(),
        )

    def _protected_matches(
        self,
        conn: Connection,
        scope: Scope,
        customers: set[str],
        policy: Policy,
        scorer: Callable[[str, str], float],
    ) -> list[str]:
        return protected_matches(
            conn,
            self.list_parties(conn),
            scope,
            customers,
            min_score=float(policy.section("protected")["min_name_score"]),
            scorer=scorer,
        )

    def _new_id(self, conn: Connection, received: datetime) -> str:
        prefix = f"LR-{received:%Y}-"
        n = conn.execute(select(func.count()).where(RequestRow.id.startswith(prefix))).scalar_one()
        while True:
            n += 1
            candidate = f"{prefix}{n:06d}"
            if conn.execute(select(RequestRow.id).where(RequestRow.id == candidate)).first() is None:
                return candidate

    def file(
        self, request: LawfulRequest, *, intake: str, key: Ed25519PrivateKey | None = None, region: str = ""
    ) -> Assessment:
        """Record and assess a request. ``intake`` is the operator who filed it, proven by their ``key`` (they
        sign the request as filed), an API caller ``api:NAME`` identified by its token, or a desk user
        ``desk:NAME`` identified by their passkey session."""
        intake_signature = None
        if key is not None:
            op = self._operator_with_key(intake, key)
            region = op.region
            intake_signature = _crypto.sign(key, _crypto.APPROVAL_DOMAIN, {"intake": request_doc(request)})
        elif not intake.startswith(("api:", "desk:")):
            raise InvalidRequest("--key", f"filing as operator {intake!r} needs their key")
        policy = self.policy()
        scope = Scope(request.targets, request.data_categories, request.date_range).normalised()
        with self.store.connect() as conn:
            _check_follow_up(conn, request)
            request = _with_registered_agency(conn, request)
            _refuse_refiling(conn, request)
            request_id = self._new_id(conn, request.received_at)
            ctx = self._context(conn, request, scope, policy)
        result = assess(request, scope, request_id, policy, ctx)
        digest = scope_hash(request_id, 1, scope)
        subjects = (f"request:{request_id}", *([f"agency:{request.agency_id}"] if request.agency_id else []))
        receipts = self.audit.append_many(
            [
                audit_event(
                    "requests.intake",
                    intake,
                    "intake",
                    region,
                    subjects,
                    None,
                    _intake_payload(request, digest, intake_signature),
                ),
                audit_event(
                    "requests.assess", intake, "intake", region, subjects, policy.version, result.to_dict()
                ),
            ]
        )
        preserve = request.instrument.type is InstrumentType.PRESERVATION_REQUEST
        with self.store.connect() as conn:
            conn.execute(
                insert(RequestRow).values(
                    **_request_values(request_id, request, scope, digest, result, policy.version),
                    agency_country=request.agency_country or (ctx.agency.country if ctx.agency else ""),
                    intake_operator=intake,
                    created_at=self.clock(),
                    updated_at=self.clock(),
                )
            )
            self._event(
                conn,
                request_id,
                "intake",
                intake,
                {"channel": request.channel.value, "preservation": preserve},
                receipts[0],
            )
            self._event(
                conn,
                request_id,
                "assess",
                intake,
                {"tier": result.tier.value, "codes": sorted(result.codes())},
                receipts[1],
            )
        return result


def _intake_payload(request: LawfulRequest, digest: str, intake_signature: str | None) -> dict[str, Any]:
    """What the audit log's ``requests.intake`` event records of a request as filed."""
    return {
        "channel": request.channel.value,
        "agency": request.agency_id or request.agency_name,
        "country": request.agency_country,
        "instrument": request.instrument.type.value,
        "document_sha256": request.instrument.document_sha256,
        "request_sha256": _crypto.sha256_hex(_crypto.canonical(request_doc(request))),
        "scope_sha256": digest,
        "intake_signature": intake_signature,
    }


def _check_follow_up(conn: Connection, request: LawfulRequest) -> None:
    """A follow-up must ratify an existing emergency request with legal process."""
    if not request.follow_up_of:
        return
    prior = conn.execute(select(RequestRow.emergency).where(RequestRow.id == request.follow_up_of)).first()
    if prior is None:
        raise InvalidRequest("follow_up_of", f"request {request.follow_up_of!r} does not exist")
    if not prior[0]:
        raise InvalidRequest("follow_up_of", f"request {request.follow_up_of!r} is not an emergency request")
    if request.instrument.type in (
        InstrumentType.EMERGENCY_DISCLOSURE_REQUEST,
        InstrumentType.INFORMAL_REQUEST,
    ):
        raise InvalidRequest(
            "instrument.type",
            "a follow-up must be legal process, not another emergency or informal request",
        )


def _with_registered_agency(conn: Connection, request: LawfulRequest) -> LawfulRequest:
    """The request with its agency's registered name and country; an agency id not registered is refused."""
    if not request.agency_id:
        return request
    doc = conn.execute(select(AgencyRow.doc).where(AgencyRow.id == request.agency_id)).scalar_one_or_none()
    if doc is None:
        raise InvalidRequest(
            "agency",
            f"unknown agency id {request.agency_id!r}: register it first (vaspguard authorities add), or "
            'give an unregistered agency as {"name": ..., "country": ...} in the request file (filed as '
            "unverified)",
        )
    if request.agency_name:
        return request
    a = agency_from_doc(json.loads(doc))
    return replace(request, agency_name=a.name, agency_country=a.country)


def _sender(request: LawfulRequest) -> str:
    if request.agency_id:
        return f"agency {request.agency_id}"
    return f"agency {request.agency_name!r} ({request.agency_country})"


def _refuse_refiling(conn: Connection, request: LawfulRequest) -> None:
    """Refuse a request whose instrument document (by SHA-256) the same sender has filed before."""
    sha = request.instrument.document_sha256.lower()
    if not sha:
        return  # an informal request has no document to recognise it by
    rows = conn.execute(
        select(RequestRow.id, RequestRow.doc)
        .where(func.lower(RequestRow.doc).contains(sha))
        .where(
            RequestRow.agency_id == request.agency_id if request.agency_id else RequestRow.agency_id.is_(None)
        )
        .order_by(RequestRow.received_at, RequestRow.id)
    )
    for request_id, raw in rows:
        earlier = request_from_doc(json.loads(raw))
        if earlier.instrument.document_sha256.lower() != sha:
            continue
        if request.agency_id or (
            earlier.agency_name.casefold() == request.agency_name.casefold()
            and earlier.agency_country == request.agency_country
        ):
            raise AlreadyExists(
                "request",
                request_id,
                f"the same instrument (document_sha256 {sha[:12]}...) from the same sender "
                f"({_sender(request)}) was filed before; amend or narrow that request instead of filing "
                "it again",
            )


def _request_values(
    request_id: str,
    request: LawfulRequest,
    scope: Scope,
    digest: str,
    result: Assessment,
    policy_version: str,
) -> dict[str, Any]:
    """The stored row of a request as filed and first assessed (scope version 1)."""
    return {
        "id": request_id,
        "received_at": request.received_at,
        "agency_id": request.agency_id,
        "channel": request.channel.value,
        "instrument_type": request.instrument.type.value,
        "state": RequestState.ASSESSED.value,
        "tier": result.tier.value,
        "doc": dump(request_doc(request)),
        "scope": dump(scope_doc(scope)),
        "scope_sha256": digest,
        "scope_version": 1,
        "assessment": dump(result.to_dict()),
        "policy_version": policy_version,
        "deadline": request.deadline,
        "ndo_until": request.non_disclosure.until if request.non_disclosure else None,
        "emergency": request.instrument.type is InstrumentType.EMERGENCY_DISCLOSURE_REQUEST
        or request.emergency is not None,
        "follow_up_of": request.follow_up_of,
        "preserve_until": None,
        "preserve_extensions": 0,
    }
