"""Every approval rule, each with a refusing case; tampering with an approval's signature or its receipt."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from lr_helpers import AGENCIES, FOUNDATION, TODAY, Desk, at, court_order, fresh
from sqlalchemy import update

from vaspguard.errors import InvalidRequest, QuorumRefused
from vaspguard.requests import (
    DataCategory,
    ReasonCode,
    Tier,
    parse_agency,
    parse_request,
    public_hex,
)
from vaspguard.requests._tables import ApprovalRow
from vaspguard.store import Store


@pytest.fixture
def desk(store: Store) -> Desk:
    return Desk(store)


def medium_request() -> dict[str, Any]:
    # ip_logs raise the tier to medium: legal plus privacy or security.
    return court_order(data_categories=["transaction_history", "ip_logs"], non_disclosure=None)


def high_request() -> dict[str, Any]:
    # A name target describes people rather than an account: DRAGNET, high tier.
    return court_order(targets=[{"type": "name", "value": "Jonas Becker"}], non_disclosure=None)


def test_intake_operator_cannot_approve(desk: Desk) -> None:
    rid = desk.file(court_order(), intake="legal2")
    with pytest.raises(QuorumRefused, match="intake operator"):
        desk.approve(rid, "legal2")
    assert desk.approve(rid, "legal1").quorum.met


def test_filing_as_someone_else_is_refused(desk: Desk) -> None:
    """Otherwise a regional lead could file "as intake1" and then approve what they filed."""
    with pytest.raises(InvalidRequest, match="not the registered key"):
        desk.svc.file(parse_request(court_order()), intake="intake1", key=desk.keys["lead-cis"])
    with pytest.raises(InvalidRequest, match="needs their key"):
        desk.svc.file(parse_request(court_order()), intake="intake1")


def test_deactivated_operator_signs_nothing(desk: Desk) -> None:
    rid = desk.file(medium_request())
    desk.approve(rid, "legal1")
    desk.svc.deactivate_operator("legal1", actor="admin", reason="key compromised")
    with pytest.raises(InvalidRequest, match="not active"):
        desk.approve(desk.file(court_order()), "legal1")
    # What was signed before stays on record and verifies.
    assert desk.svc.quorum_status(rid).counted == ("legal1",)


def test_intake_role_cannot_approve(desk: Desk) -> None:
    rid = desk.file(court_order(), intake="legal2")
    with pytest.raises(QuorumRefused, match="intake operators cannot approve"):
        desk.approve(rid, "intake1")


def test_nobody_approves_twice(desk: Desk) -> None:
    rid = desk.file(medium_request())
    assert desk.svc.assessment(rid).tier is Tier.MEDIUM
    assert not desk.approve(rid, "legal1").quorum.met
    with pytest.raises(QuorumRefused, match="already approved"):
        desk.approve(rid, "legal1")
    status = desk.svc.quorum_status(rid)
    assert not status.met and status.missing == ("privacy|security",)


def test_medium_needs_privacy_or_security(desk: Desk) -> None:
    rid = desk.file(medium_request())
    desk.approve(rid, "legal1")
    # A second legal approver does not fill the privacy|security slot.
    assert not desk.approve(rid, "legal2").quorum.met
    outcome = desk.approve(rid, "privacy1")
    assert outcome.quorum.met and set(outcome.quorum.counted) == {"legal1", "privacy1"}


def test_regional_lead_never_counts_in_own_region(desk: Desk) -> None:
    rid = desk.file(high_request())
    assessment = desk.svc.assessment(rid)
    assert assessment.tier is Tier.HIGH and ReasonCode.DRAGNET in assessment.codes()
    with pytest.raises(QuorumRefused, match="regional lead of EU"):
        desk.approve(rid, "lead-eu")
    desk.approve(rid, "legal1")
    desk.approve(rid, "privacy1")
    # A regional lead from another region can fill the other-region slot.
    assert desk.approve(rid, "lead-cis").quorum.met


def test_high_needs_an_approver_from_another_region(desk: Desk) -> None:
    rid = desk.file(high_request())
    desk.approve(rid, "legal1")
    desk.approve(rid, "privacy1")
    outcome = desk.approve(rid, "legal2")  # a third approver, but from the requester's own region
    assert not outcome.quorum.met
    assert outcome.quorum.missing == ("executive|legal|privacy|regional_lead|security (other region)",)
    assert desk.approve(rid, "security-us").quorum.met


def test_blocked_request_cannot_be_approved(desk: Desk) -> None:
    doc = court_order(channel="in_person", instrument={"type": "informal_request"}, non_disclosure=None)
    rid = desk.file(doc)
    assert desk.svc.assessment(rid).tier is Tier.BLOCKED
    for name in ("legal1", "privacy1", "security-us", "exec-apac"):
        with pytest.raises(QuorumRefused, match="blocked"):
            desk.approve(rid, name)
    assert desk.svc.quorum_status(rid).missing == ("none: the request is blocked",)


def test_narrowing_voids_earlier_approvals(desk: Desk, tmp_path: Path) -> None:
    rid = desk.file(medium_request())
    desk.approve(rid, "legal1")
    assert desk.approve(rid, "privacy1").quorum.met
    before = desk.svc.show(rid)["scope_sha256"]
    result = desk.svc.narrow(
        rid, operator="legal2", key=desk.keys["legal2"], categories=[DataCategory.TRANSACTION_HISTORY]
    )
    assert result.tier is Tier.LOW
    shown = desk.svc.show(rid)
    assert shown["state"] == "assessed" and shown["scope_sha256"] != before
    assert all(a["void"] for a in shown["approvals"])
    assert not shown["quorum"]["met"]
    with pytest.raises(QuorumRefused, match="not approved"):
        desk.svc.disclose(rid, tmp_path / "out", actor="legal1")
    # The earlier approver may sign the narrowed scope; their old signature does not count for it.
    assert desk.approve(rid, "legal1").quorum.met


def test_narrowing_cannot_widen(desk: Desk) -> None:
    rid = desk.file(medium_request())
    key = desk.keys["legal1"]
    with pytest.raises(InvalidRequest, match="cannot be added"):
        desk.svc.narrow(rid, operator="legal1", key=key, categories=[DataCategory.KYC_DOCUMENTS])
    with pytest.raises(InvalidRequest, match="widens"):
        desk.svc.narrow(rid, operator="legal1", key=key, start=TODAY - timedelta(days=400))
    with pytest.raises(InvalidRequest, match="not a target"):
        desk.svc.narrow(rid, operator="legal1", key=key, keep_targets=["A-D2"])
    with pytest.raises(InvalidRequest, match="unchanged"):
        desk.svc.narrow(rid, operator="legal1", key=key, keep_targets=["A-D1"])


def test_someone_elses_key_is_refused(desk: Desk) -> None:
    rid = desk.file(court_order())
    with pytest.raises(InvalidRequest, match="not the registered key"):
        desk.svc.approve(rid, operator="legal1", key=desk.keys["privacy1"])


def test_insufficient_instrument_must_be_narrowed(desk: Desk) -> None:
    doc = court_order(
        instrument={**court_order()["instrument"], "type": "subpoena"},
        targets=[{"type": "customer_id", "value": "D1"}],
        data_categories=["subscriber_info", "transaction_history"],
        non_disclosure=None,
    )
    rid = desk.file(doc)
    reasons = {r.code: r.detail for r in desk.svc.assessment(rid).reasons}
    assert "does not suffice for transaction_history" in reasons[ReasonCode.INSTRUMENT_INSUFFICIENT]
    with pytest.raises(QuorumRefused, match="narrow the scope first"):
        desk.approve(rid, "legal1")
    narrowed = desk.svc.narrow(
        rid, operator="legal1", key=desk.keys["legal1"], categories=[DataCategory.SUBSCRIBER_INFO]
    )
    assert ReasonCode.INSTRUMENT_INSUFFICIENT not in narrowed.codes()
    assert desk.approve(rid, "legal2").quorum.met


def test_forged_approval_signature_is_ignored_and_disclosure_refused(
    desk: Desk, store: Store, tmp_path: Path
) -> None:
    rid = desk.file(court_order())
    assert desk.approve(rid, "legal1").quorum.met
    forged = desk.keys["legal2"].sign(b"something else").hex()
    with store.connect() as conn:
        conn.execute(update(ApprovalRow).where(ApprovalRow.request_id == rid).values(signature=forged))
    status = desk.svc.quorum_status(rid)
    assert not status.met
    assert status.ignored == ("legal1: signature does not verify with the operator's registered key",)
    with pytest.raises(QuorumRefused, match="no quorum"):
        desk.svc.disclose(rid, tmp_path / "out", actor="legal1")
    assert not (tmp_path / "out").exists()
    assert desk.svc.audit.events("requests.disclose.refused", subject=f"request:{rid}")


def test_disclosure_needs_the_audit_receipt(desk: Desk, store: Store, tmp_path: Path) -> None:
    rid = desk.file(court_order())
    desk.approve(rid, "legal1")
    # A receipt for another entry (the intake) does not prove the approval.
    other = desk.svc.audit.events("requests.intake", subject=f"request:{rid}")[0].index
    wrong = json.dumps(desk.svc.audit.receipt(other).to_json())
    with store.connect() as conn:
        conn.execute(update(ApprovalRow).where(ApprovalRow.request_id == rid).values(receipt=wrong))
    with pytest.raises(QuorumRefused, match="audit log does not hold"):
        desk.svc.disclose(rid, tmp_path / "a", actor="legal1")
    # A receipt whose proof was tampered with does not verify.
    good = desk.svc.audit.receipt(
        desk.svc.audit.events("requests.approve", subject=f"request:{rid}")[0].index
    )
    doc = good.to_json()
    doc["entry"] = doc["entry"].replace('"legal1"', '"legal2"')
    with store.connect() as conn:
        conn.execute(update(ApprovalRow).where(ApprovalRow.request_id == rid).values(receipt=json.dumps(doc)))
    with pytest.raises(QuorumRefused, match="does not verify"):
        desk.svc.disclose(rid, tmp_path / "b", actor="legal1")
    with store.connect() as conn:
        conn.execute(update(ApprovalRow).where(ApprovalRow.request_id == rid).values(receipt=None))
    with pytest.raises(QuorumRefused, match="no audit receipt"):
        desk.svc.disclose(rid, tmp_path / "c", actor="legal1")
    # With the genuine receipt back, disclosure goes ahead.
    with store.connect() as conn:
        conn.execute(
            update(ApprovalRow)
            .where(ApprovalRow.request_id == rid)
            .values(receipt=json.dumps(good.to_json()))
        )
    assert desk.svc.disclose(rid, tmp_path / "d", actor="legal1")["record_counts"]["transaction_history"] > 0


def test_security_service_linked_requester_and_protected_counterparty(desk: Desk) -> None:
    """A domestic-looking court order for one customer whose counterparty is the protected foundation."""
    doc = court_order(
        agency="RU-ROSFIN",
        targets=[{"type": "customer_id", "value": "R1"}],
        non_disclosure=None,
        instrument={**court_order()["instrument"], "type": "mlat_request"},
    )
    a = desk.svc.assessment(desk.file(doc))
    details = {r.code: r.detail for r in a.reasons}
    assert "linked to Federal Security Service" in details[ReasonCode.REQUESTER_SECURITY_SERVICE]
    assert "Anti-Corruption Foundation" in details[ReasonCode.PROTECTED_TARGET]
    assert ReasonCode.FOREIGN_WITHOUT_MLAT not in a.codes()
    assert a.tier is Tier.BLOCKED  # protected target with a security-service requester


def test_sanctioned_requester_is_blocked(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    from vaspguard.requests._names import SanctionsHit

    def listed(names: Any, *, min_score: float) -> tuple[list[SanctionsHit], str]:
        return [
            SanctionsHit(n, "ofac_sdn:1", n.upper(), 1.0) for n in names if "Landeskriminalamt" in n
        ], "stub"

    monkeypatch.setattr(desk.svc.sanctions, "hits", listed)
    email = court_order(agency="DE-LKA-BERLIN", non_disclosure=None)
    a = desk.svc.assessment(desk.file(email))
    assert ReasonCode.REQUESTER_SANCTIONED in a.codes() and a.tier is Tier.BLOCKED


def test_email_needs_callback_to_an_independent_number(desk: Desk) -> None:
    base = court_order(channel="email", non_disclosure=None)
    a = desk.svc.assessment(desk.file(base))
    assert ReasonCode.OUT_OF_BAND_CHANNEL in a.codes()
    # A number taken from the request itself proves nothing.
    cb = {"number": "+4912345678", "by": "intake1", "at": at(TODAY).isoformat(), "outcome": "confirmed"}
    a = desk.svc.assessment(desk.file(fresh({**base, "callback": cb})))
    assert ReasonCode.OUT_OF_BAND_CHANNEL in a.codes()
    cb["number"] = "+49309014"  # the court's number from the court directory
    a = desk.svc.assessment(desk.file(fresh({**base, "callback": cb})))
    assert ReasonCode.OUT_OF_BAND_CHANNEL not in a.codes()


def test_sender_outside_official_domains(desk: Desk) -> None:
    cb = {"number": "+49309014", "by": "intake1", "at": at(TODAY).isoformat(), "outcome": "confirmed"}
    base = court_order(channel="email", callback=cb, non_disclosure=None)
    official = desk.svc.assessment(desk.file({**base, "sender_email": "K.Roth@berlin.de"}))
    assert official.reasons == ()
    sub = desk.svc.assessment(desk.file(fresh({**base, "sender_email": "roth@ag-tiergarten.berlin.de"})))
    assert sub.reasons == ()
    lookalike = desk.svc.assessment(desk.file(fresh({**base, "sender_email": "roth@berlin-de.gov-mail.com"})))
    details = {r.code: r.detail for r in lookalike.reasons}
    assert "berlin-de.gov-mail.com, not an official domain" in details[ReasonCode.REQUESTER_UNVERIFIED]


def test_signed_instrument(desk: Desk) -> None:
    issuer = Ed25519PrivateKey.generate()
    agency = {**AGENCIES[2], "public_keys": [public_hex(issuer)]}
    desk.svc.add_agency(parse_agency(agency), actor="admin")
    document = court_order()["instrument"]
    digest = bytes.fromhex(document["document_sha256"])
    signed = court_order(instrument={**document, "signature": issuer.sign(digest).hex()})
    a = desk.svc.assessment(desk.file(signed))
    assert str(a.checks["instrument_signature"]).startswith("verified")
    other = court_order()["instrument"]
    forged = court_order(
        instrument={
            **other,
            "signature": Ed25519PrivateKey.generate().sign(bytes.fromhex(other["document_sha256"])).hex(),
        }
    )
    a = desk.svc.assessment(desk.file(forged))
    assert ReasonCode.INSTRUMENT_SIGNATURE_INVALID in a.codes() and a.tier is Tier.BLOCKED


def test_preservation_holds_and_expires(desk: Desk, tmp_path: Path) -> None:
    doc = court_order(
        instrument={**court_order()["instrument"], "type": "preservation_request"},
        non_disclosure=None,
        data_categories=["transaction_history"],
    )
    rid = desk.file(doc)
    outcome = desk.approve(rid, "legal1")
    assert outcome.state.value == "preserved"
    with pytest.raises(QuorumRefused, match="preservation request discloses nothing"):
        desk.svc.disclose(rid, tmp_path / "out", actor="legal1")
    until = desk.svc.extend_preservation(rid, operator="legal1", key=desk.keys["legal1"])
    assert until == TODAY + timedelta(days=180)
    with pytest.raises(QuorumRefused, match="at most 1"):
        desk.svc.extend_preservation(rid, operator="legal1", key=desk.keys["legal1"])
    items = next(r for r in desk.svc.list(on=until + timedelta(days=1)) if r["id"] == rid)["attention"]
    assert any(i.startswith("PRESERVATION_EXPIRED") for i in items)


def test_ndo_without_end_is_flagged_and_holds_notices(desk: Desk, tmp_path: Path) -> None:
    doc = court_order(non_disclosure={"basis": "standing order"})
    rid = desk.file(doc)
    a = desk.svc.assessment(rid)
    assert ReasonCode.NDO_WITHOUT_END in a.codes() and a.tier is Tier.MEDIUM
    desk.approve(rid, "legal1")
    desk.approve(rid, "privacy1")
    desk.svc.disclose(rid, tmp_path / "out", actor="legal1")
    assert desk.svc.notices(due_only=True, on=TODAY + timedelta(days=3650)) == []
    # An order with an end date moves the held notice; it becomes due that day.
    desk.svc.extend_gag(
        rid,
        operator="legal1",
        key=desk.keys["legal1"],
        until=TODAY + timedelta(days=30),
        basis="order of 1 May",
    )
    assert desk.svc.notices(due_only=True, on=TODAY + timedelta(days=29)) == []
    assert [n["customer_id"] for n in desk.svc.notices(due_only=True, on=TODAY + timedelta(days=30))] == [
        "D1"
    ]
    with pytest.raises(QuorumRefused, match="only legal or executive"):
        desk.svc.extend_gag(rid, operator="privacy1", key=desk.keys["privacy1"], until=TODAY, basis="x")


def test_transparency_report_counts_exactly(desk: Desk, tmp_path: Path, cli: Any) -> None:
    disclosed = desk.file(court_order())
    desk.approve(disclosed, "legal1")
    desk.svc.disclose(disclosed, tmp_path / "pkg", actor="legal1")
    political = desk.file(
        court_order(
            agency="RU-ROSFIN",
            instrument={**court_order()["instrument"], "type": "mlat_request"},
            targets=[{"type": "counterparty_address", "value": FOUNDATION, "chain": "bitcoin"}],
            data_categories=["subscriber_info"],
            non_disclosure=None,
        )
    )
    desk.svc.reject(
        political, operator="legal1", key=desk.keys["legal1"], reason="donors of a protected party"
    )
    narrowed = desk.file(medium_request())
    desk.svc.narrow(narrowed, operator="legal1", key=desk.keys["legal1"], categories=[DataCategory.IP_LOGS])

    report = desk.svc.report(TODAY - timedelta(days=30), TODAY)
    assert report["requests"] == 3
    assert report["outcomes"] == {"disclosed": 1, "pending": 1, "rejected_human_rights": 1}
    assert report["narrowed"] == 1 and report["customers_affected"] == 1
    assert report["by_country"] == {
        "DE": {"received": 2, "disclosed": 1, "accounts_affected": 1},
        "RU": {"received": 1, "disclosed": 0, "accounts_affected": 0},
    }
    assert report["by_agency_class"]["financial_intelligence_unit"]["received"] == 1
    assert report["reasons"]["PROTECTED_TARGET"] == 1
    assert report["non_disclosure_orders"] == {"received": 1, "without_end_or_too_long": 0}
    assert desk.svc.report(TODAY + timedelta(days=1), TODAY + timedelta(days=2))["requests"] == 0
    period = ("--from", (TODAY - timedelta(days=30)).isoformat(), "--to", TODAY.isoformat())
    code, out, err = cli("--db", desk.svc.store.url, "requests", "report", *period, "--json")
    assert code == 0, err
    assert json.loads(out)["by_country"] == report["by_country"]
