"""The scheduled worker (``vaspguard worker``): list fetches and rescreens, restriction re-evaluation at
rule-change dates and daily, lawful-request deadlines, witness reminders; one run at a time per job across
processes, each run recorded. It also runs the events dispatcher (``vaspguard.events``)."""

from vaspguard.worker._jobs import change_dates, default_jobs, next_evaluation, policy_job, raise_deadlines
from vaspguard.worker._schedule import Job, TickReport, Worker, every, runs

__all__ = [
    "Job",
    "TickReport",
    "Worker",
    "change_dates",
    "default_jobs",
    "every",
    "next_evaluation",
    "policy_job",
    "raise_deadlines",
    "runs",
]
