"""Sending a notice writes a ``requests.notice_sent`` event in the transaction that marks it sent, from the
CLI's outbox (``send_notices``) as from the desk (``send_notice``); a held or sent notice is refused, and the
gag ledger lists each order with its extensions (both backends)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from lr_helpers import TODAY, Desk, court_order

from vaspguard.errors import NotFound, Refused
from vaspguard.events import EventType, events_after
from vaspguard.store import Store


def _sent(store: Store) -> list[dict[str, object]]:
    return [e.data for e in events_after(store) if e.type is EventType.REQUEST_NOTICE_SENT]


def _disclosed(desk: Desk, out: Path) -> str:
    rid = desk.file(
        court_order(non_disclosure={"basis": "§ 95a StPO", "until": str(TODAY + timedelta(days=10))})
    )
    desk.approve(rid, "legal1")
    desk.svc.disclose(rid, out, actor="legal1")
    return rid


def test_the_outbox_send_writes_one_event_per_notice(store: Store, tmp_path: Path) -> None:
    desk = Desk(store)
    rid = _disclosed(desk, tmp_path / "pkg")
    assert desk.svc.send_notices(tmp_path / "outbox", actor="legal1") == []  # held: nothing written
    assert _sent(store) == []
    paths = desk.svc.send_notices(tmp_path / "outbox", actor="legal1", on=TODAY + timedelta(days=10))
    (notice,) = desk.svc.notices()
    assert [p.name for p in paths] == [f"notice-{notice['id']:06d}-D1.json"]
    assert _sent(store) == [{"request_id": rid, "notice_id": notice["id"], "customer_id": "D1"}]


def test_one_notice_is_sent_once_and_only_when_due(store: Store, tmp_path: Path) -> None:
    desk = Desk(store)
    rid = _disclosed(desk, tmp_path / "pkg")
    (notice,) = desk.svc.notices()
    with pytest.raises(Refused, match=f"held until {TODAY + timedelta(days=10)}"):
        desk.svc.send_notice(notice["id"], actor="desk:Lena")
    with pytest.raises(NotFound):
        desk.svc.send_notice(notice["id"] + 100, actor="desk:Lena")
    later = TODAY + timedelta(days=10)
    assert desk.svc.send_notice(notice["id"], actor="desk:Lena", on=later)["status"] == "sent"
    with pytest.raises(Refused, match="was sent already"):
        desk.svc.send_notice(notice["id"], actor="desk:Lena", on=later)
    assert _sent(store) == [{"request_id": rid, "notice_id": notice["id"], "customer_id": "D1"}]
    kinds = [e["kind"] for e in desk.svc.show(rid)["timeline"]]
    assert kinds.count("notice.sent") == 1


def test_the_gag_ledger_lists_orders_and_extensions(store: Store, tmp_path: Path) -> None:
    desk = Desk(store)
    rid = _disclosed(desk, tmp_path / "pkg")
    new_end = TODAY + timedelta(days=90)
    desk.svc.extend_gag(rid, operator="legal1", key=desk.keys["legal1"], until=new_end, basis="Order 2")
    (entry,) = desk.svc.gag_ledger()
    assert (entry["basis"], entry["filed_until"], entry["until"]) == (
        "§ 95a StPO",
        str(TODAY + timedelta(days=10)),
        new_end,
    )
    assert [(e["until"], e["basis"], e["actor"]) for e in entry["extensions"]] == [
        (str(new_end), "Order 2", "legal1")
    ]
    assert entry["notices_held"] == 1 and entry["in_force"]
    assert not desk.svc.gag_ledger(on=new_end + timedelta(days=1))[0]["in_force"]
