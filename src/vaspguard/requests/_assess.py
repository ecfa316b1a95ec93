"""Assessment: a request and what is known about it in, a tier and stable reason codes out.

A pure function of the request, the policy and an ``AssessmentContext`` (agency registry entries, sanctions
hits, reach, protected-party matches), so the same inputs always give the same assessment, which names the
policy version it ran under. Each rule cites the principle it implements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from vaspguard.requests._model import (
    Agency,
    Assessment,
    DataCategory,
    InstrumentType,
    LawfulRequest,
    Reason,
    ReasonCode,
    Scope,
    Tier,
    VerificationStatus,
)
from vaspguard.requests._names import SanctionsHit
from vaspguard.requests._policy import Policy
from vaspguard.requests._reach import Reach, date_span_days


@dataclass
class AssessmentContext:
    agency: Agency | None
    related: list[tuple[Agency, str]] = field(default_factory=list)  # (agency, "parent" | "linked" path)
    sanctions: list[SanctionsHit] = field(default_factory=list)
    sanctions_check: str = "not run"
    reach: Reach = field(default_factory=Reach)
    protected: list[str] = field(default_factory=list)  # one detail line per protected match
    name_matcher: str = ""
    today: date | None = None


def _verify_instrument_signature(request: LawfulRequest, agency: Agency | None) -> str:
    """The issuer's Ed25519 signature over the 32-byte SHA-256 of the document (S.2547's idea)."""
    sig = request.instrument.signature
    if sig is None:
        return "absent"
    if agency is None or not agency.public_keys:
        return "unverifiable: no registered issuer key"
    digest = bytes.fromhex(request.instrument.document_sha256)
    for key in agency.public_keys:
        try:
            Ed25519PublicKey.from_public_bytes(bytes.fromhex(key)).verify(bytes.fromhex(sig), digest)
        except (InvalidSignature, ValueError):
            continue
        return f"verified with key {key[:16]}..."
    return "invalid"


def _statute_matches(statute: str, entry: str, country: str) -> bool:
    cc, _, number = entry.partition(":")
    if cc != country or not number:
        return False
    return re.search(rf"(?<![\d.]){re.escape(number)}(?![\d.]*\d)", statute) is not None


def assess(  # noqa: C901, PLR0915
    request: LawfulRequest, scope: Scope, request_id: str, policy: Policy, ctx: AssessmentContext
) -> Assessment:
    reasons: list[Reason] = []
    checks: dict[str, object] = {"name_matcher": ctx.name_matcher, "sanctions_screening": ctx.sanctions_check}
    today = ctx.today or request.received_at.date()

    def add(code: ReasonCode, detail: str, tier: Tier | None = None) -> None:
        reasons.append(Reason(code, detail, tier or policy.reason_tier(code)))

    agency = ctx.agency
    country = agency.country if agency else request.agency_country
    agency_label = (
        f"{agency.name} ({agency.id}, {country})" if agency else f"{request.agency_name} ({country})"
    )
    categories = set(scope.data_categories)
    itype = request.instrument.type
    emergency = itype is InstrumentType.EMERGENCY_DISCLOSURE_REQUEST or request.emergency is not None
    preservation = itype is InstrumentType.PRESERVATION_REQUEST

    # -- the requester (FBI PIN 2024: verify the requester; Kodex: agency registry and standing) ----------
    requester = policy.section("requester")
    if agency is None:
        add(ReasonCode.REQUESTER_UNVERIFIED, f"{agency_label} is not in the authorities registry")
    elif agency.verification_status is not VerificationStatus.VERIFIED:
        add(
            ReasonCode.REQUESTER_UNVERIFIED,
            f"{agency_label} verification status is {agency.verification_status}",
        )
    elif agency.verified_on is None or (today - agency.verified_on).days > requester["reverify_after_days"]:
        add(
            ReasonCode.REQUESTER_UNVERIFIED,
            f"{agency_label} was last verified on {agency.verified_on}, more than "
            f"{requester['reverify_after_days']} days ago",
        )
    if request.sender_email and agency is not None:
        # An official domain is necessary, never sufficient (police mailboxes are bought and sold): a sender
        # outside the agency's registered domains is a signal; a callback is still what verifies.
        domain = request.sender_email.rsplit("@", 1)[1]
        if not any(domain == d or domain.endswith("." + d) for d in agency.domains):
            add(
                ReasonCode.REQUESTER_UNVERIFIED,
                f"sent from {domain}, not an official domain of {agency_label} "
                f"({', '.join(agency.domains) or 'none registered'})",
            )
    security = set(requester["security_classes"])
    if agency is not None:
        if agency.agency_class.value in security:
            add(ReasonCode.REQUESTER_SECURITY_SERVICE, f"{agency_label} is a {agency.agency_class}")
        for other, path in ctx.related:
            if other.agency_class.value in security:
                add(
                    ReasonCode.REQUESTER_SECURITY_SERVICE,
                    f"{agency_label} is {path} {other.name} ({other.id}), a {other.agency_class}",
                )
    for hit in ctx.sanctions:
        add(
            ReasonCode.REQUESTER_SANCTIONED,
            f"{hit.name!r} matches listed {hit.listed_name!r} ({hit.entity_key}, score {hit.score:.2f})",
        )
    if country in policy.risk_jurisdictions:
        add(ReasonCode.JURISDICTION_RISK, f"{country} is on the policy's risk list of jurisdictions")

    # -- the instrument (SCA tiers; S.2547 signed process) -----------------------------------------------
    signature = _verify_instrument_signature(request, agency)
    checks["instrument_signature"] = signature
    if signature == "invalid":
        add(
            ReasonCode.INSTRUMENT_SIGNATURE_INVALID,
            f"the instrument's signature does not verify with any key registered for {agency_label}",
        )
    covered = policy.instrument_categories(itype)
    if not preservation:
        uncovered = categories - covered
        if uncovered and not (categories & covered):
            add(
                ReasonCode.INSTRUMENT_INSUFFICIENT,
                f"instrument {itype} suffices for none of the requested categories "
                f"({', '.join(sorted(uncovered))})",
                Tier.BLOCKED,
            )
        elif uncovered:
            add(
                ReasonCode.INSTRUMENT_INSUFFICIENT,
                f"instrument {itype} does not suffice for {', '.join(sorted(uncovered))}; narrow to "
                f"{', '.join(sorted(categories & covered))} or obtain a stronger instrument",
            )

    # -- foreign authorities (N&P: safeguards for international cooperation) ------------------------------
    foreign = policy.section("foreign")
    if country not in policy.home_countries:
        process = None
        if itype.value in foreign["mutual_legal_assistance"]:
            process = "mutual legal assistance"
        elif emergency and foreign.get("emergency_allowed"):
            process = "emergency (cross-border)"
        else:
            for rec in foreign.get("recognised", []):
                cats = rec.get("categories")
                if (
                    country in rec["countries"]
                    and itype.value in rec["instruments"]
                    and (cats is None or categories <= set(cats))
                ):
                    process = rec["name"]
                    break
        checks["foreign_process"] = process
        if process is None:
            add(
                ReasonCode.FOREIGN_WITHOUT_MLAT,
                f"{agency_label} is foreign and instrument {itype} is neither an MLAT request nor a "
                "recognised direct-cooperation process for these categories",
            )

    # -- the channel (Reuters 2021: the request that bypassed every portal) -------------------------------
    channels = policy.section("channels")
    callback = request.callback
    registered = {n.number for n in agency.callback_numbers} if agency else set()
    callback_ok = callback is not None and callback.outcome == "confirmed" and callback.number in registered
    checks["callback"] = (
        "none"
        if callback is None
        else f"{callback.outcome} on {callback.number}"
        + ("" if callback.number in registered else " (not an independently sourced number of the agency)")
    )
    if request.channel.value in channels["out_of_band"]:
        add(
            ReasonCode.OUT_OF_BAND_CHANNEL,
            f"received {request.channel.value.replace('_', ' ')} by an individual, outside any authenticated "
            "channel; the exchange's staff cannot accept requests this way",
        )
    elif request.channel.value in channels["callback_required"] and not callback_ok:
        add(
            ReasonCode.OUT_OF_BAND_CHANNEL,
            f"received by {request.channel} without a confirmed callback to an independently sourced number "
            "of the agency",
        )

    # -- dragnet (Dropbox: fight blanket requests; N&P necessity and proportionality) ---------------------
    dragnet = policy.section("dragnet")
    signals: list[str] = []
    crowd = [t for t in scope.targets if t.type.value in dragnet["crowd_target_types"]]
    if crowd:
        signals.append(
            "targets defined by "
            + ", ".join(sorted({t.type.value for t in crowd}))
            + " instead of named accounts"
        )
    if len(scope.targets) > dragnet["max_identifiers"]:
        signals.append(f"{len(scope.targets)} identifiers (more than {dragnet['max_identifiers']})")
    span = date_span_days(scope.date_range)
    if span is None:
        signals.append("open-ended date range")
    elif span > dragnet["max_days"]:
        signals.append(f"date range of {span} days (more than {dragnet['max_days']})")
    reached = len(ctx.reach.customers)
    if reached > dragnet["max_customers_reached"]:
        signals.append(f"more than {dragnet['max_customers_reached']} customers reached")
    if signals:
        add(
            ReasonCode.DRAGNET,
            "; ".join(signals) + f"; would reach {reached} customers ({ctx.reach.account_count} accounts)",
        )

    # -- protected parties and political offences (N&P legitimate aim; Interpol Art. 3 analogy) -----------
    for detail in ctx.protected:
        add(ReasonCode.PROTECTED_TARGET, detail)
    political = policy.section("political_offence")
    if request.offence is not None:
        text = f"{request.offence.description} {request.offence.statute or ''}".casefold()
        terms = [t for t in political["terms"] if t.casefold() in text]
        designations = [t for t in political["designation_terms"] if t.casefold() in text]
        statutes = [
            s
            for s in political["statutes"]
            if request.offence.statute and _statute_matches(request.offence.statute, s, country)
        ]
        if terms or statutes:
            add(
                ReasonCode.POLITICAL_OFFENCE,
                "offence concerns speech, association, assembly or donation: "
                + ", ".join([*(repr(t) for t in terms), *statutes]),
            )
        elif designations and ctx.protected:
            add(
                ReasonCode.POLITICAL_OFFENCE,
                f"an {'/'.join(designations)} designation used against a protected party",
            )

    # -- categories -------------------------------------------------------------------------------------
    cat_cfg = policy.section("categories")
    if len(categories) > cat_cfg["max_without_justification"]:
        add(
            ReasonCode.OVERBROAD_CATEGORIES,
            f"{len(categories)} data categories requested (more than {cat_cfg['max_without_justification']})",
        )
    em = policy.section("emergency")
    if emergency:
        extra = categories - {DataCategory(c) for c in em["allowed_categories"]}
        if extra:
            add(
                ReasonCode.OVERBROAD_CATEGORIES,
                f"an emergency request gets minimal data only ({', '.join(em['allowed_categories'])}); "
                f"not {', '.join(sorted(extra))}",
            )
        problems = []
        if request.emergency is None:
            problems.append(
                "no emergency statement (nature, persons at risk, why normal process is insufficient)"
            )
        else:
            nature = request.emergency.nature.strip().lower().replace(" ", "_").replace("-", "_")
            if nature not in em["natures"]:
                problems.append(
                    f"nature {request.emergency.nature!r} is not one of {', '.join(em['natures'])}"
                )
        if not callback_ok:
            problems.append("no confirmed callback to an independently sourced number of the agency")
        if problems:
            add(ReasonCode.EMERGENCY_UNVERIFIED, "; ".join(problems))

    ndo = request.non_disclosure
    if ndo is not None:
        limit = policy.section("non_disclosure")["max_days"]
        if ndo.until is None:
            add(ReasonCode.NDO_WITHOUT_END, f"non-disclosure order ({ndo.basis}) has no end date")
        elif ndo.until > request.received_at.date() + timedelta(days=limit):
            add(
                ReasonCode.NDO_WITHOUT_END,
                f"non-disclosure order runs until {ndo.until}, more than {limit} days",
            )

    # -- tier ---------------------------------------------------------------------------------------------
    tier = Tier.LOW
    for c in categories:
        tier = max(tier, policy.category_tier(c), key=lambda x: x.rank)
    if emergency:
        tier = max(tier, Tier.MEDIUM, key=lambda x: x.rank)
    for r in reasons:
        tier = max(tier, r.tier, key=lambda x: x.rank)
    codes = {r.code for r in reasons}
    blocked_by = [sorted(combo) for combo in policy.blocked_when() if combo <= codes]
    if blocked_by:
        tier = Tier.BLOCKED
        checks["blocked_by_combination"] = blocked_by
    if preservation and tier is not Tier.BLOCKED:
        checks["preservation"] = "data is held, nothing is disclosed"
    slots = policy.quorum(tier)
    required = tuple(s.describe() for s in slots) if slots else ()
    return Assessment(
        request_id=request_id,
        tier=tier,
        reasons=tuple(reasons),
        required_approvals=required,
        policy_version=policy.version,
        reach=ctx.reach.summary(),
        checks=checks,
    )
