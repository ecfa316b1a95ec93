"""The legal desk's notices page: due notices and their "send" step (logged, an event in the outbox, in one
transaction), the gag ledger with extensions recorded as the linked operator, preservations and emergency
follow-ups; each action refused for the wrong roles, and to a person linked to no (or the wrong) operator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from desk_helpers import Demo, sign_in
from fastapi.testclient import TestClient
from legal_registry_helpers import disclose_court_order, file_request

from vaspguard.audit import AuditLog
from vaspguard.desk import User
from vaspguard.events import EventType, events_after
from vaspguard.requests import LawfulRequests
from vaspguard.store import utcnow


def _sent_events(demo: Demo) -> list[dict[str, object]]:
    return [e.data for e in events_after(demo.store) if e.type is EventType.REQUEST_NOTICE_SENT]


def test_a_due_notice_is_marked_sent_with_its_event_and_audit_entry(
    client: TestClient, demo: Demo, make_user: Callable[..., User], tmp_path: Path
) -> None:
    rid = disclose_court_order(demo, tmp_path)
    csrf = sign_in(client, make_user("Lena Legal", "legal"))
    page = client.get("/legal/notices")
    assert page.status_code == 200
    due = [n for n in LawfulRequests(demo.store).notices() if n["status"] == "due"]
    assert due and all(n["request_id"] == rid for n in due)
    assert f"Mark notice {due[0]['id']} to {due[0]['customer_id']} sent" in page.text

    sent = client.post(f"/legal/notices/{due[0]['id']}/send", data={"csrf": csrf}, follow_redirects=False)
    assert sent.status_code == 303
    assert _sent_events(demo) == [
        {"request_id": rid, "notice_id": due[0]["id"], "customer_id": due[0]["customer_id"]}
    ]
    entry = [e for e in AuditLog.open(demo.store).events("requests.notice.sent")][-1]
    assert entry.entry.actor == "desk:Lena Legal"
    assert f"customer:{due[0]['customer_id']}" in entry.entry.subjects

    again = client.post(f"/legal/notices/{due[0]['id']}/send", data={"csrf": csrf})
    assert again.status_code == 409
    assert "was sent already" in again.text
    assert len(_sent_events(demo)) == 1


def test_a_held_notice_cannot_be_sent_and_wrong_roles_are_refused(
    client: TestClient, demo: Demo, make_user: Callable[..., User], tmp_path: Path
) -> None:
    disclose_court_order(demo, tmp_path, ndo_until=utcnow().date() + timedelta(days=60))
    (held,) = [n for n in LawfulRequests(demo.store).notices() if n["status"] == "held"][:1]
    csrf = sign_in(client, make_user("Lena Legal", "legal"))
    refused = client.post(f"/legal/notices/{held['id']}/send", data={"csrf": csrf})
    assert refused.status_code == 409
    assert "held until" in refused.text
    for role in ("auditor", "executive", "analyst"):
        csrf = sign_in(client, make_user(f"Someone {role}", role))
        answer = client.post(f"/legal/notices/{held['id']}/send", data={"csrf": csrf})
        assert answer.status_code == 403, role
    assert _sent_events(demo) == []
    no_csrf = sign_in(client, make_user("Pia Privacy", "privacy"))
    assert no_csrf
    assert client.post(f"/legal/notices/{held['id']}/send").status_code == 403


def _link(demo: Demo, operator: str, user: User) -> None:
    from vaspguard.desk._legal_registry_links import link

    link(demo.store, operator, user, by=user)


def test_a_gag_extension_names_its_instrument_and_is_recorded_as_the_linked_operator(
    client: TestClient, demo: Demo, make_user: Callable[..., User], tmp_path: Path
) -> None:
    today = utcnow().date()
    rid = disclose_court_order(demo, tmp_path, ndo_until=today + timedelta(days=30))
    lena = make_user("Lena Legal", "legal")
    csrf = sign_in(client, lena)
    url = f"/legal/gag/{rid}/extend"
    new_end = (today + timedelta(days=120)).isoformat()
    unlinked = client.post(url, data={"csrf": csrf, "until": new_end, "basis": "Order 351 Gs 77/26"})
    assert unlinked.status_code == 403 and "linked to no operator" in unlinked.text
    _link(demo, "demo-legal", lena)
    assert client.post(url, data={"csrf": csrf, "until": "soon", "basis": "x"}).status_code == 400
    assert client.post(url, data={"csrf": csrf, "until": new_end, "basis": " "}).status_code == 400
    basis = f"Order 351 Gs 77/26 <b>{rid}</b>"
    done = client.post(url, data={"csrf": csrf, "until": new_end, "basis": basis})
    assert done.status_code == 200
    assert f"until {new_end} by <bdi>Order 351 Gs 77/26 &lt;b&gt;" in done.text
    svc = LawfulRequests(demo.store)
    (entry,) = [g for g in svc.gag_ledger() if g["request_id"] == rid]
    assert (entry["until"].isoformat(), entry["extensions"][0]["basis"]) == (new_end, basis)
    assert entry["extensions"][0]["actor"] == "demo-legal"
    assert {n["due_on"].isoformat() for n in svc.notices() if n["request_id"] == rid} == {new_end}
    (logged,) = [e for e in AuditLog.open(demo.store).events("requests.gag.extend")]
    assert (logged.entry.actor, logged.payload["basis"]) == ("demo-legal", basis)

    for role in ("privacy", "regional_lead", "auditor"):
        csrf = sign_in(client, make_user(f"Someone {role}", role))
        assert client.post(url, data={"csrf": csrf, "until": new_end, "basis": "x"}).status_code == 403


def test_a_person_linked_to_an_intake_operator_cannot_record_an_order(
    client: TestClient, demo: Demo, make_user: Callable[..., User], tmp_path: Path
) -> None:
    rid = disclose_court_order(demo, tmp_path, ndo_until=utcnow().date() + timedelta(days=30))
    ivo = make_user("Ivo Intake", "legal")
    _link(demo, "demo-intake", ivo)
    csrf = sign_in(client, ivo)
    until = (utcnow().date() + timedelta(days=90)).isoformat()
    answer = client.post(f"/legal/gag/{rid}/extend", data={"csrf": csrf, "until": until, "basis": "Order 1"})
    assert answer.status_code == 409 and "only legal or executive operators" in answer.text
    assert [e.entry.actor for e in AuditLog.open(demo.store).events("requests.gag.refused")] == [
        "demo-intake"
    ]
    assert LawfulRequests(demo.store).gag_ledger()[0]["extensions"] == []


def test_preservations_and_emergency_follow_ups_show_their_deadlines(
    client: TestClient, demo: Demo, make_user: Callable[..., User], tmp_path: Path
) -> None:
    svc = LawfulRequests(demo.store)
    kept = file_request(demo, instrument={"type": "preservation_request"})
    emergency = file_request(
        demo,
        approvers=("demo-legal", "demo-privacy", "demo-legal-us"),
        instrument={"type": "emergency_disclosure_request"},
        data_categories=["subscriber_info"],
        emergency={
            "nature": "danger_to_life",
            "persons_at_risk": "a kidnapped person",
            "why_normal_process_insufficient": "hours count",
        },
    )
    svc.disclose(emergency, tmp_path / "e.zip", actor="demo-legal")
    today = utcnow().date()
    deadlines = svc.deadlines(on=today)
    (p,) = deadlines["preservations"]
    assert (p["request_id"], p["until"], p["extensions"], p["max_extensions"]) == (
        kept,
        today + timedelta(days=90),
        0,
        1,
    )
    (e,) = deadlines["emergencies"]
    assert (e["request_id"], e["due"], e["status"]) == (emergency, today + timedelta(days=14), "pending")
    assert svc.deadlines(on=today + timedelta(days=15))["emergencies"][0]["status"] == "overdue"
    assert svc.deadlines(on=today + timedelta(days=91))["preservations"][0]["expired"]

    sign_in(client, make_user("Eve Exec", "executive"))
    page = client.get("/legal/notices")
    assert page.status_code == 200
    assert f"{kept}</a></td><td>preserved</td><td>{today + timedelta(days=90)}" in page.text
    assert f"{emergency}</a></td><td>disclosed</td><td>{today + timedelta(days=14)}" in page.text
    assert "Mark notice" not in page.text  # an executive reads; legal and privacy send


def test_a_person_whose_operator_was_deactivated_cannot_record_an_order(
    client: TestClient, demo: Demo, make_user: Callable[..., User], tmp_path: Path
) -> None:
    rid = disclose_court_order(demo, tmp_path, ndo_until=utcnow().date() + timedelta(days=30))
    lena = make_user("Lena Legal", "legal")
    _link(demo, "demo-legal", lena)
    LawfulRequests(demo.store).deactivate_operator("demo-legal", actor="admin", reason="left the company")
    csrf = sign_in(client, lena)
    until = (utcnow().date() + timedelta(days=90)).isoformat()
    answer = client.post(f"/legal/gag/{rid}/extend", data={"csrf": csrf, "until": until, "basis": "Order 1"})
    assert answer.status_code == 403 and "linked to no operator" in answer.text
    assert LawfulRequests(demo.store).gag_ledger()[0]["extensions"] == []
