"""``import-states``, ``policy evaluate`` and ``import-alerts`` store a step at a time (``_STEP`` rows), so
memory does not grow with the registry: in many small steps, an evaluation stores exactly what one step
stores, including the customers it lifts, and an alert import the same alerts, quiet false positives and
open alerts; the parts of a job are merged in key order, and parts that are not sorted, name a key twice
or hold another number of rows than the manifest says are refused with nothing stored."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from batch_helpers import THRESHOLD_DAY, demo_exchange, export_inputs, prices_for_the_threshold
from sqlalchemy import func, select

from vaspguard.batch import evaluate, import_alerts, import_states, screen
from vaspguard.errors import InvalidFile
from vaspguard.policy import Engine, builtin_packs, notices
from vaspguard.policy import _evaluate as recording
from vaspguard.policy import evaluate as evaluate_store
from vaspguard.policy._tables import PolicyCustomerStateRow, PolicyEvaluationRow
from vaspguard.screening import _imported as alert_import
from vaspguard.screening import decide, list_alerts
from vaspguard.screening._tables import ScreeningRunRow
from vaspguard.store import Store

CUSTOMERS = 600
KINDS = ("customers", "accounts", "prices")
LATER = date(2022, 10, 7)  # Reg 2022/1904: covered customers are restricted whatever they hold
DAYS = (THRESHOLD_DAY, LATER, THRESHOLD_DAY)  # the last one lifts those below EUR 10,000 again


def _notices(store: Store) -> list[str]:
    return [
        json.dumps({k: v for k, v in n.items() if k not in ("notice_id", "evaluation_id")}, sort_keys=True)
        for n in sorted(notices(store, limit=1_000_000), key=lambda n: n["notice_id"])
    ]


def _states(store: Store) -> list[tuple[Any, ...]]:
    s = PolicyCustomerStateRow
    with store.connect() as conn:
        rows = conn.execute(
            select(s.customer_id, s.state, s.rule_id, s.citation, s.since).order_by(s.customer_id)
        )
        return [tuple(r) for r in rows]


def _evaluations(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(PolicyEvaluationRow)).scalar_one())


def _exchange(store: Store) -> None:
    demo_exchange(store, CUSTOMERS)
    prices_for_the_threshold(store)


def test_many_small_steps_record_what_one_step_records(
    store: Store, second_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for s in (store, second_store):
        _exchange(s)
    inputs = export_inputs(store, tmp_path / "in", kinds=KINDS)
    engine = Engine(builtin_packs())
    lifted = 0
    for i, day in enumerate(DAYS):
        out = tmp_path / f"job{i}"
        evaluate(store, inputs, out, at=day)
        monkeypatch.setattr(recording, "_STEP", 7)
        small = import_states(store, out, keep_changes=True)
        monkeypatch.setattr(recording, "_STEP", 100_000)
        whole = evaluate_store(second_store, engine, day)
        assert small.changed > 7 * 3, "the import ran in several steps"
        assert small.changes == whole.changes
        assert small.summary()["changes"] == whole.summary()["changes"]
        assert small.changed == whole.changed == len(whole.changes)
        assert _notices(store) == _notices(second_store)
        assert _states(store) == _states(second_store)
        lifted += small.by_change.get("withdraw-only -> unrestricted", 0)
    assert lifted > 7, "the last evaluation lifted customers, over several pages"


def test_policy_evaluate_in_small_steps_on_both_backends(
    store: Store, second_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    for s in (store, second_store):
        _exchange(s)
    engine = Engine(builtin_packs())
    for day in DAYS:
        monkeypatch.setattr(recording, "_STEP", 5)
        small = evaluate_store(store, engine, day)
        monkeypatch.setattr(recording, "_STEP", 100_000)
        whole = evaluate_store(second_store, engine, day)
        assert (small.changes, small.counts) == (whole.changes, whole.counts) and small.changes
    assert _notices(store) == _notices(second_store)
    assert _states(store) == _states(second_store)


def _split(states: Path, into: Path, parts: int, *, spoil: str | None = None) -> None:
    """The states of a one-file job as ``parts`` Spark-like part files, customer i in part i mod ``parts``:
    each part sorted. ``spoil``: "unsorted" reverses the first part, "twice" repeats a customer, "moved" puts
    a restricted customer of the first part in the second as well, and drops a row of the third (each part
    sorted, the count right)."""
    table = pq.read_table(next(states.glob("*.parquet")))
    into.mkdir()
    (into / "_SUCCESS").write_text("")
    for k in range(parts):
        part = table.take(pa.array(range(k, table.num_rows, parts)))
        if k == 0 and spoil == "unsorted":
            part = part.take(pa.array(range(part.num_rows - 1, -1, -1)))
        if k == 1 and spoil == "twice":
            part = pa.concat_tables([part, table.take(pa.array([table.num_rows - 1]))]).sort_by("customer_id")
        if k == 1 and spoil == "moved":
            restricted = next(
                i for i in range(0, table.num_rows, parts) if table["state"][i].as_py() != "unrestricted"
            )
            part = pa.concat_tables([part, table.take(pa.array([restricted]))]).sort_by("customer_id")
        if k == 2 and spoil == "moved":
            part = part.slice(0, part.num_rows - 1)
        pq.write_table(part, into / f"part-{k:05d}-x.snappy.parquet")


@pytest.mark.parametrize(
    ("spoil", "why"),
    [
        ("unsorted", r"part-00000-x.snappy.parquet: not sorted by customer_id, or a row is in it twice"),
        ("twice", r"states: 601 rows, but the job's manifest counts 600"),
        ("moved", r"states: C\w+ is in two parts"),
    ],
)
def test_parts_are_merged_in_customer_order_and_bad_parts_refused(
    sqlite_store: Store, tmp_path: Path, spoil: str, why: str
) -> None:
    _exchange(sqlite_store)
    inputs = export_inputs(sqlite_store, tmp_path / "in", kinds=KINDS)
    evaluate(sqlite_store, inputs, tmp_path / "one", at=LATER)
    for name, how in (("bad", spoil), ("parts", None)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "manifest.json").write_text((tmp_path / "one" / "manifest.json").read_text())
        _split(tmp_path / "one" / "states", tmp_path / name / "states", 3, spoil=how)

    before = (_evaluations(sqlite_store), _notices(sqlite_store), _states(sqlite_store))
    with pytest.raises(InvalidFile, match=why):
        import_states(sqlite_store, tmp_path / "bad")
    assert (_evaluations(sqlite_store), _notices(sqlite_store), _states(sqlite_store)) == before

    merged = import_states(sqlite_store, tmp_path / "parts", keep_changes=True)
    ids = [c["customer_id"] for c in merged.changes]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) > 0
    whole = evaluate_store(sqlite_store, Engine(builtin_packs()), LATER)
    assert whole.changed == 0, "the merged parts stored what the store itself computes"


def _alerts(store: Store) -> list[tuple[Any, ...]]:
    return [
        (a.id, a.customer_id, a.entity_key, a.snapshot_id, a.kind, a.score, a.status,
         json.dumps(a.breakdown, sort_keys=True))
        for a in sorted(list_alerts(store, limit=100_000), key=lambda a: a.id)
    ]  # fmt: skip


def _runs(store: Store) -> list[tuple[Any, ...]]:
    r = ScreeningRunRow
    with store.connect() as conn:
        rows = conn.execute(select(r.id, r.kind, r.customers_screened, r.alerts_created).order_by(r.id))
        return [tuple(x) for x in rows]


def test_alerts_imported_in_small_steps_are_those_of_one_step(
    store: Store, second_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for s in (store, second_store):
        demo_exchange(s, CUSTOMERS)
    inputs = export_inputs(store, tmp_path / "in")
    job = screen(store, inputs, tmp_path / "out")
    assert job.alerts > 3 * 3, "the import runs in several steps"
    for step, s in ((3, store), (100_000, second_store)):
        monkeypatch.setattr(alert_import, "_STEP", step)
        monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path / f"data-{step}"))  # an audit log each
        first = import_alerts(s, tmp_path / "out")
        assert first.alerts_created == job.alerts
        # a decided false positive stays quiet, the others are open already
        decide(s, _alerts(s)[0][0], "false_positive", reason="different person", actor="ana")
        again = import_alerts(s, tmp_path / "out")
        assert (again.alerts_created, again.suppressed, again.already_open) == (0, 1, job.alerts - 1)
    assert _alerts(store) == _alerts(second_store)
    assert _runs(store) == _runs(second_store)


def test_alert_parts_out_of_order_are_refused_with_nothing_stored(
    sqlite_store: Store, tmp_path: Path
) -> None:
    demo_exchange(sqlite_store, 300)
    screen(sqlite_store, export_inputs(sqlite_store, tmp_path / "in"), tmp_path / "out")
    part = next((tmp_path / "out" / "alerts").glob("*.parquet"))
    table = pq.read_table(part)
    assert table.num_rows > 1
    pq.write_table(table.take(pa.array(range(table.num_rows - 1, -1, -1))), part)
    with pytest.raises(InvalidFile, match="not sorted by customer_id, kind, entity_key"):
        import_alerts(sqlite_store, tmp_path / "out")
    assert (_runs(sqlite_store), _alerts(sqlite_store)) == ([], [])
    pq.write_table(table.slice(1), part)
    with pytest.raises(
        InvalidFile, match=f"{table.num_rows - 1} rows, but the job's manifest counts {table.num_rows}"
    ):
        import_alerts(sqlite_store, tmp_path / "out")
    assert (_runs(sqlite_store), _alerts(sqlite_store)) == ([], [])
    pq.write_table(table, part)
    assert import_alerts(sqlite_store, tmp_path / "out").alerts_created == table.num_rows
