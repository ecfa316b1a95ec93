"""Restrictions in the desk: customers by state and rule, the latest changes, the notices due, the packs in
force with each pack's version history, a "what would happen" decision, and exemption evidence entered on a
customer's page (which re-evaluates them).

- **Notices due**: the notices of the latest evaluation that changed a state (one per customer whose state
  changed), with what the customer can still do and how to prove an exemption.
- **Pack history**: every policy version put in force is a ``policy.version`` entry in the audit log (its
  packs with their SHA-256 and the rule ids); a pack's versions are the distinct hashes it had there, each
  with the day it was first in force and what changed against the version before (rules added or removed,
  or the same rules reworded). The pack in force shows each rule's citation and effective dates.

Everything goes through ``vaspguard.policy``'s public face: ``PolicyService`` (the engine with the
registry's facts), ``record_evidence``, ``restricted``, ``restriction_counts`` and ``notices``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from vaspguard import policy
from vaspguard.desk._users import User
from vaspguard.desk._web import DeskRoute, guard, render, store_of
from vaspguard.errors import InvalidRequest
from vaspguard.store import Store, utcnow

router = APIRouter(route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(guard)])
STATES = ("frozen", "withdraw-only", "review")


def service(request: Request) -> Any:
    """The desk's ``PolicyService`` (built once per app; hypothetical decisions are not logged)."""
    found = getattr(request.app.state, "desk_policy", None)
    if found is None:
        from vaspguard.settings import Settings

        found = policy.PolicyService(
            store_of(request),
            policy.load_packs(Settings().policy_pack_paths()),
            log_decisions=False,
            actor="desk",
        )
        request.app.state.desk_policy = found
    return found


def _day(value: str, field: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidRequest(field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def _citation(c: Any) -> str:
    parts = [c.act, f"Art {c.article}" if c.article else "", f"para {c.paragraph}" if c.paragraph else ""]
    text = ", ".join(p for p in parts if p)
    return text + (f" (as amended by {c.amended_by})" if c.amended_by else "")


def pack_history(store: Store, packs: Any) -> list[dict[str, Any]]:
    """Per pack in force: its rules with citations, and its versions (newest first) from the audit log."""
    from vaspguard.audit import AuditLog

    seen: dict[str, list[dict[str, Any]]] = {}
    before: set[str] = set()
    for event in AuditLog.open(store).events("policy.version", limit=None):
        payload = event.payload or {}  # an erased entry has no payload
        rules = set(payload.get("rules", []))
        changed = [
            p
            for p in payload.get("packs", [])
            if not seen.get(p["id"]) or seen[p["id"]][-1]["sha256"] != p["sha256"]
        ]
        for pack in changed:
            versions = seen.setdefault(pack["id"], [])
            versions.append(
                {
                    "sha256": pack["sha256"],
                    "since": event.ts,
                    "policy_version": event.policy_version,
                    "first": not versions,
                    "added": sorted(rules - before) if versions else [],
                    # a removed rule's pack is known only when this was the one pack that changed
                    "removed": sorted(before - rules) if versions and len(changed) == 1 else [],
                }
            )
        before = rules
    out = []
    in_force = {r.id: pack.id for pack in packs for r in pack.spec.rules}
    for pack in packs:
        versions = seen.get(pack.id, [])
        for v in versions:  # a rule added with this version is this pack's unless another pack has it now
            v["added"] = [r for r in v["added"] if in_force.get(r, pack.id) == pack.id]
        out.append(
            {
                "pack": pack,
                "rules": [(r, _citation(r.citation)) for r in pack.spec.rules],
                "versions": list(reversed(versions)),
                "recorded": any(v["sha256"] == pack.sha256 for v in versions),
            }
        )
    return out


def notices_due(store: Store, limit: int = 25) -> list[dict[str, Any]]:
    """The notices of the latest evaluation that changed a state."""
    latest = policy.notices(store, limit=1)
    if not latest:
        return []
    found: list[dict[str, Any]] = policy.notices(store, evaluation=latest[0]["evaluation_id"], limit=limit)
    return found


@router.get("/restrictions")
def restrictions(request: Request, state: str = "", rule: str = "") -> HTMLResponse:
    if state and state not in STATES:
        raise InvalidRequest("state", f"{state!r} is not one of {', '.join(STATES)}")
    store = store_of(request)
    engine = service(request).engine
    counts = policy.restriction_counts(store)
    return render(
        request,
        "restrictions/index.html",
        counts=sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")),
        customers=policy.restricted(store, state=state or None, rule=rule or None, limit=200),
        changes=policy.notices(store, limit=20),
        packs=engine.packs,
        history=pack_history(store, engine.packs),
        due=notices_due(store),
        version=engine.policy_version,
        actions=[a.value for a in policy.Action],
        query={"state": state, "rule": rule},
        today=utcnow().date(),
    )


@router.post("/restrictions/what-if")
async def what_if(request: Request) -> HTMLResponse:
    form = await request.form()
    body = {
        "customer": {"id": str(form.get("customer_id", "")).strip()},
        "action": str(form.get("action", "")),
        "at": str(form.get("at", "")) or utcnow().date().isoformat(),
    }
    answer = service(request).decide_json(body)
    template = "restrictions/what_if.html"
    return render(
        request, template, answer=answer, asked=body, partial=bool(request.headers.get("hx-request"))
    )


@router.post("/customers/{customer_id}/evidence")
async def evidence(request: Request, customer_id: str, user: User = Depends(guard)) -> Response:
    form = await request.form()
    text = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    if not text.get("country", "").strip():  # record_evidence needs it (said here as one line)
        raise InvalidRequest("country", "a residence permit needs its issuing country (alpha-2)")
    policy.record_evidence(
        store_of(request),
        service(request).engine,
        customer_id,
        kind="residence_permit",
        country=text.get("country", "").strip() or None,
        permit_kind=text.get("permit_kind") or None,
        valid_from=_day(text.get("valid_from", ""), "valid_from"),
        valid_until=_day(text.get("valid_until", ""), "valid_until"),
        document=text.get("document", ""),
        recorded_by=user.name,
        at=utcnow().date(),
        audit=policy.open_audit,
    )
    return RedirectResponse(f"/customers/{customer_id}#restriction", status_code=303)
