"""What commands print: scripts read stdout (JSON stays valid with progress bars on), people are told when a
list is cut, and an address alert names the listed entity, not only its key."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from vaspguard.registry import Customer, Name, PersonType, Registry, Transaction, TransactionKind
from vaspguard.store import Store

EXCERPT = "lists/ofac_sdn_csv/watchman_excerpt_2025-05/sdn.csv"
WALLET = "bc1qvhnfknw852ephxyc5hm4q520zmvf9maphetc9z"  # KHOROSHEV's, on the SDN list


@pytest.fixture
def screened(
    cli, sqlite_store: Store, shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Store:
    """Two customers named like listed persons, one who received from a listed wallet; lists in the store."""
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path / "var"))  # this database's own audit key
    reg = Registry(sqlite_store)
    reg.add_customers(
        [
            Customer("K1", PersonType.NATURAL, (Name("Artem Lifshits"),), ("RU",), birth_date="1992-12-26"),
            Customer("K2", PersonType.NATURAL, (Name("Jane Doe"),), ("GB",)),
            Customer("K3", PersonType.NATURAL, (Name("Dmitry Khoroshev"),), ("RU",)),
        ]
    )
    reg.add_transactions(
        [
            Transaction("T9", "K2", TransactionKind.DEPOSIT, datetime(2025, 3, 1, tzinfo=UTC), "BTC",
                        Decimal("0.1"), chain="bitcoin", address=WALLET),
        ]
    )  # fmt: skip
    code, _, err = cli("--db", sqlite_store.url, "lists", "import", shared_data / EXCERPT)
    assert code == 0, err
    return sqlite_store


def test_json_stays_valid_with_a_progress_bar(cli, screened: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VASPGUARD_PROGRESS", "1")  # draw the bar although stderr is no terminal
    code, out, err = cli("--db", screened.url, "screen", "customers", "--full", "--json")
    assert code == 0, err
    assert json.loads(out)["alerts_created"] >= 3
    assert "screening customers" in err  # the bar was drawn, on stderr


def test_alerts_say_when_cut_and_name_the_entity(cli, screened: Store) -> None:
    db = ("--db", screened.url)
    assert cli(*db, "screen", "customers", "--full")[0] == 0
    code, out, err = cli(*db, "screen", "alerts", "--json")
    assert code == 0, err
    every = json.loads(out)
    assert len(every) >= 3 and err == ""  # nothing cut, nothing said
    address = next(a for a in every if a["kind"] == "address")
    assert any("KHOROSHEV" in n.upper() for n in address["entity_names"])

    code, out, err = cli(*db, "screen", "alerts", "--limit", "2")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 3 and lines[-1] == f"showing 2 of {len(every)} alerts (use --limit N or --all)"
    code, out, err = cli(*db, "screen", "alerts", "--limit", "2", "--json")
    assert len(json.loads(out)) == 2 and err == f"showing 2 of {len(every)} alerts (use --limit N or --all)\n"
    code, out, _ = cli(*db, "screen", "alerts", "--limit", "1", "--all")
    assert len(out.splitlines()) == len(every) and "showing" not in out

    code, out, _ = cli(*db, "screen", "alerts", "--customer", "K2")
    (line,) = out.splitlines()
    assert WALLET in line.lower() and "KHOROSHEV" in line.upper()
