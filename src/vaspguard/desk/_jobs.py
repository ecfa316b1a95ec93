"""Long work started from the desk (an evaluation of every customer) runs in a background thread; the page
that started it polls its progress (htmx, every second) and is never blocked.

Jobs live in this process (``app.state.desk_jobs``): with several server workers, the poll must reach the
worker that runs the job, so a deployment with more than one worker runs evaluations from the CLI. A job
holds only counts and its summary, never personal data.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from vaspguard import policy
from vaspguard.desk._events import log_event
from vaspguard.desk._users import User
from vaspguard.desk._web import DeskRoute, guard, render, store_of
from vaspguard.errors import NotFound, VaspguardError
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


@router.post("/restrictions/evaluate")
def start_evaluation(request: Request, user: User = Depends(guard)) -> HTMLResponse:
    from vaspguard.desk._restrictions import service

    store = store_of(request)
    engine = service(request).engine
    job = Job(secrets.token_urlsafe(8), "Evaluation of every customer", Registry(store).count_customers())
    _jobs(request)[job.id] = job

    def progress(n: int) -> None:
        job.done += n

    def run() -> None:
        try:
            result = policy.evaluate(store, engine, utcnow().date(), progress=progress)
            job.summary = {
                "evaluation": result.evaluation_id,
                "changed": len(result.changes),
                **result.counts,
            }
            job.state = "finished"
            log_event(
                store, "evaluate", user, evaluation_id=result.evaluation_id, changed=len(result.changes)
            )
        except VaspguardError as exc:
            job.state, job.error = "failed", str(exc)
        except Exception as exc:  # a bug: the page must still learn that the job ended
            job.state, job.error = "failed", f"internal error ({type(exc).__name__}); see the server log"
            raise

    threading.Thread(target=run, name=f"desk-job-{job.id}", daemon=True).start()
    return render(request, "jobs/job.html", job=job)


@router.get("/jobs/{job_id}")
def job_status(request: Request, job_id: str) -> HTMLResponse:
    job = _jobs(request).get(job_id)
    if job is None:
        raise NotFound("job", job_id)
    return render(request, "jobs/job.html", job=job)
