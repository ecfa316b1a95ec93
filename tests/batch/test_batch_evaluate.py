"""``batch evaluate`` (local engine) and ``batch import-states``: the states a batch job writes are the ones
``policy evaluate`` computes on the store, its import leads to the same notices, its diff names the changes,
and each safeguard refuses what it protects against (another policy, evidence recorded since the job, a
directory that is not a finished evaluation)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from batch_helpers import THRESHOLD_DAY, demo_exchange, export_inputs, prices_for_the_threshold

from vaspguard.batch import evaluate, import_states, read_rows
from vaspguard.errors import InvalidFile, InvalidRequest, Refused
from vaspguard.policy import Engine, builtin_packs, notices, record_evidence
from vaspguard.policy import evaluate as evaluate_store
from vaspguard.store import Store

CUSTOMERS = 1500
KINDS = ("customers", "accounts", "prices")
LATER = date(
    2022, 10, 7
)  # Reg 2022/1904: the threshold is gone, covered customers are restricted whatever they hold


def _notices(store: Store) -> list[tuple[Any, ...]]:
    return sorted(
        (n["customer_id"], n["old_state"], n["new_state"], json.dumps(
            {k: v for k, v in n.items() if k not in ("notice_id", "evaluation_id")}, sort_keys=True))
        for n in notices(store, limit=1_000_000)
    )  # fmt: skip


def _exchange(store: Store) -> None:
    demo_exchange(store, CUSTOMERS)
    prices_for_the_threshold(store)


def test_batch_states_lead_to_the_notices_of_policy_evaluate(
    store: Store, second_store: Store, tmp_path: Path
) -> None:
    for s in (store, second_store):
        _exchange(s)
    inputs = export_inputs(store, tmp_path / "in", kinds=KINDS)
    engine = Engine(builtin_packs())
    for day, out in ((THRESHOLD_DAY, tmp_path / "first"), (LATER, tmp_path / "later")):
        previous = tmp_path / "first" if day == LATER else None
        report = evaluate(store, inputs, out, at=day, previous=previous)
        imported = import_states(store, out, keep_changes=True)
        expected = evaluate_store(second_store, engine, day)
        assert report.customers == CUSTOMERS == imported.customers
        assert report.states == expected.counts == imported.counts
        assert imported.changes == expected.changes and expected.changes
        assert _notices(store) == _notices(second_store)

    states = read_rows(tmp_path / "later" / "states")
    # holdings were valued on the threshold day, with the unpriced asset named, and not needed later
    first = read_rows(tmp_path / "first" / "states")
    assert any(r["holdings_eur"] and float(r["holdings_eur"]) > 10_000 for r in first)
    assert any(r["unpriced"] for r in first)
    assert all(r["holdings_eur"] is None for r in states)
    # the diff names exactly the customers whose state or rule changed between the two days
    diff = read_rows(tmp_path / "later" / "diff")
    before = {r["customer_id"]: (r["state"], r["rule_id"]) for r in first}
    after = {r["customer_id"]: (r["state"], r["rule_id"]) for r in states}
    assert [r["customer_id"] for r in diff] == sorted(c for c in after if after[c] != before[c])
    assert diff and all((r["old_state"], r["old_rule_id"]) == before[r["customer_id"]] for r in diff)


def test_a_notice_quotes_the_customers_own_holdings(sqlite_store: Store, tmp_path: Path) -> None:
    """Customers with one profile share a computation, but a reason quoting holdings is each one's own."""
    _exchange(sqlite_store)
    evaluate(sqlite_store, export_inputs(sqlite_store, tmp_path / "in", kinds=KINDS), tmp_path / "o",
             at=THRESHOLD_DAY)  # fmt: skip
    quoting = [r for r in read_rows(tmp_path / "o" / "states") if r["reason"] and "total EUR" in r["reason"]]
    assert len(quoting) > 1
    for r in quoting:
        assert f"{float(r['holdings_eur']):,.2f}" in r["reason"]


