"""The schedule: which jobs the worker runs and when.

- ``lists.fetch.FEED`` (each feed in ``VASPGUARD_WORKER_FEEDS``, every ``worker_fetch_minutes``): a
  conditional download as ``vaspguard lists fetch`` does, then, when a new snapshot was imported, an
  incremental rescreen (what the list diff touched, and customers new or changed since the last run).
- ``policy.evaluate``: every customer's restriction state, daily and at 00:00 UTC of each date a rule pack
  changes (a rule's ``effective.from``, or the day after its ``until``), whichever comes first; permits and
  visas that expire are caught by the daily run. State changes and their notices raise events.
- ``requests.deadlines`` (hourly): what central legal must act on (notices due, emergency follow-ups,
  preservation expiry, gag-order ends, deadlines) raised once each as an event.
- ``audit.witnesses`` (hourly): the latest checkpoint and how many signatures it carries; a checkpoint
  without any witness cosignature is reported in the run (the reminder).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from vaspguard.events import EventType, emit
from vaspguard.settings import Settings
from vaspguard.store import Store
from vaspguard.worker._schedule import Job, every


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def change_dates(packs: Sequence[Any]) -> list[date]:
    """Every date on which some rule starts or stops applying (sorted)."""
    found: set[date] = set()
    for pack in packs:
        for rule in pack.spec.rules:
            if rule.effective.from_ is not None:
                found.add(rule.effective.from_)
            if rule.effective.until is not None:
                found.add(rule.effective.until + timedelta(days=1))
    return sorted(found)


def next_evaluation(
    now: datetime, dates: Sequence[date], interval: timedelta = timedelta(days=1)
) -> datetime:
    """``interval`` after ``now``, or 00:00 UTC of the next rule-change date if that comes sooner."""
    coming = [_midnight(d) for d in dates if _midnight(d) > now]
    return min([now + interval, *coming])


def policy_job(store: Store, settings: Settings, *, interval: timedelta = timedelta(days=1)) -> Job:
    from vaspguard.policy import Engine, evaluate, load_packs

    packs = load_packs(settings.policy_pack_paths())
    engine = Engine(packs)
    dates = change_dates(packs)

    def run(now: datetime) -> dict[str, Any]:
        result = evaluate(store, engine, now.date())
        return {
            "at": result.at,
            "customers": result.customers,
            "changed": result.changed,
            **result.counts,
        }

    return Job("policy.evaluate", run, lambda now: next_evaluation(now, dates, interval))


def rescreen_now(store: Store) -> dict[str, Any]:
    """Screen what changed since the last run (everything on the first)."""
    from vaspguard.screening import AddressBook, Screener, last_run, screen_changes

    screener = Screener.from_store(store)
    report = screen_changes(store, screener, AddressBook.from_entities(screener.entities), last_run(store))
    return {"run_id": report.run_id, "kind": report.kind, "alerts_created": report.alerts_created}


def fetch_job(store: Store, feed: str, interval: timedelta, *, actor: str) -> Job:
    def run(_now: datetime) -> dict[str, Any]:
        from vaspguard.audit import AuditLog
        from vaspguard.lists import fetch_feed, import_parsed, read_path

        def importer(paths: list[Path], context: dict[str, Any]) -> list[Any]:
            outcomes = import_parsed(
                store,
                [read_path(p) for p in paths],
                audit=AuditLog.open(store),
                actor=actor,
                actor_role="compliance",
                context=context,
            )
            return [o.info for o in outcomes]

        result = fetch_feed(store, feed, importer=importer)
        if result.snapshot is None:
            return {"feed": feed, "changed": False}
        return {
            "feed": feed,
            "changed": True,
            "snapshot_id": result.snapshot.id,
            "rescreen": rescreen_now(store),
        }

    return Job(f"lists.fetch.{feed}", run, every(interval))


_NOTICE_CODES = ("NOTICES_DUE",)
_NOT_DEADLINES = ("REFUSED_ATTEMPTS", "BLOCKED", "HIGH")


def raise_deadlines(store: Store, now: datetime) -> dict[str, Any]:
    """Raise each attention item of each lawful request once (its code, never its text: the text may name
    operators)."""
    from vaspguard.requests import LawfulRequests

    today = now.date()
    items = [
        (r["id"], item)
        for r in LawfulRequests(store, clock=lambda: now).list(attention_only=True, on=today)
        for item in r["attention"]
    ]
    raised = 0
    with store.connect() as conn:
        for request_id, item in items:
            code = item.split(":", 1)[0].strip()
            if code in _NOT_DEADLINES:
                continue
            key = "requests:" + hashlib.sha256(f"{request_id}\n{item}".encode()).hexdigest()[:40]
            subjects = (f"request:{request_id}",)
            if code in _NOTICE_CODES:
                emit(
                    conn,
                    EventType.REQUEST_NOTICE_DUE,
                    subjects,
                    {"request_id": request_id, "on": today},
                    dedupe=key,
                )
            else:
                data = {"request_id": request_id, "item": code, "on": today}
                emit(conn, EventType.REQUEST_DEADLINE_NEAR, subjects, data, dedupe=key)
            raised += 1
    return {"requests": len({r for r, _ in items}), "items": raised}


def witness_reminder(store: Store) -> dict[str, Any]:
    """The latest checkpoint's cosignatures against the configured witnesses (no log key is created)."""
    from vaspguard.audit import AuditLog, AuditSettings

    settings = AuditSettings()
    if not settings.key_path().exists():
        return {"checkpoint": None, "reason": "no audit log key here yet"}
    latest = AuditLog.open(store).latest_checkpoint()
    if latest is None:
        return {"checkpoint": None}
    witnesses = len(settings.witnesses())
    cosignatures = sum(1 for line in latest.note.splitlines() if line.startswith("\u2014 ")) - 1
    return {
        "checkpoint": latest.size,
        "witnesses": witnesses,
        "cosignatures": cosignatures,
        "remind": cosignatures < max(settings.quorum, min(witnesses, 1)),
    }


def default_jobs(store: Store, settings: Settings) -> list[Job]:
    actor = settings.default_actor() if settings.actor else "worker"
    jobs = [
        fetch_job(store, feed, timedelta(minutes=settings.worker_fetch_minutes), actor=actor)
        for feed in settings.worker_feed_names()
    ]
    jobs.append(policy_job(store, settings))
    jobs.append(Job("requests.deadlines", lambda now: raise_deadlines(store, now), every(timedelta(hours=1))))
    jobs.append(Job("audit.witnesses", lambda _now: witness_reminder(store), every(timedelta(hours=1))))
    return jobs
