"""``vaspguard serve``: the HTTP API (and later the desk) with uvicorn."""

from __future__ import annotations

import typer

from vaspguard.cli._common import open_db
from vaspguard.settings import Settings


def serve(
    host: str = typer.Option(None, "--host", help="Bind address (default 127.0.0.1, VASPGUARD_API_HOST)."),
    port: int = typer.Option(None, "--port", help="Port (default 8000, VASPGUARD_API_PORT)."),
) -> None:
    """Migrate the database and serve the API; OpenAPI docs at /docs."""
    import uvicorn

    from vaspguard.api import create_app

    settings = Settings()
    uvicorn.run(create_app(open_db()), host=host or settings.api_host, port=port or settings.api_port)
