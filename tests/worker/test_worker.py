"""The worker on a fake clock: crossing the Art 5b change date of Reg 2022/1904 (2022-10-07) changes a
customer's state and its notice follows; failures are retried and raise an event; one run at a time."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from vaspguard.events import events_after
from vaspguard.policy import customer_state, notices
from vaspguard.registry import Account, Customer, Name, PersonType, Price, Product, Registry
from vaspguard.settings import Settings
from vaspguard.store import Store, open_store
from vaspguard.worker import Job, Worker, change_dates, every, next_evaluation, policy_job, runs

T0 = datetime(2022, 1, 1, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _registry(store: Store) -> None:
    reg = Registry(store)
    n = PersonType.NATURAL
    reg.add_customers(
        [
            Customer("C-RU-SMALL", n, (Name("Olga Small"),), ("RU",), "RU"),
            Customer("C-DE", n, (Name("Anna Schmidt"),), ("DE",), "DE"),
        ]
    )
    reg.add_prices([Price("BTC", date(2022, 1, 1), Decimal("20000"))])
    reg.add_accounts([Account("A-S", "C-RU-SMALL", Product.SPOT, T0, balances={"BTC": Decimal("0.4")})])


def test_crossing_the_art_5b_change_date_changes_states_and_notices_follow(store: Store) -> None:
    _registry(store)
    clock = Clock(datetime(2022, 10, 5, 12, 0, tzinfo=UTC))
    # a weekly evaluation: only the rule-change date brings the next run before 2022-10-12
    worker = Worker(store, [policy_job(store, Settings(), interval=timedelta(days=7))], clock=clock)
    assert worker.tick().ran == ["policy.evaluate"]
    assert customer_state(store, "C-RU-SMALL")["state"] == "unrestricted"  # EUR 8,000 < 10,000
    clock.now = datetime(2022, 10, 6, 23, 59, tzinfo=UTC)
    assert worker.tick().ran == []  # not due
    clock.now = datetime(2022, 10, 7, 0, 0, 1, tzinfo=UTC)
    assert worker.tick().ran == ["policy.evaluate"]  # the change date
    assert customer_state(store, "C-RU-SMALL")["state"] == "withdraw-only"  # the threshold is gone
    assert customer_state(store, "C-DE")["state"] == "unrestricted"
    (notice,) = notices(store, customer="C-RU-SMALL")
    assert notice["new_state"] == "withdraw-only" and "Art 5b" in notice["legal_basis"]["citation"]
    outward = [
        (e.type.value, e.data) for e in events_after(store) if e.type.value.startswith("restrictions.")
    ]
    assert [t for t, _ in outward] == ["restrictions.changed", "restrictions.notice_due"]
    assert outward[0][1]["customer_id"] == "C-RU-SMALL" and outward[0][1]["new_state"] == "withdraw-only"
    assert outward[0][1]["effective"] == "2022-10-07" and "name" not in outward[0][1]
    recorded = runs(store)
    assert [(r["job"], r["status"]) for r in recorded] == [("policy.evaluate", "ok")] * 2
    assert recorded[0]["detail"]["changed"] == 1


def test_next_evaluation_comes_at_a_change_date_or_after_the_interval() -> None:
    from vaspguard.policy import builtin_packs

    dates = change_dates(builtin_packs())
    assert date(2022, 10, 7) in dates
    now = datetime(2022, 10, 5, 12, 0, tzinfo=UTC)
    assert next_evaluation(now, dates, timedelta(days=7)) == datetime(2022, 10, 7, tzinfo=UTC)
    assert next_evaluation(now, dates) == now + timedelta(days=1)


def test_a_failed_run_is_recorded_retried_and_raises_an_event(store: Store) -> None:
    clock = Clock(datetime(2024, 1, 1, tzinfo=UTC))
    calls: list[int] = []

    def flaky(_now: datetime) -> dict[str, Any]:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("publisher unreachable")
        return {"ok": True}

    worker = Worker(store, [Job("lists.fetch.test", flaky, every(timedelta(hours=1)))], clock=clock)
    assert worker.tick().failed == ["lists.fetch.test"]
    assert worker.tick().failed == []  # waits for its retry
    clock.now += timedelta(minutes=1)
    assert worker.tick().failed == ["lists.fetch.test"]
    clock.now += timedelta(minutes=1)
    assert worker.tick().ran == []  # the second retry waits twice as long
    clock.now += timedelta(minutes=1)
    assert worker.tick().ran == ["lists.fetch.test"]
    recorded = runs(store, job="lists.fetch.test")
    assert [(r["attempt"], r["status"]) for r in reversed(recorded)] == [
        (1, "failed"),
        (2, "failed"),
        (3, "ok"),
    ]
    assert recorded[-1]["error"] == "ConnectionError: publisher unreachable"
    failed = [e.data for e in events_after(store) if e.type.value == "worker.job_failed"]
    assert [(f["job"], f["attempt"]) for f in failed] == [("lists.fetch.test", 1), ("lists.fetch.test", 2)]


def test_one_run_at_a_time_across_workers(store: Store) -> None:
    clock = Clock(datetime(2024, 1, 1, tzinfo=UTC))
    other_store = open_store(store.url)  # another process's connections
    outcome: list[str | None] = []

    def slow(_now: datetime) -> dict[str, Any]:
        rival = threading.Thread(target=lambda: outcome.append(other.run_job(job)))
        rival.start()
        time.sleep(0.3)
        assert rival.is_alive()  # it waits for the lock while this run goes on
        calls.append(1)
        return {}

    calls: list[int] = []
    job = Job("policy.evaluate", slow, every(timedelta(hours=1)))
    other = Worker(other_store, [job], clock=clock)
    try:
        assert Worker(store, [job], clock=clock).run_job(job) == "ok"
        for _ in range(100):
            if outcome:
                break
            time.sleep(0.05)
    finally:
        other_store.dispose()
    assert outcome == [None]  # it got the lock after the run, found the job done and not due
    assert len(calls) == 1 and len(runs(store)) == 1


def test_a_run_left_running_by_a_killed_worker_is_closed(store: Store) -> None:
    from sqlalchemy import insert

    from vaspguard.store import metadata

    clock = Clock(datetime(2024, 1, 1, tzinfo=UTC))
    with store.connect() as conn:
        conn.execute(
            insert(metadata.tables["worker_runs"]).values(
                job="audit.witnesses", attempt=1, started_at=clock.now, status="running"
            )
        )
    Worker(store, [Job("audit.witnesses", lambda _n: {}, every(timedelta(hours=1)))], clock=clock).tick()
    assert [r["status"] for r in runs(store)] == ["ok", "interrupted"]


def test_worker_runs_cli(cli, store: Store) -> None:  # type: ignore[no-untyped-def]
    Worker(
        store, [Job("audit.witnesses", lambda _n: {"x": 1}, every(timedelta(hours=1)))], clock=lambda: T0
    ).tick()
    code, out, _ = cli("--db", store.url, "worker", "runs")
    assert code == 0 and "audit.witnesses" in out and "ok" in out
    code, _, err = cli("--db", store.url, "worker", "runs", "--limit", "0")
    assert code == 2 and "Traceback" not in err
