"""Alerts raised by a screening run and an analyst's decision are events out, written with the alert rows
themselves (same transaction), carrying ids, kind, score and the decision: never a name."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vaspguard.audit import AuditLog
from vaspguard.events import EventType, events_after
from vaspguard.lists import EntityKind, ListEntity, ListName, Source
from vaspguard.registry import Customer, Name, PersonType, Registry
from vaspguard.screening import AddressBook, Screener, decide, list_alerts, screen_customers
from vaspguard.store import Store

LISTED = ListEntity(
    source=Source.OFAC_SDN,
    source_id="48603",
    kind=EntityKind.PERSON,
    names=(ListName("KHOROSHEV, Dmitry Yuryevich"),),
    nationalities=("RU",),
)


def test_raised_and_decided_alerts_are_events(store: Store) -> None:
    Registry(store).add_customers(
        [
            Customer("C1", PersonType.NATURAL, (Name("Dmitry Khoroshev"),), ("RU",)),
            Customer("C2", PersonType.NATURAL, (Name("Jane Austen"),), ("GB",)),
        ]
    )
    screener = Screener.from_entities([LISTED])
    screen_customers(store, screener, AddressBook.from_entities([LISTED]))
    (alert,) = list_alerts(store)
    raised = [e for e in events_after(store) if e.type is EventType.ALERT_RAISED]
    assert [(e.subjects, e.data["alert_id"], e.data["customer_id"]) for e in raised] == [
        (("customer:C1",), alert.id, "C1")
    ]
    assert raised[0].data["kind"] == alert.kind and raised[0].data["score"] == alert.score
    assert "Khoroshev" not in str(raised[0].document()) and "KHOROSHEV" not in str(raised[0].document())

    # A second run on the same facts raises nothing, so no new event.
    screen_customers(store, screener, AddressBook.from_entities([LISTED]))
    assert len([e for e in events_after(store) if e.type is EventType.ALERT_RAISED]) == 1

    audit = AuditLog(store, signer=Ed25519PrivateKey.generate())
    decide(store, alert.id, "false_positive", reason="other person", actor="analyst1", audit=audit)
    decided = [e for e in events_after(store) if e.type is EventType.ALERT_DECIDED]
    assert [e.data for e in decided] == [
        {"alert_id": alert.id, "customer_id": "C1", "decision": "false_positive"}
    ]
