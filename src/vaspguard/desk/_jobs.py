"""Long work started from the desk (an evaluation of every customer, a rescreen against the active lists)
runs in a background thread; the page that started it polls its progress (htmx, every second) and is never
blocked. Starting, finishing and failing are each written to the audit log (``desk.<kind>_started``,
``desk.<kind>`` with the summary, ``desk.<kind>_failed``).

Jobs live in this process (``app.state.desk_jobs``): with several server workers, the poll must reach the
worker that runs the job, so a deployment with more than one worker runs evaluations from the CLI. A job
holds only counts and its summary, never personal data.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from vaspguard import policy
from vaspguard.desk._events import log_event
from vaspguard.desk._users import User
from vaspguard.desk._web import DeskRoute, guard, render, store_of
from vaspguard.errors import InvalidRequest, NotFound, VaspguardError
from vaspguard.registry import Registry
from vaspguard.store import utcnow

router = APIRouter(route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(guard)])


@dataclass
class Job:
    id: str
    title: str
    total: int
    done: int = 0
    state: str = "running"  # running | finished | failed
    summary: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    kind: str = "evaluate"  # evaluate | rescreen

    def advance(self, n: int) -> None:
        self.done += n

    @property
    def percent(self) -> int:
        if self.state != "running":
            return 100
        return min(99, (100 * self.done) // self.total) if self.total else 0


def _jobs(request: Request) -> dict[str, Job]:
    jobs: dict[str, Job] | None = getattr(request.app.state, "desk_jobs", None)
    if jobs is None:
        jobs = request.app.state.desk_jobs = {}
    return jobs


def _start(
    request: Request, user: User, kind: str, title: str, total: int, work: Callable[[Job], dict[str, Any]]
) -> HTMLResponse:
    """Run ``work`` in a background thread as a job of ``kind``; its summary is logged as ``desk.<kind>``
    when it finishes (a failure is logged too, with its one line)."""
    store = store_of(request)
    job = Job(secrets.token_urlsafe(8), title, total, kind=kind)
    _jobs(request)[job.id] = job
    log_event(store, f"{kind}_started", user, job=job.id)

    def run() -> None:
        try:
            job.summary = work(job)
            job.state = "finished"
            log_event(store, kind, user, job=job.id, summary=job.summary)
        except VaspguardError as exc:
            job.state, job.error = "failed", str(exc)
            log_event(store, f"{kind}_failed", user, job=job.id, error=job.error)
        except Exception as exc:  # a bug: the page must still learn that the job ended
            job.state, job.error = "failed", f"internal error ({type(exc).__name__}); see the server log"
            log_event(store, f"{kind}_failed", user, job=job.id, error=job.error)
            raise

    threading.Thread(target=run, name=f"desk-job-{job.id}", daemon=True).start()
    return render(request, "jobs/job.html", job=job)


@router.post("/restrictions/evaluate")
def start_evaluation(request: Request, user: User = Depends(guard)) -> HTMLResponse:
    from vaspguard.desk._restrictions import service

    store = store_of(request)
    svc = service(request)

    def work(job: Job) -> dict[str, Any]:
        svc.register_version()  # the pack versions evaluated under are in the audit log (pack history)
        result = policy.evaluate(store, svc.engine, utcnow().date(), progress=job.advance)
        return {"evaluation": result.evaluation_id, "changed": result.changed, **result.counts}

    total = Registry(store).count_customers()
    return _start(request, user, "evaluate", "Evaluation of every customer", total, work)


@router.post("/screening/rescreen")
async def start_rescreen(request: Request, user: User = Depends(guard)) -> HTMLResponse:
    """Screen the registry against the active lists: what changed since the last run (the default), or
    everything (``scope=full``)."""
    from vaspguard.screening import AddressBook, Screener, last_run, screen_changes

    form = await request.form()
    scope = str(form.get("scope", "changes"))
    if scope not in ("changes", "full"):
        raise InvalidRequest("scope", f"{scope[:40]!r} is not one of changes, full")
    store = store_of(request)

    def work(job: Job) -> dict[str, Any]:
        screener = Screener.from_store(store)
        book = AddressBook.from_entities(screener.entities)
        previous = None if scope == "full" else last_run(store)
        report = screen_changes(store, screener, book, previous, on_progress=job.advance)
        return {
            "run": report.run_id,
            "kind": report.kind,
            "customers": report.customers_screened,
            "alerts_created": report.alerts_created,
            "failed": len(report.failed),
        }

    title = "Rescreen of every customer" if scope == "full" else "Rescreen of what changed"
    return _start(request, user, "rescreen", title, Registry(store).count_customers(), work)


@router.get("/jobs/{job_id}")
def job_status(request: Request, job_id: str) -> HTMLResponse:
    job = _jobs(request).get(job_id)
    if job is None:
        raise NotFound("job", job_id)
    return render(request, "jobs/job.html", job=job)
