"""The legal desk's notices page: due notices and their "send" step (logged, an event in the outbox, in one
transaction), the gag ledger with extensions recorded as the linked operator, preservations and emergency
follow-ups; each action refused for the wrong roles, and to a person linked to no (or the wrong) operator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from desk_helpers import Demo, sign_in
from fastapi.testclient import TestClient
from legal_helpers import disclose_court_order

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
