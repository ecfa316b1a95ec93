"""The worker's ``requests.deadlines`` job: a customer notice that falls due when a non-disclosure order ends
is raised as one ``requests.notice_due`` event, the day it is due and not before, and once only however often
the job runs; the event names the request, never a customer or an operator."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from lr_helpers import TODAY, Desk, at, court_order

from vaspguard.events import EventType, events_after
from vaspguard.store import Store
from vaspguard.worker import raise_deadlines


def test_a_notice_due_is_raised_once_on_its_day(store: Store, tmp_path: Path) -> None:
    desk = Desk(store)
    rid = desk.file(court_order())  # non-disclosure until TODAY + 120 days (lr_helpers)
    desk.approve(rid, "legal1")
    desk.svc.disclose(rid, tmp_path / "pkg", actor="legal1")
    ends = TODAY + timedelta(days=120)

    def due() -> list[dict[str, object]]:
        return [e.data for e in events_after(store) if e.type is EventType.REQUEST_NOTICE_DUE]

    raise_deadlines(store, at(ends - timedelta(days=1)))
    assert due() == []
    report = raise_deadlines(store, at(ends))
    assert report["items"] >= 1
    assert [d["request_id"] for d in due()] == [rid]
    raise_deadlines(store, at(ends, hour=13))  # the hourly job again: nothing new
    raise_deadlines(store, at(ends, hour=14))
    assert len(due()) == 1
    (event,) = [e for e in events_after(store) if e.type is EventType.REQUEST_NOTICE_DUE]
    assert event.subjects == (f"request:{rid}",)
    assert "D1" not in str(event.document()) and "legal1" not in str(event.document())
