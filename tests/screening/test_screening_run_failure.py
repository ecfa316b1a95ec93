"""One customer must never stop the screening of everyone else (issue 12, part 1): in ``screen customers``
(full and incremental), a customer whose screening fails with an internal error is reported with its id and
the error's class (in the output and the summary line), every other customer is screened, and the exit code
is 3 (PartialFailure), not 2 (bad input). The failed customer is screened again by the next run."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from vaspguard.lists import import_paths
from vaspguard.registry import Customer, Name, PersonType, Registry, Transaction, TransactionKind
from vaspguard.screening import AddressBook, Screener, list_alerts
from vaspguard.store import Store

EXCERPT = "lists/ofac_sdn_csv/watchman_excerpt_2025-05/sdn.csv"
LISTED_WALLET = "bc1qvhnfknw852ephxyc5hm4q520zmvf9maphetc9z"
BAD_WALLET = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
LONG_AGO = datetime(2021, 1, 4, tzinfo=UTC)


def _customer(cid: str, name: str) -> Customer:
    return Customer(cid, PersonType.NATURAL, (Name(name),), ("RU",), created_at=LONG_AGO, updated_at=LONG_AGO)


@pytest.fixture
def boom(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """Screening the name "Boom Boomson" raises, as a bug would."""
    real = Screener.screen_name

    def flaky(self: Screener, name: str, **kwargs: object) -> object:
        if name == "Boom Boomson":
            raise ZeroDivisionError("a bug")
        return real(self, name, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screener, "screen_name", flaky)
    return monkeypatch


def test_full_run_reports_the_failed_customer_and_screens_the_others(
    cli, store: Store, shared_data: Path, boom: pytest.MonkeyPatch
) -> None:
    Registry(store).add_customers(
        [_customer("C1", "Artem Lifshits"), _customer("C2", "Boom Boomson"), _customer("C3", "Oskar Berg")]
    )
    sdn = shared_data / EXCERPT
    code, out, err = cli("--db", store.url, "screen", "customers", "--list", sdn)
    assert code == 3
    lines = out.splitlines()
    assert lines[0] == "FAILED customer C2: ZeroDivisionError: a bug"
    assert "2 customers against" in lines[1] and lines[1].endswith("1 failed with an internal error")
    assert err.strip() == (
        "vaspguard: 1 of 3 customers failed with an internal error: customer C2 (ZeroDivisionError)"
    )
    assert [a.customer_id for a in list_alerts(store)] == ["C1"]

    code, out, _ = cli("--db", store.url, "screen", "customers", "--list", sdn, "--full", "--json")
    assert code == 3
    report = json.loads(out)
    assert report["failed"] == [{"customer_id": "C2", "error": "ZeroDivisionError: a bug"}]
    assert report["customers_screened"] == 2


def test_incremental_run_isolates_the_failure_and_the_next_run_screens_it_again(
    cli, store: Store, shared_data: Path, boom: pytest.MonkeyPatch
) -> None:
    import_paths(store, [shared_data / EXCERPT])
    registry = Registry(store)
    registry.add_customers([_customer("C1", "Oskar Berg")])
    assert cli("--db", store.url, "screen", "customers")[0] == 0

    registry.add_customers([_customer("C2", "Boom Boomson"), _customer("C3", "Artem Lifshits")])
    code, out, err = cli("--db", store.url, "screen", "customers", "--json")
    assert code == 3, err
    report = json.loads(out)
    assert report["kind"] == "incremental"
    assert [f["customer_id"] for f in report["failed"]] == ["C2"]
    assert report["alerts_created"] == 1 and [a.customer_id for a in list_alerts(store)] == ["C3"]

    # the bug fixed, the next run starts from the last clean run: C2 (and C3) are screened again
    boom.undo()
    code, out, err = cli("--db", store.url, "screen", "customers", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["kind"] == "incremental" and report["changed_customers"] == 2 and report["failed"] == []
    assert json.loads(cli("--db", store.url, "screen", "customers", "--json")[1])["changed_customers"] == 0


def test_a_failing_address_lookup_is_isolated_too(
    cli, store: Store, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = AddressBook.lookup

    def flaky(self: AddressBook, address: str, *args: object, **kwargs: object) -> object:
        if address == BAD_WALLET:
            raise KeyError("a bug")
        return real(self, address, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(AddressBook, "lookup", flaky)
    registry = Registry(store)
    registry.add_customers([_customer("C1", "Oskar Berg"), _customer("C2", "Greta Lindqvist")])
    when = datetime(2025, 3, 1, tzinfo=UTC)
    registry.add_transactions(
        [
            Transaction("T1", "C1", TransactionKind.DEPOSIT, when, "BTC", Decimal("0.1"), chain="bitcoin",
                        address=BAD_WALLET),
            Transaction("T2", "C2", TransactionKind.DEPOSIT, when, "BTC", Decimal("0.1"), chain="bitcoin",
                        address=LISTED_WALLET),
        ]
    )  # fmt: skip
    code, out, _ = cli("--db", store.url, "screen", "customers", "--list", shared_data / EXCERPT)
    assert code == 3
    assert out.splitlines()[0] == "FAILED customer C1: KeyError: 'a bug'"
    assert [(a.customer_id, a.kind) for a in list_alerts(store)] == [("C2", "address")]


def test_an_unreadable_list_file_still_stops_the_run(cli, store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "sdn.csv"
    bad.write_bytes(b"\xff\xfe not a list")
    Registry(store).add_customers([_customer("C1", "Oskar Berg")])
    code, out, err = cli("--db", store.url, "screen", "customers", "--list", bad)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
