"""Alerts, dispositions and rescreening on both backends: dispositions survive rescreening, a changed list
entity or customer alerts again, true matches mark customers listed, every decision is audit-logged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vaspguard.audit import AuditLog
from vaspguard.errors import InvalidRequest, NotFound, Refused
from vaspguard.lists import CryptoAddress, Document, EntityKind, ListEntity, ListName, NameKind, Source
from vaspguard.registry import (
    Customer,
    Name,
    PersonType,
    Registry,
    Transaction,
    TransactionKind,
)
from vaspguard.screening import (
    AddressBook,
    Screener,
    decide,
    list_alerts,
    listed_customer_ids,
    rescreen,
    screen_customers,
)
from vaspguard.store import Store

WALLET = "0x098B716B8Aaf21512996dC57EB0615e2383E2f96"

PUTIN = ListEntity(
    source=Source.OFAC_SDN,
    source_id="35096",
    kind=EntityKind.PERSON,
    names=(ListName("PUTIN, Vladimir Vladimirovich"),),
    nationalities=("RU",),
)
LAZARUS = ListEntity(
    source=Source.OFAC_SDN,
    source_id="23254",
    kind=EntityKind.ORGANISATION,
    names=(ListName("LAZARUS GROUP"),),
    crypto_addresses=(CryptoAddress(WALLET, "ETH", "ethereum"),),
)
OTHER = ListEntity(
    source=Source.UN_SC,
    source_id="QDi.1",
    kind=EntityKind.PERSON,
    names=(ListName("Ayman al-Zawahiri"),),
)


def customers() -> list[Customer]:
    t0 = datetime(2025, 1, 1, tzinfo=UTC)
    return [
        Customer("C1", PersonType.NATURAL, (Name("Vladimir Vladimirovich Putin"),), ("RU",), created_at=t0),
        Customer("C2", PersonType.NATURAL, (Name("Anna Schmidt"),), ("DE",), created_at=t0),
        Customer("C3", PersonType.NATURAL, (Name("Li Wei"),), ("CN",), created_at=t0),
    ]


@pytest.fixture
def audit(store: Store) -> AuditLog:
    return AuditLog(store, signer=Ed25519PrivateKey.generate())


@pytest.fixture
def registry(store: Store) -> Registry:
    reg = Registry(store)
    reg.add_customers(customers())
    reg.add_transactions(
        [
            Transaction(
                "T1",
                "C3",
                TransactionKind.WITHDRAWAL,
                datetime(2025, 2, 1, tzinfo=UTC),
                "ETH",
                Decimal("1.5"),
                chain="ethereum",
                address=WALLET.lower(),
            )
        ]
    )
    return reg


def run(store: Store, entities: list[ListEntity]) -> tuple[Screener, int]:
    screener = Screener.from_entities(entities)
    report = screen_customers(store, screener, AddressBook.from_entities(entities))
    return screener, report.alerts_created


def test_names_and_addresses_alert(store: Store, registry: Registry) -> None:
    _, created = run(store, [PUTIN, LAZARUS, OTHER])
    assert created == 2
    alerts = {(a.customer_id, a.kind): a for a in list_alerts(store)}
    assert set(alerts) == {("C1", "name"), ("C3", "address")}
    name = alerts[("C1", "name")]
    assert name.entity_key == "ofac_sdn:35096"
    assert name.breakdown["pairs"] and name.breakdown["factors"][0]["name"] == "nationality_match"
    assert alerts[("C3", "address")].matched_value == WALLET
    # a second run over unchanged data adds nothing
    _, again = run(store, [PUTIN, LAZARUS, OTHER])
    assert again == 0


def test_false_positive_stays_quiet_until_entity_changes(
    store: Store, registry: Registry, audit: AuditLog
) -> None:
    run(store, [PUTIN])
    (alert,) = list_alerts(store, status="open")
    decided = decide(
        store, alert.id, "false_positive", reason="different DOB on passport", actor="ana", audit=audit
    )
    assert decided.status == "false_positive"
    # unchanged: quiet
    screener = Screener.from_entities([PUTIN])
    report = screen_customers(store, screener)
    assert report.alerts_created == 0 and report.suppressed == 1
    # the list entity gains a document: alert again
    changed = replace(PUTIN, documents=(Document("passport", "123456789"),))
    _, created = run(store, [changed])
    assert created == 1
    assert len(list_alerts(store, status="open")) == 1


def test_false_positive_alerts_again_when_customer_changes(
    store: Store, registry: Registry, audit: AuditLog
) -> None:
    run(store, [PUTIN])
    (alert,) = list_alerts(store)
    decide(store, alert.id, "false_positive", reason="namesake", actor="ana", audit=audit)
    c1 = registry.get_customer("C1")
    with store.connect() as conn:
        from sqlalchemy import delete

        from vaspguard.registry._tables import CustomerRow

        conn.execute(delete(CustomerRow).where(CustomerRow.id == "C1"))
    registry.add_customers([replace(c1, birth_date="1952-10-07")])
    _, created = run(store, [PUTIN])
    assert created == 1


def test_true_match_marks_customer_listed_and_is_audited(
    store: Store, registry: Registry, audit: AuditLog
) -> None:
    run(store, [PUTIN, LAZARUS])
    assert listed_customer_ids(store) == set()
    by_customer = {a.customer_id: a for a in list_alerts(store)}
    decide(store, by_customer["C1"].id, "true_match", reason="passport matches", actor="ana", audit=audit)
    assert listed_customer_ids(store) == {"C1"}
    events = audit.events("screening.disposition")
    assert len(events) == 1
    assert "customer:C1" in events[0].subjects
    # quiet afterwards while nothing changes
    _, created = run(store, [PUTIN, LAZARUS])
    assert created == 0


def test_dispositions_are_guarded(store: Store, registry: Registry, audit: AuditLog) -> None:
    run(store, [PUTIN])
    (alert,) = list_alerts(store)
    with pytest.raises(InvalidRequest, match="reason"):
        decide(store, alert.id, "false_positive", reason="  ", actor="ana", audit=audit)
    with pytest.raises(InvalidRequest, match="decision"):
        decide(store, alert.id, "maybe", reason="x", actor="ana", audit=audit)
    with pytest.raises(NotFound):
        decide(store, 999999, "false_positive", reason="x", actor="ana", audit=audit)
    decide(store, alert.id, "false_positive", reason="namesake", actor="ana", audit=audit)
    with pytest.raises(Refused, match="already decided"):
        decide(store, alert.id, "true_match", reason="oops", actor="bob", audit=audit)
    revised = decide(
        store, alert.id, "true_match", reason="new evidence", actor="bob", revise=True, audit=audit
    )
    assert revised.status == "true_match"
    assert listed_customer_ids(store) == {"C1"}
    assert len(audit.events("screening.disposition")) == 2


def test_rescreen_only_touched_entities_and_changed_customers(store: Store, registry: Registry) -> None:
    _, created = run(store, [PUTIN, OTHER])
    assert created == 1
    since = datetime.now(UTC)
    # the list update adds an alias to OTHER that matches C2; PUTIN untouched
    other2 = replace(OTHER, names=(*OTHER.names, ListName("Anna Schmidt", NameKind.AKA)))
    full = Screener.from_entities([PUTIN, other2])
    report = rescreen(store, full, touched={"un_sc:QDi.1"}, since=since)
    assert report.entities_screened == 1
    assert report.alerts_created == 1
    assert {a.customer_id for a in list_alerts(store)} == {"C1", "C2"}
    # a customer changed after `since` is screened against everything
    registry.add_customers(
        [Customer("C4", PersonType.NATURAL, (Name("Ayman Zawahiri"),), created_at=datetime.now(UTC))]
    )
    report = rescreen(store, full, touched=set(), since=since)
    assert report.alerts_created == 1
    assert "C4" in {a.customer_id for a in list_alerts(store)}
