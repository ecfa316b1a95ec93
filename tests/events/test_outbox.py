"""The outbox: an event commits with its change or not at all; only declared fields; replay in order."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from vaspguard.errors import InvalidRequest
from vaspguard.events import EventType, emit, events_after, parse_event_id
from vaspguard.store import Store


def test_an_event_rolls_back_with_its_change(store: Store) -> None:
    with pytest.raises(RuntimeError), store.connect() as conn:
        emit(conn, EventType.LIST_ACTIVATED, ("list:un",), {"snapshot_id": 1, "source": "un"})
        raise RuntimeError("the change failed")
    assert events_after(store) == []
    with store.connect() as conn:
        emit(conn, EventType.LIST_ACTIVATED, ("list:un",), {"snapshot_id": 2, "source": "un"})
    (event,) = events_after(store)
    assert event.document()["data"] == {"snapshot_id": 2, "source": "un"}
    assert event.document()["version"] == 1 and event.id == f"evt_{event.seq}"


def test_an_undeclared_field_or_type_is_refused(store: Store) -> None:
    with pytest.raises(InvalidRequest, match="not name"), store.connect() as conn:
        emit(conn, EventType.ALERT_RAISED, ("customer:C1",), {"customer_id": "C1", "name": "Ivan Petrov"})
    with pytest.raises(InvalidRequest, match="unknown event type"), store.connect() as conn:
        emit(conn, "alerts.exploded", ("customer:C1",), {})
    with pytest.raises(InvalidRequest, match="subject"), store.connect() as conn:
        emit(conn, EventType.ALERT_RAISED, (), {"customer_id": "C1"})
    assert events_after(store) == []


def test_replay_after_an_id_in_order_and_deduplicated(store: Store) -> None:
    with store.connect() as conn:
        for i in range(5):
            emit(conn, EventType.REQUEST_NOTICE_DUE, (f"request:R{i % 2}",), {"request_id": f"R{i % 2}"})
        emit(conn, EventType.REQUEST_NOTICE_DUE, ("request:R9",), {"request_id": "R9"}, dedupe="k")
        emit(conn, EventType.REQUEST_NOTICE_DUE, ("request:R9",), {"request_id": "R9"}, dedupe="k")
        count = conn.execute(text("SELECT count(*) FROM events_outbox")).scalar_one()
    assert count == 6
    seqs = [e.seq for e in events_after(store)]
    assert seqs == sorted(seqs)
    assert [e.seq for e in events_after(store, seqs[2])] == seqs[3:]
    assert [e.seq for e in events_after(store, seqs[0], limit=2)] == seqs[1:3]


@pytest.mark.parametrize("bad", ["evt_", "evt_x", "-1", "1e3", "9" * 30])
def test_a_malformed_event_id_is_refused(bad: str) -> None:
    with pytest.raises(InvalidRequest, match="after"):
        parse_event_id(bad)
    assert parse_event_id("evt_42") == parse_event_id("42") == 42
