"""kill -9 the dispatcher (a real ``vaspguard worker dispatch`` process) in the middle of delivering to a
real receiver, start it again, and show that nothing is lost and nothing is reordered per subject (a
repeat of the event in flight is allowed: delivery is at least once, with the same webhook-id)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from events_helpers import Receiver
from sqlalchemy import text

from vaspguard.events import EventType, add_webhook, emit
from vaspguard.store import Store

SUBJECTS = [f"customer:C{i}" for i in range(5)]
EVENTS = 200


def _start(store: Store, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "VASPGUARD_DB": store.url, "VASPGUARD_DISPATCH_IDLE_SECONDS": "0.05"}
    with log.open("ab") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "vaspguard.cli", "worker", "dispatch"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def _wait(predicate: object, seconds: float, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("timed out; dispatcher said: " + log.read_text()[-2000:])


def test_kill_9_mid_delivery_loses_nothing_and_keeps_order(
    store: Store, receiver: Receiver, tmp_path: Path
) -> None:
    log = tmp_path / "dispatcher.log"
    add_webhook(store, "crm", receiver.url)
    with store.connect() as conn:
        for i in range(EVENTS):
            subject = SUBJECTS[i % len(SUBJECTS)]
            emit(
                conn,
                EventType.ALERT_RAISED,
                (subject,),
                {"customer_id": subject.split(":")[1], "alert_id": i},
            )
    receiver.delay = 0.01  # an event in flight when the kill comes
    kills = 0
    for stop_at in (40, 110):
        proc = _start(store, log)
        _wait(lambda n=stop_at: len(receiver.got) >= n, 120, log)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        kills += 1
    proc = _start(store, log)
    try:

        def all_delivered() -> bool:
            with store.connect() as conn:
                return (
                    conn.execute(
                        text("SELECT count(*) FROM events_deliveries WHERE status = 'delivered'")
                    ).scalar_one()
                    == EVENTS
                )

        _wait(all_delivered, 120, log)
    finally:
        proc.terminate()
        proc.wait()
    assert kills == 2
    docs = [json.loads(g.body) for g in receiver.got]
    assert {d["data"]["alert_id"] for d in docs} == set(range(EVENTS))  # nothing lost
    assert len(docs) - EVENTS <= 21 * kills  # at most the acknowledgements not yet recorded, again
    for subject in SUBJECTS:
        first_seen: list[int] = []
        for d in docs:
            if d["subjects"][0] == subject and d["seq"] not in first_seen:
                first_seen.append(d["seq"])
        assert first_seen == sorted(first_seen), subject  # nothing reordered
    ids = {g.headers["webhook-id"] for g in receiver.got}
    assert len(ids) == EVENTS  # a repeat carries the same webhook-id, so a receiver can drop it
