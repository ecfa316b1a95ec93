"""Helpers shared by the desk tests (imported as ``desk_helpers``; pytest puts this folder on sys.path)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient

from vaspguard.desk import User
from vaspguard.store import Store


@dataclass
class Demo:
    url: str
    data_dir: Path
    store: Store


def sign_in(client: TestClient, user: User) -> str:
    """Give ``client`` a session for ``user`` (as a passkey sign-in would); returns the CSRF token."""
    from vaspguard.desk._sessions import create

    value, session = create(client.app.state.store, user.id)  # type: ignore[attr-defined]
    client.cookies.clear()
    client.cookies.set("vg_desk", value)
    return session.csrf


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def desk_served(store: Store, port: int) -> Iterator[None]:
    """The app (desk and API) of ``store`` served on ``port`` in a thread for the block, with the settings the
    environment has now."""
    import uvicorn

    from vaspguard.api import create_app

    server = uvicorn.Server(
        uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30  # a wait for the server, not a timing
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield
    finally:
        server.should_exit = True
        thread.join(10)
