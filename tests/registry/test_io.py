"""Registry import and export: validation names file, row and field; bad input writes nothing; round trips."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vaspguard.demo import seed
from vaspguard.errors import InvalidFile, InvalidRow
from vaspguard.registry import (
    FileFormat,
    Name,
    NameKind,
    RecordKind,
    Registry,
    export_file,
    import_file,
    read_records,
)
from vaspguard.store import Store

CliRunner = Callable[..., tuple[int, str, str]]

NAMES_ANNA = json.dumps([{"name": "Anna Schmidt"}])
NAMES_GLEB = json.dumps(
    [{"name": "Глеб Костарев", "script": "Cyrl", "kind": "original_script"}, {"name": "Gleb Kostarev"}],
    ensure_ascii=False,
)


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def _customers_csv(path: Path, bad_nationality: str = "XX") -> Path:
    header = ["id", "type", "names", "nationalities", "residence", "kyc_status"]
    return _csv(
        path,
        header,
        [
            ["C1", "natural", NAMES_ANNA, "DE", "DE", "verified"],
            ["C2", "natural", NAMES_GLEB, "DE RU", "DE", "verified"],
            ["C3", "natural", NAMES_ANNA, bad_nationality, "DE", "verified"],  # line 4 of the file
            ["C4", "natural", NAMES_ANNA, "FR", "FR", "pending"],
        ],
    )


def _snapshot(store: Store, tmp_path: Path) -> dict[str, str]:
    out = {}
    for kind in RecordKind:
        path = tmp_path / f"snap_{kind}.jsonl"
        export_file(store, kind, path)
        out[kind.value] = path.read_text(encoding="utf-8")
    return out


def test_bad_csv_row_among_good_rows_writes_nothing(store: Store, cli: CliRunner, tmp_path: Path) -> None:
    reg = Registry(store)
    seed(store, customers=20, seed=3)
    before = _snapshot(store, tmp_path)
    path = _customers_csv(tmp_path / "customers.csv")

    code, out, err = cli("--db", store.url, "registry", "import", path)

    assert code != 0
    assert err.strip().splitlines() == [
        f"vaspguard: {path}: row 4: field 'nationalities': 'XX' is not an ISO 3166-1 alpha-2 country code"
    ]
    assert out == ""
    assert reg.count_customers() == 20
    assert _snapshot(store, tmp_path) == before


def test_skip_invalid_reports_every_bad_row(store: Store, cli: CliRunner, tmp_path: Path) -> None:
    path = _customers_csv(tmp_path / "customers.csv")
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(["C5", "robot", NAMES_ANNA, "DE", "DE", "verified"])

    code, out, _ = cli("--db", store.url, "registry", "import", path, "--skip-invalid", "--json")

    assert code == 0
    report = json.loads(out)[0]
    assert report["read"] == 5
    assert report["imported"] == 3
    assert [(s["row"], s["field"]) for s in report["skipped"]] == [(4, "nationalities"), (6, "type")]
    assert sorted(c.id for c in Registry(store).iter_customers()) == ["C1", "C2", "C4"]


def test_import_keeps_scripts_and_facts(store: Store, tmp_path: Path) -> None:
    path = _customers_csv(tmp_path / "customers.csv", bad_nationality="ua")
    report = import_file(store, path)
    assert report.imported == 4
    gleb = Registry(store).get_customer("C2")
    assert [(n.name, n.script, n.kind.value) for n in gleb.names] == [
        ("Глеб Костарев", "Cyrl", "original_script"),
        ("Gleb Kostarev", "Latn", "primary"),
    ]
    assert gleb.nationalities == ("DE", "RU")
    assert Registry(store).get_customer("C3").nationalities == ("UA",)  # lower case accepted, stored upper


@pytest.mark.parametrize("fmt", list(FileFormat))
def test_round_trip_every_kind(store: Store, second_store: Store, tmp_path: Path, fmt: FileFormat) -> None:
    addresses = ["0x098B716B8Aaf21512996dC57EB0615e2383E2f96", "bc1qsyntheticaddressofinterest0000000000"]
    seed(store, customers=60, seed=11, transactions_per_customer=6, addresses_of_interest=addresses)
    files = {}
    for kind in RecordKind:
        files[kind] = tmp_path / f"{kind}.{fmt}"
        export_file(store, kind, files[kind])
    for kind in RecordKind:  # customers first: everything else refers to them
        report = import_file(second_store, files[kind])
        assert report.skipped == ()
        assert report.imported == report.read > 0

    assert _snapshot(second_store, tmp_path / "b") == _snapshot(store, tmp_path / "a")
    a, b = Registry(store), Registry(second_store)
    assert list(b.iter_customers()) == list(a.iter_customers())
    some = next(c.id for c in a.iter_customers() if a.accounts(c.id))
    assert b.accounts(some) == a.accounts(some)
    assert b.transactions(some) == a.transactions(some)
    assert b.stats() == a.stats()


@pytest.fixture(autouse=True)
def _dirs(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir(exist_ok=True)


def _one(tmp_path: Path, kind: RecordKind, record: dict[str, Any]) -> InvalidRow | Any:
    path = tmp_path / f"{kind}.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    [(row, value)] = list(read_records(path, kind, FileFormat.JSONL))
    assert row == 1
    return value


GOOD_CUSTOMER = {"id": "C1", "type": "natural", "names": [{"name": "Anna Schmidt"}], "kyc_status": "verified"}
GOOD_TX = {
    "id": "T1",
    "customer_id": "C1",
    "kind": "withdrawal",
    "occurred_at": "2025-03-01T10:00:00Z",
    "asset": "BTC",
    "amount": "0.5",
    "chain": "bitcoin",
    "address": "bc1qexample",
}


@pytest.mark.parametrize(
    ("kind", "base", "change", "field", "reason"),
    [
        (RecordKind.CUSTOMERS, GOOD_CUSTOMER, {"residence": "SU"}, "residence", "not an ISO 3166-1"),
        (RecordKind.CUSTOMERS, GOOD_CUSTOMER, {"birth_date": "1984-13"}, "birth_date", "not a date of birth"),
        (RecordKind.CUSTOMERS, GOOD_CUSTOMER, {"kyc_status": "ok"}, "kyc_status", "not one of"),
        (RecordKind.CUSTOMERS, GOOD_CUSTOMER, {"names": []}, "names", "at least one name"),
        (
            RecordKind.CUSTOMERS,
            GOOD_CUSTOMER,
            {"names": [{"name": "A"}, {"name": "B"}]},
            "names",
            "exactly one name must be of kind primary",
        ),
        (
            RecordKind.CUSTOMERS,
            GOOD_CUSTOMER,
            {"names": [{"name": "A", "script": "latin"}]},
            "names[0].script",
            "ISO 15924",
        ),
        (
            RecordKind.CUSTOMERS,
            GOOD_CUSTOMER,
            {"residence_permits": [{"country": "DE", "kind": "temporary", "valid_from": "2025-02-30"}]},
            "residence_permits[0].valid_from",
            "not a date",
        ),
        (
            RecordKind.CUSTOMERS,
            GOOD_CUSTOMER,
            {
                "residence_permits": [
                    {
                        "country": "DE",
                        "kind": "temporary",
                        "valid_from": "2025-01-01",
                        "valid_until": "2024-01-01",
                    }
                ]
            },
            "residence_permits[0].valid_until",
            "before valid_from",
        ),
        (
            RecordKind.CUSTOMERS,
            {**GOOD_CUSTOMER, "type": "legal"},
            {"owners": [{"name": "A", "share": "0.6"}, {"name": "B", "share": "0.5"}]},
            "owners",
            "more than 1",
        ),
        (RecordKind.CUSTOMERS, GOOD_CUSTOMER, {"owners": [{"name": "A"}]}, "owners", "only legal persons"),
        (
            RecordKind.CUSTOMERS,
            GOOD_CUSTOMER,
            {"contacts": [{"kind": "phone", "value": "0049 151"}]},
            "contacts[0].value",
            "E.164",
        ),
        (RecordKind.CUSTOMERS, GOOD_CUSTOMER, {"nationality": "DE"}, "nationality", "unknown field"),
        (
            RecordKind.TRANSACTIONS,
            GOOD_TX,
            {"occurred_at": "2025-03-01T10:00:00"},
            "occurred_at",
            "no UTC offset",
        ),
        (
            RecordKind.TRANSACTIONS,
            GOOD_TX,
            {"amount": "0.1234567890123456789"},
            "amount",
            "18 decimal places",
        ),
        (RecordKind.TRANSACTIONS, GOOD_TX, {"amount": "-1"}, "amount", "greater than zero"),
        (RecordKind.TRANSACTIONS, GOOD_TX, {"amount": "NaN"}, "amount", "not a finite number"),
        (RecordKind.TRANSACTIONS, GOOD_TX, {"address": None}, "address", "missing"),
        (
            RecordKind.TRANSACTIONS,
            GOOD_TX,
            {"kind": "trade", "chain": None, "address": None},
            "counter_asset",
            "missing",
        ),
        (RecordKind.TRANSACTIONS, GOOD_TX, {"kind": "gift"}, "kind", "not one of"),
        (RecordKind.TRANSACTIONS, GOOD_TX, {"asset": "bitcoin"}, "asset", "not an asset code"),
        (
            RecordKind.ACCOUNTS,
            {"id": "A1", "customer_id": "C1", "product": "spot", "opened_at": "2025-01-01T00:00:00+01:00"},
            {"balances": {"BTC": "-1"}},
            "balances.BTC",
            "negative balance",
        ),
        (
            RecordKind.LOGINS,
            {"customer_id": "C1", "occurred_at": "2025-01-01T00:00:00Z", "ip": "10.0.0.1"},
            {"ip": "10.0.0.300"},
            "ip",
            "not an IPv4 or IPv6",
        ),
        (
            RecordKind.PRICES,
            {"asset": "BTC", "day": "2025-01-01", "eur": "1"},
            {"eur": "0"},
            "eur",
            "greater than zero",
        ),
    ],
)
def test_field_checks(
    tmp_path: Path, kind: RecordKind, base: dict[str, Any], change: dict[str, Any], field: str, reason: str
) -> None:
    good = _one(tmp_path, kind, base)
    assert not isinstance(good, Exception), good
    bad = _one(tmp_path, kind, {**base, **change})
    assert isinstance(bad, Exception)
    assert bad.field == field
    assert reason in bad.reason


def test_amounts_are_exact_and_times_utc(tmp_path: Path) -> None:
    tx = _one(
        tmp_path, RecordKind.TRANSACTIONS, {**GOOD_TX, "amount": 0.1, "occurred_at": "2025-03-01T12:00+02:00"}
    )
    assert tx.amount == Decimal("0.1")  # JSON numbers are parsed as decimals, never binary floats
    assert tx.occurred_at.isoformat() == "2025-03-01T10:00:00+00:00"


def test_parquet_float_amount_refused(tmp_path: Path) -> None:
    path = tmp_path / "prices.parquet"
    pq.write_table(pa.table({"asset": ["BTC"], "day": ["2025-01-01"], "eur": [0.1]}), path)
    [(row, err)] = list(read_records(path, RecordKind.PRICES, FileFormat.PARQUET))
    assert (row, err.field) == (1, "eur")
    assert "binary floating point" in err.reason


def test_bad_files(store: Store, tmp_path: Path) -> None:
    unknown = _csv(tmp_path / "customers.csv", ["id", "type", "names", "kyc_status", "colour"], [])
    with pytest.raises(InvalidFile, match="unknown column 'colour'"):
        import_file(store, unknown)
    missing = _csv(tmp_path / "customers2.csv", ["id", "type", "names"], [])
    with pytest.raises(InvalidFile, match="missing column 'kyc_status'"):
        import_file(store, missing)
    (tmp_path / "customers3.csv").write_bytes(b"")
    with pytest.raises(InvalidFile, match="no header"):
        import_file(store, tmp_path / "customers3.csv")
    (tmp_path / "customers.parquet").write_bytes(b"PAR1 truncated")
    with pytest.raises(InvalidFile, match="not a readable Parquet file"):
        import_file(store, tmp_path / "customers.parquet")
    with pytest.raises(InvalidFile, match="record kind"):
        import_file(store, _csv(tmp_path / "people.csv", ["id"], []))
    wide = _csv(tmp_path / "prices.csv", ["asset", "day", "eur"], [["BTC", "2025-01-01", "1", "extra"]])
    with pytest.raises(InvalidRow, match=r"row 2: field '\(row\)': 4 fields, the header has 3"):
        import_file(store, wide)


def test_references_and_duplicates(store: Store, tmp_path: Path) -> None:
    import_file(store, _customers_csv(tmp_path / "customers.csv", bad_nationality="AT"))
    accounts = _csv(
        tmp_path / "accounts.csv",
        ["id", "customer_id", "product", "opened_at", "balances"],
        [["A1", "C1", "spot", "2025-01-01T00:00:00Z", '{"BTC": "0.5"}']],
    )
    import_file(store, accounts)
    header = [
        "id",
        "customer_id",
        "account_id",
        "kind",
        "occurred_at",
        "asset",
        "amount",
        "counterparty_customer_id",
    ]
    base = ["C1", "A1", "internal_transfer", "2025-02-01T00:00:00Z", "USDT", "10"]
    cases = [
        (["T1", "C9", "", *base[2:], "C2"], "customer_id", "customer 'C9' is not in the registry"),
        (["T1", *base, "C9"], "counterparty_customer_id", "customer 'C9' is not in the registry"),
        (["T1", "C2", *base[1:], "C1"], "account_id", "account 'A1' belongs to customer 'C1'"),
        (["T1", "C1", "A7", *base[2:], "C2"], "account_id", "account 'A7' is not in the registry"),
    ]
    for n, (row, field, reason) in enumerate(cases):
        path = _csv(tmp_path / f"transactions{n}.csv", header, [row])
        with pytest.raises(InvalidRow) as info:
            import_file(store, path)
        assert (info.value.row, info.value.field, info.value.reason) == (2, field, reason)

    twice = _csv(tmp_path / "transactions_twice.csv", header, [["T1", *base, "C2"], ["T1", *base, "C2"]])
    with pytest.raises(InvalidRow, match="row 3: field 'id': given twice in this file"):
        import_file(store, twice)
    assert Registry(store).transactions("C1") == []
    import_file(store, _csv(tmp_path / "transactions_ok.csv", header, [["T1", *base, "C2"]]))
    with pytest.raises(InvalidRow, match="row 2: field 'id': already in the registry"):
        import_file(store, tmp_path / "transactions_ok.csv")


def test_owner_may_point_forward_but_not_nowhere(store: Store, tmp_path: Path) -> None:
    header = ["id", "type", "names", "kyc_status", "owners"]
    owners = json.dumps([{"name": "Anna Schmidt", "customer_id": "C9", "share": "1"}])
    firm = ["F1", "legal", json.dumps([{"name": "Firm GmbH"}]), "verified", owners]
    anna = ["C9", "natural", NAMES_ANNA, "verified", ""]
    import_file(store, _csv(tmp_path / "customers.csv", header, [firm, anna]))
    assert Registry(store).get_customer("F1").owners[0].customer_id == "C9"

    orphan = ["F2", "legal", json.dumps([{"name": "Other Ltd"}]), "verified", owners.replace("C9", "C404")]
    path = _csv(tmp_path / "customers2.csv", header, [["C10", *anna[1:]], orphan])
    with pytest.raises(InvalidRow, match=r"row 3: field 'owners\[0\].customer_id': customer 'C404'"):
        import_file(store, path)
    assert Registry(store).count_customers() == 2  # nothing of the failed file, not even C10
    report = import_file(store, path, skip_invalid=True)
    assert (report.imported, [s.row for s in report.skipped]) == (1, [3])
    assert Registry(store).count_customers() == 3


def test_export_cli_and_show(store: Store, cli: CliRunner, tmp_path: Path) -> None:
    seed(store, customers=30, seed=5)
    code, out, _ = cli(
        "--db", store.url, "registry", "export", "--kind", "customers", "-o", tmp_path / "c.parquet"
    )
    assert code == 0 and "exported 30 customers" in out
    assert pq.read_table(tmp_path / "c.parquet").num_rows == 30
    code, out, _ = cli("--db", store.url, "registry", "show", "C0000001", "--json")
    assert code == 0
    shown = json.loads(out)
    assert shown["customer"]["id"] == "C0000001"
    assert shown["accounts"]
    code, out, _ = cli("--db", store.url, "registry", "stats", "--json")
    assert json.loads(out)["customers"] == 30
    code, _, err = cli("--db", store.url, "registry", "show", "C404")
    assert code == 2 and "customer 'C404' not found" in err


def test_errors_across_chunks_come_in_row_order_and_nothing_is_written(store: Store, tmp_path: Path) -> None:
    from datetime import date, timedelta

    from vaspguard.registry._io import CHUNK

    n = 2 * CHUNK + 500
    rows = [
        [f"X{i // 300}", (date(2025, 1, 1) + timedelta(days=i % 300)).isoformat(), "1.5"] for i in range(n)
    ]
    rows[CHUNK + 10][2] = "-1"  # line CHUNK + 12: in the second chunk
    rows[2 * CHUNK + 7][1] = "2025-02-30"  # in the third
    path = _csv(tmp_path / "prices.csv", ["asset", "day", "eur"], rows)
    with pytest.raises(InvalidRow) as info:
        import_file(store, path)
    assert (info.value.row, info.value.field) == (CHUNK + 12, "eur")
    assert Registry(store).stats()["prices"] == 0

    report = import_file(store, path, skip_invalid=True)
    assert [(s.row, s.field) for s in report.skipped] == [(CHUNK + 12, "eur"), (2 * CHUNK + 9, "day")]
    assert Registry(store).stats()["prices"] == n - 2


def test_export_to_a_missing_directory_is_one_line(store: Store, cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "nowhere" / "customers.csv"
    code, _, err = cli("--db", store.url, "registry", "export", "--kind", "customers", "-o", target)
    assert code == 2
    assert err.strip() == f"vaspguard: {target}: cannot write: No such file or directory"
    assert not target.parent.exists()


def test_plain_name_in_csv_names_cell(store: Store, tmp_path: Path) -> None:
    header = ["id", "type", "names", "kyc_status"]
    path = _csv(
        tmp_path / "customers.csv",
        header,
        [["P1", "natural", "Anna Schmidt", "verified"], ["P2", "natural", "  Глеб Костарев ", "verified"]],
    )
    assert import_file(store, path).imported == 2
    reg = Registry(store)
    assert reg.get_customer("P1").names == (Name("Anna Schmidt", "Latn", NameKind.PRIMARY),)
    assert reg.get_customer("P2").names == (Name("Глеб Костарев", "Cyrl", NameKind.PRIMARY),)


def test_bad_names_cell_shows_the_expected_shape(store: Store, tmp_path: Path) -> None:
    header = ["id", "type", "names", "kyc_status"]
    for cell in ('[{"name": "Anna"', '{"name": "Anna"}'):
        path = _csv(tmp_path / "customers.csv", header, [["P1", "natural", cell, "verified"]])
        with pytest.raises(
            InvalidRow, match=r"row 2: field 'names': .*a plain name, or a JSON array such as \["
        ):
            import_file(store, path)
