"""The demo exchange: deterministic, realistic where later parts rely on it, planted cases present, served."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from vaspguard.api import create_app
from vaspguard.demo import LISTED_PERSONS, chain_of, read_addresses, seed, transliterate
from vaspguard.errors import InvalidFile, Refused
from vaspguard.registry import Customer, NameKind, PermitKind, PersonType, RecordKind, Registry, export_file
from vaspguard.store import Store

CliRunner = Callable[..., tuple[int, str, str]]

ADDRESSES = [
    "0x098B716B8Aaf21512996dC57EB0615e2383E2f96",  # an Ethereum address (Lazarus, OFAC SDN)
    "TXjJ7f4CLbDjDE1GqHvZpR4BAr6V7e6Hn1",
    "bc1qdemofoundationdonations00000000000000",
]


def _export(store: Store, directory: Path) -> dict[str, bytes]:
    directory.mkdir(exist_ok=True)
    out = {}
    for kind in RecordKind:
        path = directory / f"{kind}.jsonl"
        export_file(store, kind, path)
        out[kind.value] = path.read_bytes()
    return out


def test_same_seed_same_exchange(store: Store, second_store: Store, tmp_path: Path) -> None:
    a = seed(store, customers=150, seed=7, transactions_per_customer=5, addresses_of_interest=ADDRESSES)
    b = seed(
        second_store, customers=150, seed=7, transactions_per_customer=5, addresses_of_interest=ADDRESSES
    )
    assert a == b
    assert _export(store, tmp_path / "a") == _export(second_store, tmp_path / "b")


def test_another_seed_another_exchange(sqlite_store: Store, tmp_path: Path) -> None:
    one = seed(sqlite_store, customers=40, seed=1)
    names_one = [c.primary_name for c in Registry(sqlite_store).iter_customers()]
    assert one.customers == 40
    with pytest.raises(Refused, match="already has 40 customers"):
        seed(sqlite_store, customers=40, seed=2)
    other = tmp_path / "other.db"
    from vaspguard.store import migrate, open_store

    store2 = open_store(f"sqlite:///{other}")
    migrate(store2)
    seed(store2, customers=40, seed=2)
    names_two = [c.primary_name for c in Registry(store2).iter_customers()]
    store2.dispose()
    assert names_one != names_two


@pytest.mark.slow
def test_demo_has_what_later_parts_look_for(store: Store) -> None:
    report = seed(store, customers=1200, seed=1, transactions_per_customer=4, addresses_of_interest=ADDRESSES)
    reg = Registry(store)
    customers = list(reg.iter_customers())
    natural = [c for c in customers if c.type is PersonType.NATURAL]
    legal = [c for c in customers if c.type is PersonType.LEGAL]
    as_of = report.as_of

    # nationalities and residences across the regions the issue names
    nats = Counter(n for c in natural for n in c.nationalities)
    for country in ("DE", "RU", "BY", "UA", "KZ", "TR", "AE", "US", "CN", "IR"):
        assert nats[country] > 0, country
    # names in four scripts, with Latin forms beside the native ones
    scripts = {n.script for c in customers for n in c.names}
    assert {"Latn", "Cyrl", "Arab", "Hani"} <= scripts
    for c in customers:
        assert sum(n.kind is NameKind.PRIMARY for n in c.names) == 1
        assert next(n for n in c.names if n.kind is NameKind.PRIMARY).script == "Latn"
    assert any(len(c.nationalities) > 1 for c in natural)

    # Russian nationals with EU/EEA/Swiss permits valid and expired, with UK permits, pending applications
    eu_eea_ch = {"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT"}
    eu_eea_ch |= {
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
        "NO",
        "IS",
        "LI",
        "CH",
    }
    ru_permits = [p for c in natural if "RU" in c.nationalities for p in c.residence_permits]
    in_eu = [p for p in ru_permits if p.country in eu_eea_ch]
    assert any(p.valid_on(as_of) for p in in_eu)
    assert any(not p.valid_on(as_of) for p in in_eu)
    assert any(p.kind is PermitKind.PERMANENT for p in in_eu)
    assert any(p.country == "GB" for p in ru_permits)
    assert any(a.status == "pending" for c in natural for a in c.permit_applications)

    # legal persons in Russia and elsewhere, some owned by Russian residents, some by customers
    assert {"RU"} < {c.established for c in legal}
    assert any(c.established != "RU" and any(o.residence == "RU" for o in c.owners) for c in legal)
    linked = [o.customer_id for c in legal for o in c.owners if o.customer_id]
    assert linked
    for cid in linked:
        assert reg.get_customer(cid).type is PersonType.NATURAL
    for c in legal:
        assert sum((o.share or Decimal(0)) for o in c.owners) <= 1

    # look-alikes of listed persons: one with the listed date of birth, one without, per person
    assert len(report.planted_listed) == 2 * len(LISTED_PERSONS)
    for person in LISTED_PERSONS:
        twins = [reg.get_customer(cid) for cid, name in report.planted_listed.items() if name == person.latin]
        assert len(twins) == 2
        assert sorted(t.birth_date == person.birth_date for t in twins) == [False, True]
        for t in twins:
            assert t.primary_name in person.variants
            assert any(n.name == person.native and n.script == "Cyrl" for n in t.names)

    # withdrawals to every address of interest, each from two customers, on the right chain
    assert sorted(report.planted_withdrawals.values()) == sorted(ADDRESSES * 2)
    for tid, address in report.planted_withdrawals.items():
        customer_id = "C" + tid[1:].split("-")[0]
        [tx] = [t for t in reg.transactions(customer_id) if t.id == tid]
        assert tx.kind.value == "withdrawal"
        assert (tx.address, tx.chain) == (address, chain_of(address)[0])

    _assert_a_year_of_activity(reg, customers, as_of)


def _assert_a_year_of_activity(reg: Registry, customers: list[Customer], as_of: date) -> None:
    # balances in several assets and products, some above EUR 10,000 at the as-of prices
    stats = reg.stats()
    assert stats["priced_assets"] >= 9
    assert (stats["prices_from"], stats["prices_until"]) == (date(2025, 11, 1), as_of)
    assert stats["prices"] == 366 * stats["priced_assets"]
    products = Counter(a.product.value for c in customers[:300] for a in reg.accounts(c.id))
    assert {"spot", "funding", "earn", "futures"} <= set(products)
    rich = [c.id for c in customers[:400] if reg.holdings_eur(c.id, as_of) > 10_000]
    assert rich
    # a year of activity, every kind of movement
    kinds = Counter(t.kind.value for c in customers[:300] for t in reg.transactions(c.id))
    assert set(kinds) >= {
        "deposit",
        "withdrawal",
        "trade",
        "internal_transfer",
        "fiat_deposit",
        "earn_subscribe",
    }
    assert stats["transactions_from"].date() >= date(2025, 11, 1)
    assert stats["transactions_until"].date() < as_of
    assert stats["logins"] == 4 * 1200


def test_transliteration_follows_icao() -> None:
    assert transliterate("Юлия Соловьёва") == "Iuliia Soloveva"
    assert transliterate("Щукин Глеб") == "Shchukin Gleb"


def test_addresses_file(tmp_path: Path) -> None:
    path = tmp_path / "addresses.txt"
    path.write_text("# sanctioned\n0xabc\n\n  bc1qxyz  # donation\n", encoding="utf-8")
    assert read_addresses(path) == ["0xabc", "bc1qxyz"]
    path.write_text("0xabc 0xdef\n", encoding="utf-8")
    with pytest.raises(InvalidFile, match=r"line 1: .* is not one address"):
        read_addresses(path)
    path.write_text("0xabc\n0xabc\n", encoding="utf-8")
    with pytest.raises(InvalidFile, match="line 2: 0xabc given twice"):
        read_addresses(path)


def test_seed_cli_if_empty_and_serve(store: Store, cli: CliRunner, tmp_path: Path) -> None:
    addresses = tmp_path / "addresses.txt"
    addresses.write_text("\n".join(ADDRESSES) + "\n", encoding="utf-8")
    code, out, err = cli(
        "--db", store.url, "demo", "seed", "--customers", "50", "--seed", "1", "--if-empty",
        "--addresses-of-interest", addresses, "--no-lists",
    )  # fmt: skip
    assert code == 0, err
    assert "seeded 50 customers" in out
    assert "6 withdrawals to addresses of interest" in out
    match = re.search(r"demo admin API token \(shown once\): (vg_\S+)", out)
    assert match
    token = match[1]

    code, out, _ = cli("--db", store.url, "demo", "seed", "--customers", "50", "--seed", "1", "--if-empty")
    assert code == 0
    assert "already has 50 customers: not seeding" in out
    code, _, err = cli("--db", store.url, "demo", "seed", "--customers", "50", "--seed", "1")
    assert code != 0
    assert "already has 50 customers" in err

    client = TestClient(create_app(store))
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/v1/customers").status_code == 401
    body = client.get("/v1/customers", headers={"Authorization": f"Bearer {token}"}).json()
    assert body["total"] == 50
    assert body["items"][0]["id"] == "C0000000"
    assert body["items"][0]["names"]
    accounts = client.get("/v1/customers/C0000000/accounts", headers={"Authorization": f"Bearer {token}"})
    assert accounts.status_code == 200 and accounts.json()["items"]


def test_deferred_indexes_are_rebuilt(store: Store, second_store: Store, tmp_path: Path) -> None:
    from sqlalchemy import inspect

    seed(store, customers=30, seed=4, defer_indexes=True)
    seed(second_store, customers=30, seed=4, defer_indexes=False)
    assert _export(store, tmp_path / "a") == _export(second_store, tmp_path / "b")
    for table in ("transactions", "logins", "customer_names", "owners"):
        got = {ix["name"] for ix in inspect(store.engine).get_indexes(table)}
        assert got == {ix["name"] for ix in inspect(second_store.engine).get_indexes(table)}
        assert got, table


def test_failed_seed_still_rebuilds_indexes(sqlite_store: Store) -> None:
    from sqlalchemy import inspect

    before = {ix["name"] for ix in inspect(sqlite_store.engine).get_indexes("transactions")}

    def boom(n: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        seed(sqlite_store, customers=4100, seed=1, defer_indexes=True, on_progress=boom)
    assert {ix["name"] for ix in inspect(sqlite_store.engine).get_indexes("transactions")} == before


@pytest.mark.slow
def test_worker_processes_give_the_same_exchange(sqlite_store: Store, tmp_path: Path) -> None:
    from vaspguard.demo._seed import CHUNK
    from vaspguard.store import migrate, open_store

    n = 2 * CHUNK + 100  # three chunks, so results must come back in order
    one = seed(
        sqlite_store,
        customers=n,
        seed=9,
        transactions_per_customer=2,
        workers=1,
        addresses_of_interest=ADDRESSES,
    )
    other = open_store(f"sqlite:///{tmp_path / 'parallel.db'}")
    migrate(other)
    try:
        two = seed(
            other,
            customers=n,
            seed=9,
            transactions_per_customer=2,
            workers=2,
            addresses_of_interest=ADDRESSES,
        )
        assert two == one
        assert _export(other, tmp_path / "b") == _export(sqlite_store, tmp_path / "a")
    finally:
        other.dispose()