def test_import_states_refuses_what_changed_since_the_job(sqlite_store: Store, tmp_path: Path) -> None:
    _exchange(sqlite_store)
    inputs = export_inputs(sqlite_store, tmp_path / "in", kinds=KINDS)
    evaluate(sqlite_store, inputs, tmp_path / "o", at=LATER)
    with pytest.raises(Refused, match="evaluated with policy"):
        import_states(sqlite_store, tmp_path / "o", packs=builtin_packs()[:1])
    covered = next(r for r in read_rows(tmp_path / "o" / "states") if r["state"] != "unrestricted")
    record_evidence(
        sqlite_store, Engine(builtin_packs()), covered["customer_id"], kind="residence_permit",
        document="permit 1", recorded_by="ana", at=LATER, country="DE", permit_kind="permanent",
        valid_from=date(2020, 1, 1),
    )  # fmt: skip
    with pytest.raises(Refused, match="exemption evidence or confirmed listings changed"):
        import_states(sqlite_store, tmp_path / "o")
    # evaluated again, the evidence is in the states: that customer is no longer restricted
    evaluate(sqlite_store, inputs, tmp_path / "again", at=LATER, previous=tmp_path / "o")
    again = {r["customer_id"]: r for r in read_rows(tmp_path / "again" / "states")}
    assert again[covered["customer_id"]]["state"] != covered["state"]
    assert import_states(sqlite_store, tmp_path / "again").customers == CUSTOMERS


def test_evaluate_refuses_bad_directories(sqlite_store: Store, tmp_path: Path) -> None:
    _exchange(sqlite_store)
    inputs = export_inputs(sqlite_store, tmp_path / "in", kinds=("customers", "prices"))
    with pytest.raises(InvalidFile, match="no accounts here"):
        evaluate(sqlite_store, inputs, tmp_path / "o", at=LATER)
    export_inputs(sqlite_store, inputs, kinds=("accounts",))
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("")
    with pytest.raises(Refused, match="not empty"):
        evaluate(sqlite_store, inputs, tmp_path / "used", at=LATER)
    with pytest.raises(InvalidFile, match="not the output of a finished batch job"):
        evaluate(sqlite_store, inputs, tmp_path / "o", at=LATER, previous=tmp_path / "used")
    with pytest.raises(InvalidFile, match="not the output of a finished batch job"):
        import_states(sqlite_store, tmp_path / "used")
    with pytest.raises(InvalidRequest, match="'flink' is not local or spark"):
        evaluate(sqlite_store, inputs, tmp_path / "o2", at=LATER, engine="flink")
    evaluate(sqlite_store, inputs, tmp_path / "o3", at=LATER)
    (tmp_path / "o3" / "manifest.json").write_text('{"job": "screen"}')
    with pytest.raises(InvalidFile, match="'screen' is not a evaluate job"):
        import_states(sqlite_store, tmp_path / "o3")


def test_cli_batch_evaluate_import_states_and_usage_errors(cli, sqlite_store: Store, tmp_path: Path) -> None:
    demo_exchange(sqlite_store, 200)
    inputs = export_inputs(sqlite_store, tmp_path / "in", partitioned=True, kinds=KINDS)
    db = ("--db", sqlite_store.url, "batch")
    code, out, err = cli(*db, "evaluate", inputs, "--at", "2026-11-01", "-o", tmp_path / "o", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["customers"] == 200 and report["states"]["withdraw-only"] > 0
    code, out, err = cli(*db, "import-states", tmp_path / "o", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["changed"] == report["customers"] - report["states"]["unrestricted"]
    assert len(notices(sqlite_store, limit=1000)) == summary["changed"]
    code, _, err = cli(*db, "evaluate", inputs, "--at", "2026-13-01", "-o", tmp_path / "x")
    assert code == 2 and err.count("\n") == 1 and "--at" in err
    assert not (tmp_path / "x").exists()


def test_balances_are_gathered_from_every_account_without_fiat_or_zero(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from vaspguard.batch._inputs import Balances, balances_type

    def held(*pairs: tuple[str, str]) -> list[dict[str, object]]:
        return [{"asset": a, "amount": Decimal(x)} for a, x in pairs]

    accounts = pa.table(
        {
            "customer_id": ["C2", "C1", "C2", "C3", "C4"],
            "balances": pa.array(
                [held(("BTC", "1.5"), ("EUR", "900")), held(("ETH", "0")), held(("ETH", "2"), ("BTC", "0.5")),
                 held(("USD", "10")), None],
                type=balances_type(),
            ),
        }
    )  # fmt: skip
    pq.write_table(accounts, tmp_path / "accounts.parquet")
    balances = Balances(tmp_path / "accounts.parquet")
    got = balances(["C1", "C2", "C3", "C4", "C9"]).to_pylist()
    assert (
        got[0] is None and got[2] is None and got[3] is None and got[4] is None
    )  # zero, fiat, none, unknown
    assert sorted((b["asset"], b["amount"]) for b in got[1]) == [
        ("BTC", Decimal("0.5")), ("BTC", Decimal("1.5")), ("ETH", Decimal("2"))
    ]  # fmt: skip
    assert len(balances) == 1
