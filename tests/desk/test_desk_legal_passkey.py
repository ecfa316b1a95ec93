"""Approvals signed with passkeys in the desk (issue 14 part 1), through the TestClient with a software
passkey (legal_helpers.SoftPasskey): counted in the quorum beside CLI approvals, every quorum rule refusing
in the desk as in the CLI (and logged), a direct POST refused the same way, a tampered stored assertion
failing the quorum check and the offline package verification."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from desk_helpers import Demo, sign_in
from fastapi.testclient import TestClient
from legal_helpers import MEDIUM, SoftPasskey, file_sample, link, operator_for, sign
from sqlalchemy import update

from vaspguard.audit import AuditLog
from vaspguard.desk import User
from vaspguard.errors import IntegrityViolation
from vaspguard.requests import LawfulRequests, read_private_key, verify_logged_approvals, verify_package

COURT_ORDER = "police-listed-wallet.json"
DRAGNET = "dragnet-foundation-donors.json"


def _person(client: TestClient, demo: Demo, user: User) -> tuple[str, SoftPasskey]:
    passkey = SoftPasskey()
    passkey.enrol(demo.store, user)
    return sign_in(client, user), passkey


def _legal(client: TestClient, demo: Demo, make_user: Callable[..., User]) -> tuple[str, SoftPasskey]:
    """Lea, of legal, signed in with a passkey, acting as operator demo-legal."""
    lea = make_user("lea", "legal")
    link(demo.store, "demo-legal", lea)
    return _person(client, demo, lea)


def _refusals(demo: Demo, request_id: str) -> list[str]:
    log = AuditLog.open(demo.store)
    return [
        e.payload["reason"] for e in log.events("requests.approve.refused", subject=f"request:{request_id}")
    ]


def test_a_passkey_approval_meets_the_quorum_and_the_package_verifies_offline(
    client: TestClient, demo: Demo, make_user: Callable[..., User], tmp_path: Path
) -> None:
    rid = file_sample(demo.store, demo.data_dir, COURT_ORDER)  # a court order: legal's approval suffices
    lawful = LawfulRequests(demo.store)
    assert not lawful.quorum_status(rid).met
    csrf, passkey = _legal(client, demo, make_user)
    answer = sign(client, csrf, passkey, rid, "approve")
    assert answer.status_code == 200, answer.text
    assert lawful.quorum_status(rid).counted == ("demo-legal",)
    page = client.get(f"/requests/{rid}").text
    assert "passkey" in page and "Disclose and download the package" in page
    download = client.post(f"/requests/{rid}/disclose", data={"csrf": csrf})
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as zf:
        zf.extractall(tmp_path)
    result = verify_package(tmp_path / rid)
    assert [(a["operator"], a["method"]) for a in result["approvals"]] == [("demo-legal", "webauthn")]
    (left,) = AuditLog.open(demo.store).events("desk.disclosure")
    assert left.actor == "lea"
    assert left.payload["request_id"] == rid and left.payload["record_counts"] == result["record_counts"]


def test_the_regional_lead_of_the_requesters_region_is_refused_with_the_reason_shown_and_logged(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    rid = file_sample(demo.store, demo.data_dir, COURT_ORDER)
    lead = make_user("rolf", "regional_lead", region="EU")
    operator_for(demo.store, lead, role="regional_lead", region="EU")
    csrf, passkey = _person(client, demo, lead)
    answer = sign(client, csrf, passkey, rid, "approve")
    assert answer.status_code == 409
    assert "regional lead of EU" in answer.text
    assert any("regional lead" in r for r in _refusals(demo, rid))
    assert "approve refused" in client.get(f"/requests/{rid}").text


def test_a_blocked_request_refuses_a_passkey_approval_and_shows_no_disclose_control(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    rid = file_sample(demo.store, demo.data_dir, DRAGNET)
    csrf, passkey = _legal(client, demo, make_user)
    page = client.get(f"/requests/{rid}").text
    assert "Blocked: nothing can be approved" in page and "Disclose" not in page
    answer = sign(client, csrf, passkey, rid, "approve")
    assert answer.status_code == 409 and "blocked" in answer.text
    direct = client.post(f"/requests/{rid}/disclose", data={"csrf": csrf})
    assert direct.status_code == 409 and "blocked" in direct.text
    log = AuditLog.open(demo.store)
    assert log.events("requests.disclose.refused", subject=f"request:{rid}")


def test_the_intake_person_cannot_approve_in_the_desk(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    rid = file_sample(demo.store, demo.data_dir, COURT_ORDER)
    ina = make_user("ina", "legal")
    link(demo.store, "demo-intake", ina)
    csrf, passkey = _person(client, demo, ina)
    answer = sign(client, csrf, passkey, rid, "approve")
    assert answer.status_code == 409 and "intake" in answer.text


def test_nobody_approves_twice(client: TestClient, demo: Demo, make_user: Callable[..., User]) -> None:
    rid = file_sample(demo.store, demo.data_dir, COURT_ORDER, **MEDIUM)
    csrf, passkey = _legal(client, demo, make_user)
    assert sign(client, csrf, passkey, rid, "approve").status_code == 200
    again = sign(client, csrf, passkey, rid, "approve")
    assert again.status_code == 409 and "already approved" in again.text


def test_a_desk_user_not_linked_to_an_operator_cannot_sign(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    rid = file_sample(demo.store, demo.data_dir, COURT_ORDER)
    csrf, _ = _person(client, demo, make_user("lou", "legal"))
    answer = client.post(
        f"/requests/{rid}/sign/options", json={"decision": "approve"}, headers={"X-CSRF-Token": csrf}
    )
    assert answer.status_code == 409 and "not linked" in answer.text


@pytest.mark.parametrize("attack", ["no ceremony", "other message", "someone else's passkey"])
def test_a_direct_post_without_a_valid_ceremony_is_refused_and_logged(
    client: TestClient, demo: Demo, make_user: Callable[..., User], attack: str
) -> None:
    rid = file_sample(demo.store, demo.data_dir, COURT_ORDER)
    csrf, passkey = _legal(client, demo, make_user)
    headers = {"X-CSRF-Token": csrf}
    if attack == "no ceremony":
        credential = passkey.answer({"challenge": "AAAA"})
    elif attack == "other message":  # a challenge for a reject, sent as an approval
        options = client.post(
            f"/requests/{rid}/sign/options", json={"decision": "reject", "reason": "x"}, headers=headers
        )
        credential = passkey.answer(options.json())
    else:
        options = client.post(f"/requests/{rid}/sign/options", json={"decision": "approve"}, headers=headers)
        credential = SoftPasskey().answer(options.json())
    answer = client.post(f"/requests/{rid}/approve", json={"credential": credential}, headers=headers)
    assert answer.status_code == 409
    assert LawfulRequests(demo.store).quorum_status(rid).counted == ()
    assert _refusals(demo, rid)


def test_a_tampered_stored_assertion_fails_the_quorum_check_and_offline_verification(
    client: TestClient, demo: Demo, make_user: Callable[..., User], tmp_path: Path
) -> None:
    from vaspguard.requests._tables import ApprovalRow

    rid = file_sample(demo.store, demo.data_dir, COURT_ORDER)
    lawful = LawfulRequests(demo.store)
    csrf, passkey = _legal(client, demo, make_user)
    assert sign(client, csrf, passkey, rid, "approve").status_code == 200
    for name in ("demo-privacy", "demo-legal-us", "demo-security"):
        if not lawful.quorum_status(rid).met:
            lawful.approve(
                rid, operator=name, key=read_private_key(demo.data_dir / "demo-operators" / f"{name}.pem")
            )
    assert lawful.quorum_status(rid).met
    lawful.disclose(rid, tmp_path / "good", actor="lea")
    manifest = json.loads((tmp_path / "good" / "manifest.json").read_text())
    (entry,) = [a for a in manifest["approvals"] if a.get("method") == "webauthn"]
    # offline: the approval in the manifest, one byte of its signature changed, no longer verifies
    from vaspguard.requests._disclose import check_approvals

    check_approvals(manifest)
    entry["signature"] = _flip(entry["signature"])
    with pytest.raises(IntegrityViolation, match="approval by demo-legal does not verify"):
        check_approvals(manifest)
    # in the database: the quorum check no longer counts it
    with demo.store.connect() as conn:
        conn.execute(
            update(ApprovalRow)
            .where(ApprovalRow.request_id == rid, ApprovalRow.method == "webauthn")
            .values(signature=entry["signature"])  # the one-byte-changed signature
        )
    status = lawful.quorum_status(rid)
    assert "demo-legal" not in status.counted
    assert any("passkey's stored public key" in i for i in status.ignored)


def _flip(signature_hex: str) -> str:
    raw = bytearray(bytes.fromhex(signature_hex))
    raw[-1] ^= 0x01
    return raw.hex()


def test_narrowing_is_previewed_then_signed_and_voids_earlier_approvals_visibly(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    rid = file_sample(demo.store, demo.data_dir, COURT_ORDER, **MEDIUM)
    lea, pia = make_user("lea", "legal"), make_user("pia", "privacy")
    link(demo.store, "demo-legal", lea)
    link(demo.store, "demo-privacy", pia)
    csrf, passkey = _person(client, demo, lea)
    assert sign(client, csrf, passkey, rid, "approve").status_code == 200
    csrf, passkey = _person(client, demo, pia)
    keep = {"keep": LawfulRequests(demo.store).show(rid)["scope"]["targets"][0]["value"]}
    fields = {**keep, "category": ["subscriber_info", "transaction_history"]}
    preview = client.get(f"/requests/{rid}/narrow", params=fields)
    assert preview.status_code == 200 and "Narrowed (version 2)" in preview.text
    assert "tier low" in preview.text  # without IP logs the tier drops
    bad = client.get(f"/requests/{rid}/narrow", params={**keep, "category": ["balances"]})
    assert bad.status_code == 400 and "cannot be added by narrowing" in bad.text
    assert sign(client, csrf, passkey, rid, "narrow", **fields).status_code == 200
    shown = LawfulRequests(demo.store).show(rid)
    assert shown["scope_version"] == 2 and shown["quorum"]["counted"] == []
    page = client.get(f"/requests/{rid}").text
    assert "voided" in page and "scope narrowed to version 2 by demo-privacy" in page


def test_operators_link_names_a_desk_user_and_refuses_an_unknown_one(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    from vaspguard.cli import run

    lea = make_user("lea", "legal")
    assert run(["operators", "link", "demo-legal", "--desk-user", "nobody"]) == 2
    assert run(["operators", "link", "demo-legal"]) == 2
    assert run(["operators", "link", "demo-legal", "--desk-user", "lea", "--as", "admin"]) == 0
    assert LawfulRequests(demo.store).operator_of_desk_user("lea").name == "demo-legal"  # type: ignore[union-attr]
    sign_in(client, lea)
    rid = file_sample(demo.store, demo.data_dir, COURT_ORDER)
    assert "as operator demo-legal (legal, EU)" in client.get(f"/requests/{rid}").text
    assert AuditLog.open(demo.store).events("requests.operator.link")
    assert run(["operators", "link", "demo-legal", "--unlink", "--as", "admin"]) == 0
    assert LawfulRequests(demo.store).operator_of_desk_user("lea") is None


def test_a_blocked_request_is_returned_to_process_with_a_passkey_and_a_reason_is_required(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    rid = file_sample(demo.store, demo.data_dir, DRAGNET)
    csrf, passkey = _legal(client, demo, make_user)
    empty = sign(client, csrf, passkey, rid, "reject", reason=" ")
    assert empty.status_code == 409 and "needs a reason" in empty.text
    answer = sign(client, csrf, passkey, rid, "reject", reason="no lawful process", return_to_process=True)
    assert answer.status_code == 200, answer.text
    shown = LawfulRequests(demo.store).show(rid)
    assert shown["state"] == "rejected"
    (rejection,) = [a for a in shown["approvals"] if a["decision"] == "reject"]
    assert rejection["method"] == "webauthn"
    events = AuditLog.open(demo.store).events("requests.reject", subject=f"request:{rid}")
    (logged,) = [e for e in events if e.type == "requests.reject"]
    assert logged.payload["return_to_process"] is True and logged.payload["method"] == "webauthn"


def test_a_passkey_answer_is_used_once(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    rid = file_sample(demo.store, demo.data_dir, COURT_ORDER, **MEDIUM)
    lea = make_user("lea", "legal")
    link(demo.store, "demo-legal", lea)
    csrf, passkey = _person(client, demo, lea)
    headers = {"X-CSRF-Token": csrf}
    options = client.post(f"/requests/{rid}/sign/options", json={"decision": "approve"}, headers=headers)
    credential = passkey.answer(options.json())
    first = client.post(f"/requests/{rid}/approve", json={"credential": credential}, headers=headers)
    assert first.status_code == 200
    LawfulRequests(demo.store).link_desk_user("demo-legal", None, actor="test")
    link(demo.store, "demo-legal-us", lea)  # the same person as another operator, replaying the answer
    replay = client.post(f"/requests/{rid}/approve", json={"credential": credential}, headers=headers)
    assert replay.status_code == 409 and "no signing ceremony was started" in replay.text


def test_a_regional_lead_cannot_narrow(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    rid = file_sample(demo.store, demo.data_dir, COURT_ORDER, **MEDIUM)
    lead = make_user("rolf", "regional_lead", region="AMERICAS")
    operator_for(demo.store, lead, role="regional_lead", region="AMERICAS")
    csrf, passkey = _person(client, demo, lead)
    target = LawfulRequests(demo.store).show(rid)["scope"]["targets"][0]["value"]
    answer = sign(client, csrf, passkey, rid, "narrow", keep=target, category=["subscriber_info"])
    assert (
        answer.status_code == 409
        and "only legal, privacy, security or executive operators narrow" in answer.text
    )
    assert LawfulRequests(demo.store).show(rid)["scope_version"] == 1


def test_an_audit_bundle_verifies_passkey_and_key_approvals_offline_and_a_tampered_one_fails(
    client: TestClient, demo: Demo, make_user: Callable[..., User], tmp_path: Path
) -> None:
    from vaspguard.audit import export_bundle
    from vaspguard.cli import run

    rid = file_sample(demo.store, demo.data_dir, COURT_ORDER, **MEDIUM)
    csrf, passkey = _legal(client, demo, make_user)
    assert sign(client, csrf, passkey, rid, "approve").status_code == 200
    key = read_private_key(demo.data_dir / "demo-operators" / "demo-privacy.pem")
    LawfulRequests(demo.store).approve(rid, operator="demo-privacy", key=key)
    bundle = tmp_path / "bundle"
    export_bundle(AuditLog.open(demo.store), bundle, with_payloads=True)
    assert verify_logged_approvals(bundle)["by_method"] == {"ed25519": 1, "webauthn": 1}
    assert run(["requests", "verify-approvals", str(bundle)]) == 0
    lines = (bundle / "payloads.jsonl").read_text().splitlines()
    for n, line in enumerate(lines):
        record = json.loads(line)
        payload = json.loads(record["payload"] or "null")
        if payload and payload.get("method") == "webauthn" and "scope_sha256" in payload:
            payload["signature"] = _flip(payload["signature"])
            lines[n] = json.dumps({**record, "payload": json.dumps(payload)})
    (bundle / "payloads.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(IntegrityViolation, match="by demo-legal does not verify"):
        verify_logged_approvals(bundle)
    assert run(["requests", "verify-approvals", str(bundle)]) != 0
