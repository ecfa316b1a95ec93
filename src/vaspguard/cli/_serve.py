"""``vaspguard serve``: the HTTP API with uvicorn."""

from __future__ import annotations

import typer


def serve(
    host: str = typer.Option(None, "--host", help="Bind address (default 127.0.0.1, VASPGUARD_API_HOST)."),
    port: int = typer.Option(None, "--port", help="Port (default 8000, VASPGUARD_API_PORT)."),
    workers: int = typer.Option(
        1, "--workers", min=1, help="Worker processes; one per core for production throughput."
    ),
    access_log: bool = typer.Option(
        True, "--access-log/--no-access-log", help="Log every request (costs throughput on the hot path)."
    ),
) -> None:
    """Migrate the database and serve the API; OpenAPI docs at /docs."""
    # Heavy imports stay here, so importing the CLI (for --help or any other command) stays light.
    import os
    import sys

    import uvicorn

    from vaspguard.cli._common import check_key_files, db_url, open_db
    from vaspguard.settings import Settings

    check_key_files()
    settings = Settings()
    store = open_db()  # migrate once, in the parent
    options = {
        "host": host or settings.api_host,
        "port": port or settings.api_port,
        "access_log": access_log,
    }
    if workers == 1:
        from vaspguard.api import create_app

        uvicorn.run(create_app(store), **options)  # type: ignore[arg-type]
        return
    store.dispose()
    # Several workers: hand over to uvicorn's own command line (its supervisor spawns workers that import
    # the app factory, whose Settings read VASPGUARD_DB), so the database is handed down in the environment.
    os.environ["VASPGUARD_DB"] = db_url()
    argv = [sys.executable, "-m", "uvicorn", "vaspguard.api:create_app_from_env", "--factory"]
    argv += ["--host", str(options["host"]), "--port", str(options["port"]), "--workers", str(workers)]
    if not access_log:
        argv.append("--no-access-log")
    os.execv(sys.executable, argv)
