"""Assessment: a request and what is known about it in, a tier and stable reason codes out.

A pure function of the request, the policy and an ``AssessmentContext`` (agency registry entries, sanctions
hits, reach, protected-party matches), so the same inputs always give the same assessment, which names the
policy version it ran under. Each rule cites the principle it implements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from vaspguard.requests._model import (
    Agency,
    AgencyClass,
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


def _a_class(agency_class: AgencyClass) -> str:
    """An agency class as a reason reads it: "a security service", "an intelligence agency"."""
    words = {AgencyClass.INTELLIGENCE: "intelligence agency", AgencyClass.MILITARY: "military body"}
    name = words.get(agency_class, agency_class.value.replace("_", " "))
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


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


def assess(
    request: LawfulRequest, scope: Scope, request_id: str, policy: Policy, ctx: AssessmentContext
) -> Assessment:
    """Apply each criterion in turn (the reasons keep this order), then derive the tier."""
    c = _Criteria(request, scope, policy, ctx)
    c.requester()
    c.instrument()
    c.foreign_authority()
    callback_ok = c.channel()
    c.dragnet()
    c.protected_and_political()
    c.categories(callback_ok)
    c.non_disclosure()
    tier = c.tier()
    slots = policy.quorum(tier)
    required = tuple(s.describe() for s in slots) if slots else ()
    return Assessment(
        request_id=request_id,
        tier=tier,
        reasons=tuple(c.reasons),
        required_approvals=required,
        policy_version=policy.version,
        reach=ctx.reach.summary(),
        checks=c.checks,
    )


class _Criteria:
    """One assessment in progress: the facts every criterion reads, and the reasons and checks so far."""

    def __init__(self, request: LawfulRequest, scope: Scope, policy: Policy, ctx: AssessmentContext) -> None:
        self.request = request
        self.scope = scope
        self.policy = policy
        self.ctx = ctx
        self.reasons: list[Reason] = []
        self.checks: dict[str, object] = {
            "name_matcher": ctx.name_matcher,
            "sanctions_screening": ctx.sanctions_check,
        }
        self.today = ctx.today or request.received_at.date()
        self.agency = ctx.agency
        self.country = self.agency.country if self.agency else request.agency_country
        self.agency_label = (
            f"{self.agency.name} ({self.agency.id}, {self.country})"
            if self.agency
            else f"{request.agency_name} ({self.country})"
        )
        self.data_categories = set(scope.data_categories)
        self.itype = request.instrument.type
        self.emergency = (
            self.itype is InstrumentType.EMERGENCY_DISCLOSURE_REQUEST or request.emergency is not None
        )
        self.preservation = self.itype is InstrumentType.PRESERVATION_REQUEST

    def add(self, code: ReasonCode, detail: str, tier: Tier | None = None) -> None:
        self.reasons.append(Reason(code, detail, tier or self.policy.reason_tier(code)))

    # -- the requester (FBI PIN 2024: verify the requester; Kodex: agency registry and standing) ----------

    def requester(self) -> None:
        requester = self.policy.section("requester")
        agency, agency_label = self.agency, self.agency_label
        if agency is None:
            self.add(ReasonCode.REQUESTER_UNVERIFIED, f"{agency_label} is not in the authorities registry")
        elif agency.verification_status is not VerificationStatus.VERIFIED:
            self.add(
                ReasonCode.REQUESTER_UNVERIFIED,
                f"{agency_label} verification status is {agency.verification_status}",
            )
        elif (
            agency.verified_on is None
            or (self.today - agency.verified_on).days > requester["reverify_after_days"]
        ):
            self.add(
                ReasonCode.REQUESTER_UNVERIFIED,
                f"{agency_label} was last verified on {agency.verified_on}, more than "
                f"{requester['reverify_after_days']} days ago",
            )
        self.sender_domain()
        self.security_service(set(requester["security_classes"]))
        for hit in self.ctx.sanctions:
            self.add(
                ReasonCode.REQUESTER_SANCTIONED,
                f"{hit.name!r} matches listed {hit.listed_name!r} ({hit.entity_key}, score {hit.score:.2f})",
            )
        if self.country in self.policy.risk_jurisdictions:
            self.add(
                ReasonCode.JURISDICTION_RISK, f"{self.country} is on the policy's risk list of jurisdictions"
            )

    def sender_domain(self) -> None:
        """An official domain is necessary, never sufficient (police mailboxes are bought and sold): a sender
        outside the agency's registered domains is a signal; a callback is still what verifies."""
        agency = self.agency
        if not self.request.sender_email or agency is None:
            return
        domain = self.request.sender_email.rsplit("@", 1)[1]
        if not any(domain == d or domain.endswith("." + d) for d in agency.domains):
            self.add(
                ReasonCode.REQUESTER_UNVERIFIED,
                f"sent from {domain}, not an official domain of {self.agency_label} "
                f"({', '.join(agency.domains) or 'none registered'})",
            )

    def security_service(self, security: set[str]) -> None:
        agency = self.agency
        if agency is None:
            return
        if agency.agency_class.value in security:
            what = _a_class(agency.agency_class)
            self.add(ReasonCode.REQUESTER_SECURITY_SERVICE, f"{self.agency_label} is {what}")
        for other, path in self.ctx.related:
            if other.agency_class.value in security:
                what = _a_class(other.agency_class)
                self.add(
                    ReasonCode.REQUESTER_SECURITY_SERVICE,
                    f"{self.agency_label} is {path} {other.name} ({other.id}), {what}",
                )

    # -- the instrument (SCA tiers; S.2547 signed process) -----------------------------------------------

    def instrument(self) -> None:
        signature = _verify_instrument_signature(self.request, self.agency)
        self.checks["instrument_signature"] = signature
        if signature == "invalid":
            self.add(
                ReasonCode.INSTRUMENT_SIGNATURE_INVALID,
                f"the instrument's signature does not verify with any key registered for {self.agency_label}",
            )
        if self.preservation:
            return
        itype, categories = self.itype, self.data_categories
        covered = self.policy.instrument_categories(itype)
        uncovered = categories - covered
        if uncovered and not (categories & covered):
            self.add(
                ReasonCode.INSTRUMENT_INSUFFICIENT,
                f"instrument {itype} suffices for none of the requested categories "
                f"({', '.join(sorted(uncovered))})",
                Tier.BLOCKED,
            )
        elif uncovered:
            self.add(
                ReasonCode.INSTRUMENT_INSUFFICIENT,
                f"instrument {itype} does not suffice for {', '.join(sorted(uncovered))}; narrow to "
                f"{', '.join(sorted(categories & covered))} or obtain a stronger instrument",
            )

    # -- foreign authorities (N&P: safeguards for international cooperation) ------------------------------

    def foreign_authority(self) -> None:
        if self.country in self.policy.home_countries:
            return
        process = self.foreign_process(self.policy.section("foreign"))
        self.checks["foreign_process"] = process
        if process is None:
            self.add(
                ReasonCode.FOREIGN_WITHOUT_MLAT,
                f"{self.agency_label} is foreign and instrument {self.itype} is neither an MLAT request nor "
                "a recognised direct-cooperation process for these categories",
            )

    def foreign_process(self, foreign: dict[str, Any]) -> str | None:
        """The lawful process by which a foreign authority may ask for these categories, if any."""
        if self.itype.value in foreign["mutual_legal_assistance"]:
            return "mutual legal assistance"
        if self.emergency and foreign.get("emergency_allowed"):
            return "emergency (cross-border)"
        for rec in foreign.get("recognised", []):
            cats = rec.get("categories")
            if (
                self.country in rec["countries"]
                and self.itype.value in rec["instruments"]
                and (cats is None or self.data_categories <= set(cats))
            ):
                return str(rec["name"])
        return None

    # -- the channel (Reuters 2021: the request that bypassed every portal) -------------------------------

    def channel(self) -> bool:
        """Check the channel; whether a confirmed callback to a registered number verified the request."""
        channels = self.policy.section("channels")
        request, agency = self.request, self.agency
        callback = request.callback
        registered = {n.number for n in agency.callback_numbers} if agency else set()
        callback_ok = (
            callback is not None and callback.outcome == "confirmed" and callback.number in registered
        )
        self.checks["callback"] = (
            "none"
            if callback is None
            else f"{callback.outcome} on {callback.number}"
            + (
                ""
                if callback.number in registered
                else " (not an independently sourced number of the agency)"
            )
        )
        if request.channel.value in channels["out_of_band"]:
            self.add(
                ReasonCode.OUT_OF_BAND_CHANNEL,
                f"received {request.channel.value.replace('_', ' ')} by an individual, outside any "
                "authenticated channel; the exchange's staff cannot accept requests this way",
            )
        elif request.channel.value in channels["callback_required"] and not callback_ok:
            self.add(
                ReasonCode.OUT_OF_BAND_CHANNEL,
                f"received by {request.channel} without a confirmed callback to an independently sourced "
                "number of the agency",
            )
        return callback_ok

    # -- dragnet (Dropbox: fight blanket requests; N&P necessity and proportionality) ---------------------

    def dragnet(self) -> None:
        dragnet = self.policy.section("dragnet")
        scope, reach = self.scope, self.ctx.reach
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
        reached = len(reach.customers)
        if reached > dragnet["max_customers_reached"]:
            signals.append(f"more than {dragnet['max_customers_reached']} customers reached")
        if signals:
            self.add(
                ReasonCode.DRAGNET,
                "; ".join(signals) + f"; would reach {reached} customers ({reach.account_count} accounts)",
            )

    # -- protected parties and political offences (N&P legitimate aim; Interpol Art. 3 analogy) -----------

    def protected_and_political(self) -> None:
        for detail in self.ctx.protected:
            self.add(ReasonCode.PROTECTED_TARGET, detail)
        offence = self.request.offence
        if offence is None:
            return
        political = self.policy.section("political_offence")
        text = f"{offence.description} {offence.statute or ''}".casefold()
        terms = [t for t in political["terms"] if t.casefold() in text]
        designations = [t for t in political["designation_terms"] if t.casefold() in text]
        statutes = [
            s
            for s in political["statutes"]
            if offence.statute and _statute_matches(offence.statute, s, self.country)
        ]
        if terms or statutes:
            self.add(
                ReasonCode.POLITICAL_OFFENCE,
                "offence concerns speech, association, assembly or donation: "
                + ", ".join([*(repr(t) for t in terms), *statutes]),
            )
        elif designations and self.ctx.protected:
            self.add(
                ReasonCode.POLITICAL_OFFENCE,
                f"an {'/'.join(designations)} designation used against a protected party",
            )

    # -- categories -------------------------------------------------------------------------------------

    def categories(self, callback_ok: bool) -> None:
        cat_cfg = self.policy.section("categories")
        categories = self.data_categories
        if len(categories) > cat_cfg["max_without_justification"]:
            self.add(
                ReasonCode.OVERBROAD_CATEGORIES,
                f"{len(categories)} data categories requested (more than "
                f"{cat_cfg['max_without_justification']})",
            )
        if self.emergency:
            self.emergency_request(self.policy.section("emergency"), callback_ok)

    def emergency_request(self, em: dict[str, Any], callback_ok: bool) -> None:
        """An emergency gets minimal data, and only with a statement of the emergency and a callback."""
        extra = self.data_categories - {DataCategory(c) for c in em["allowed_categories"]}
        if extra:
            self.add(
                ReasonCode.OVERBROAD_CATEGORIES,
                f"an emergency request gets minimal data only ({', '.join(em['allowed_categories'])}); "
                f"not {', '.join(sorted(extra))}",
            )
        problems = []
        statement = self.request.emergency
        if statement is None:
            problems.append(
                "no emergency statement (nature, persons at risk, why normal process is insufficient)"
            )
        else:
            nature = statement.nature.strip().lower().replace(" ", "_").replace("-", "_")
            if nature not in em["natures"]:
                problems.append(f"nature {statement.nature!r} is not one of {', '.join(em['natures'])}")
        if not callback_ok:
            problems.append("no confirmed callback to an independently sourced number of the agency")
        if problems:
            self.add(ReasonCode.EMERGENCY_UNVERIFIED, "; ".join(problems))

    def non_disclosure(self) -> None:
        ndo = self.request.non_disclosure
        if ndo is None:
            return
        limit = self.policy.section("non_disclosure")["max_days"]
        if ndo.until is None:
            self.add(ReasonCode.NDO_WITHOUT_END, f"non-disclosure order ({ndo.basis}) has no end date")
        elif ndo.until > self.request.received_at.date() + timedelta(days=limit):
            self.add(
                ReasonCode.NDO_WITHOUT_END,
                f"non-disclosure order runs until {ndo.until}, more than {limit} days",
            )

    # -- tier ---------------------------------------------------------------------------------------------

    def tier(self) -> Tier:
        """The highest of the categories' tiers, an emergency's (medium) and the reasons'; blocked when a
        combination of reasons the policy names occurs."""
        tier = Tier.LOW
        for c in self.data_categories:
            tier = max(tier, self.policy.category_tier(c), key=lambda x: x.rank)
        if self.emergency:
            tier = max(tier, Tier.MEDIUM, key=lambda x: x.rank)
        for r in self.reasons:
            tier = max(tier, r.tier, key=lambda x: x.rank)
        codes = {r.code for r in self.reasons}
        blocked_by = [sorted(combo) for combo in self.policy.blocked_when() if combo <= codes]
        if blocked_by:
            tier = Tier.BLOCKED
            self.checks["blocked_by_combination"] = blocked_by
        if self.preservation and tier is not Tier.BLOCKED:
            self.checks["preservation"] = "data is held, nothing is disclosed"
        return tier
