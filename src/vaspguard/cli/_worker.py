"""``vaspguard worker``: the scheduled jobs and the events dispatcher; ``worker runs``: their record."""

from __future__ import annotations

import typer

from vaspguard.cli._common import check_key_files, open_db, print_json

app = typer.Typer(
    help="Run the scheduled jobs and the events dispatcher (until Ctrl-C); `worker runs`: the record.",
    invoke_without_command=True,
)


@app.callback()
def worker(
    ctx: typer.Context,
    once: bool = typer.Option(False, "--once", help="Run what is due and one dispatch pass, then exit."),
    dispatch: bool = typer.Option(True, "--dispatch/--no-dispatch", help="Also deliver events."),
) -> None:
    """Run the schedule (see docs/events.md) beside the events dispatcher."""
    if ctx.invoked_subcommand is not None:
        return
    import threading
    from datetime import UTC, datetime

    from vaspguard.events import Dispatcher
    from vaspguard.settings import Settings
    from vaspguard.worker import Worker, default_jobs

    check_key_files()
    settings = Settings()
    store = open_db()
    scheduler = Worker(store, default_jobs(store, settings), clock=lambda: datetime.now(UTC))
    dispatcher = Dispatcher(
        store, nats_url=settings.nats_url, nats_stream=settings.nats_stream, nats_prefix=settings.nats_prefix
    )
    if once:
        report = scheduler.tick()
        sent = dispatcher.run_once() if dispatch else None
        dispatcher.close()
        print_json({"ran": report.ran, "failed": report.failed, "dispatched": sent})
        return
    stop = threading.Event()
    thread = None
    if dispatch:
        thread = threading.Thread(
            target=dispatcher.run, args=(stop,), kwargs={"idle": settings.dispatch_idle_seconds}, daemon=True
        )
        thread.start()
    try:
        scheduler.run(stop, poll=settings.worker_poll_seconds)
    finally:
        stop.set()
        if thread is not None:
            thread.join(timeout=30)


@app.command("dispatch")
def dispatch_only(
    once: bool = typer.Option(False, "--once", help="One pass, then exit."),
) -> None:
    """Deliver events only (no scheduled jobs): webhooks and, with VASPGUARD_NATS_URL, NATS JetStream."""
    import threading

    from vaspguard.events import Dispatcher
    from vaspguard.settings import Settings

    settings = Settings()
    dispatcher = Dispatcher(
        open_db(),
        nats_url=settings.nats_url,
        nats_stream=settings.nats_stream,
        nats_prefix=settings.nats_prefix,
    )
    if once:
        report = dispatcher.run_once()
        dispatcher.close()
        print_json(report)
        return
    dispatcher.run(threading.Event(), idle=settings.dispatch_idle_seconds)


@app.command("runs")
def runs(
    job: str | None = typer.Option(None, "--job", help="Only this job."),
    limit: int = typer.Option(50, "--limit", min=1, max=10000, help="At most this many, newest first."),
    json_out: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """The record of runs: job, attempt, start, end, outcome, error."""
    from vaspguard.worker import runs as recorded

    rows = recorded(open_db(), job=job, limit=limit)
    if json_out:
        print_json(rows)
        return
    for r in rows:
        end = r["finished_at"].strftime("%Y-%m-%d %H:%M:%S") if r["finished_at"] else "-"
        typer.echo(
            f"{r['id']}\t{r['job']}\t#{r['attempt']}\t{r['started_at']:%Y-%m-%d %H:%M:%S}\t{end}\t"
            f"{r['status']}\t{r['error'] or ''}"
        )
