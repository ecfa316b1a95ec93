"""Running scheduled jobs: one run at a time per job across processes, every run recorded, failures retried.

A job is due when its ``next_at`` (table ``worker_jobs``) has passed. ``Worker.tick()`` runs each due job
under ``Store.exclusive(job lock)`` (a PostgreSQL session advisory lock, or ``flock`` beside a SQLite file)
and reads ``next_at`` again once it holds the lock: a second worker that waited for the lock finds the job
done and not due, so it does not run it again. Each run gets a ``worker_runs`` row, written ``running``
before the job starts and closed ``ok`` or ``failed`` after; a run left ``running`` by a killed worker is
closed ``interrupted`` by the next holder of the lock. A failure is retried after ``retry_base * 2**(n-1)``
(capped at the job's interval) and raises a ``worker.job_failed`` event.
"""

from __future__ import annotations

import json
import logging
import threading
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update

from vaspguard._json import to_jsonable
from vaspguard.events import EventType, emit
from vaspguard.store import Store
from vaspguard.worker._tables import JobRow, RunRow

log = logging.getLogger("vaspguard.worker")

_LOCK_BASE = 16_000_000  # Store.exclusive keys of worker jobs: this plus a CRC of the job's name


@dataclass(frozen=True, slots=True)
class Job:
    """A scheduled job: ``run(now)`` does the work and returns a summary; ``next_after(now)`` says when
    it is due again after a successful run (an interval, or a legal date that comes sooner)."""

    name: str
    run: Callable[[datetime], dict[str, Any]]
    next_after: Callable[[datetime], datetime]
    retry_base: timedelta = timedelta(minutes=1)
    retry_cap: timedelta = timedelta(hours=1)

    @property
    def lock_key(self) -> int:
        return _LOCK_BASE + zlib.crc32(self.name.encode()) % 1_000_000


def every(interval: timedelta) -> Callable[[datetime], datetime]:
    return lambda now: now + interval


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class TickReport:
    ran: list[str]
    failed: list[str]


class Worker:
    def __init__(self, store: Store, jobs: Sequence[Job], *, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.jobs = list(jobs)
        self.clock = clock

    def _due(self, job: Job) -> tuple[bool, int]:
        """(is the job due now, failures so far); a job never seen is due at once."""
        with self.store.connect() as conn:
            row = conn.execute(select(JobRow).where(JobRow.job == job.name)).first()
            if row is None:
                conn.execute(insert(JobRow).values(job=job.name, next_at=self.clock(), failures=0))
                return True, 0
            return _aware(row.next_at) <= self.clock(), row.failures

    def _close_interrupted(self, job: Job) -> None:
        with self.store.connect() as conn:
            conn.execute(
                update(RunRow)
                .where(RunRow.job == job.name, RunRow.status == "running")
                .values(status="interrupted", finished_at=self.clock(), error="the worker stopped mid-run")
            )

    def run_job(self, job: Job) -> str | None:
        """Run ``job`` if it is due (under its lock); returns ``ok``, ``failed`` or None (not due)."""
        with self.store.exclusive(job.lock_key):
            due, failures = self._due(job)
            if not due:
                return None
            self._close_interrupted(job)
            started = self.clock()
            with self.store.connect() as conn:
                run_id = conn.execute(
                    insert(RunRow)
                    .values(job=job.name, attempt=failures + 1, started_at=started, status="running")
                    .returning(RunRow.id)
                ).scalar_one()
            try:
                detail = job.run(started)
            except Exception as exc:  # a job's failure is recorded and retried, never the worker's end
                log.warning("job %s failed: %s", job.name, exc, exc_info=True)
                self._failed(job, run_id, failures + 1, f"{type(exc).__name__}: {exc}"[:500])
                return "failed"
            with self.store.connect() as conn:
                conn.execute(
                    update(RunRow)
                    .where(RunRow.id == run_id)
                    .values(status="ok", finished_at=self.clock(), detail=json.dumps(to_jsonable(detail)))
                )
                conn.execute(
                    update(JobRow)
                    .where(JobRow.job == job.name)
                    .values(next_at=job.next_after(started), failures=0, last_ok_at=started)
                )
            return "ok"

    def _failed(self, job: Job, run_id: int, attempt: int, error: str) -> None:
        now = self.clock()
        retry = min(job.retry_cap, job.retry_base * 2 ** min(attempt - 1, 20))
        with self.store.connect() as conn:
            conn.execute(
                update(RunRow)
                .where(RunRow.id == run_id)
                .values(status="failed", finished_at=now, error=error)
            )
            conn.execute(
                update(JobRow).where(JobRow.job == job.name).values(next_at=now + retry, failures=attempt)
            )
            emit(
                conn,
                EventType.JOB_FAILED,
                (f"job:{job.name}",),
                {"job": job.name, "run_id": run_id, "attempt": attempt, "error": error},
            )

    def tick(self) -> TickReport:
        report = TickReport([], [])
        for job in self.jobs:
            outcome = self.run_job(job)
            if outcome == "ok":
                report.ran.append(job.name)
            elif outcome == "failed":
                report.failed.append(job.name)
        return report

    def run(self, stop: threading.Event, *, poll: float = 5.0) -> None:
        while not stop.is_set():
            self.tick()
            stop.wait(poll)


def runs(store: Store, *, job: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The record of runs, newest first."""
    q = select(RunRow).order_by(RunRow.id.desc()).limit(limit)
    if job:
        q = q.where(RunRow.job == job)
    with store.connect() as conn:
        rows = conn.execute(q).all()
    return [
        {
            "id": r.id,
            "job": r.job,
            "attempt": r.attempt,
            "started_at": r.started_at,
            "finished_at": r.finished_at,
            "status": r.status,
            "detail": json.loads(r.detail) if r.detail else None,
            "error": r.error,
        }
        for r in rows
    ]
