"""Incremental screening screens what was stored since the last run: a new deposit from a listed wallet for a
customer screened before, a new customer whose own ``updated_at`` lies in the past, and a customer with a new
login. None of them may wait for the next ``--full`` run (issue 17: a deposit from a listed wallet went
unscreened until ``--full``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from vaspguard.lists import import_paths
from vaspguard.registry import Account, Customer, Login, Name, PersonType, Product, Registry
from vaspguard.screening import list_alerts
from vaspguard.store import Store

EXCERPT = "lists/ofac_sdn_csv/watchman_excerpt_2025-05/sdn.csv"
LISTED_WALLET = "bc1qvhnfknw852ephxyc5hm4q520zmvf9maphetc9z"  # on the excerpt (digital currency address XBT)
LONG_AGO = datetime(2021, 1, 4, tzinfo=UTC)


def _run(cli, store: Store) -> dict:
    code, out, err = cli("--db", store.url, "screen", "customers", "--json")
    assert code == 0, err
    return json.loads(out)


def _customer(cid: str, name: str, country: str = "SE") -> Customer:
    """A customer whose own created/updated stamps lie years back (as in a back-office import)."""
    return Customer(
        cid, PersonType.NATURAL, (Name(name),), (country,), created_at=LONG_AGO, updated_at=LONG_AGO
    )


def test_incremental_run_screens_new_deposits_customers_and_logins(
    cli, store: Store, shared_data: Path, tmp_path: Path
) -> None:
    import_paths(store, [shared_data / EXCERPT])
    registry = Registry(store)
    registry.add_customers([_customer("C1", "Greta Lindqvist"), _customer("C2", "Oskar Berg")])
    registry.add_accounts([Account("A1", "C1", Product.FUNDING, LONG_AGO, "active", {})])
    assert _run(cli, store)["kind"] == "full"
    assert list_alerts(store) == []

    # 1. a deposit from a listed wallet for C1, imported as the exchange would (a file), dated long ago
    deposit = tmp_path / "tx.jsonl"
    deposit.write_text(
        json.dumps(
            {
                "id": "T1",
                "customer_id": "C1",
                "account_id": "A1",
                "kind": "deposit",
                "occurred_at": "2021-02-01T10:00:00Z",
                "asset": "BTC",
                "amount": "0.5",
                "chain": "bitcoin",
                "address": LISTED_WALLET,
            }
        )
        + "\n"
    )
    code, _, err = cli("--db", store.url, "registry", "import", deposit, "--kind", "transactions")
    assert code == 0, err
    report = _run(cli, store)
    assert report["kind"] == "incremental"
    assert report["changed_customers"] == 1  # C1 against every entity; C2 only against what a diff touched
    assert report["alerts_created"] == 1
    (alert,) = list_alerts(store)
    assert (alert.customer_id, alert.kind, alert.screened_value) == ("C1", "address", LISTED_WALLET)

    # 2. a new customer with a listed name whose own updated_at lies years back
    registry.add_customers([_customer("C3", "Artem Lifshits", "RU")])
    report = _run(cli, store)
    assert report["changed_customers"] == 1 and report["alerts_created"] == 1
    assert {a.customer_id for a in list_alerts(store)} == {"C1", "C3"}

    # 3. a login is screened too (the customer is rescreened), and an unchanged registry screens nobody
    registry.add_logins([Login("C2", LONG_AGO, "192.0.2.7", "SE")])
    assert _run(cli, store)["changed_customers"] == 1
    quiet = _run(cli, store)
    assert quiet["changed_customers"] == 0 and quiet["alerts_created"] == 0


def test_incremental_summary_line_says_what_was_screened(cli, store: Store, shared_data: Path) -> None:
    import_paths(store, [shared_data / EXCERPT])
    Registry(store).add_customers([_customer("C1", "Oskar Berg")])
    assert cli("--db", store.url, "screen", "customers")[0] == 0
    Registry(store).add_customers([_customer("C2", "Greta Lindqvist")])
    code, out, err = cli("--db", store.url, "screen", "customers")
    assert code == 0, err
    assert "(incremental): 1 new or changed customers against all 17 entities, 1 others" in out
