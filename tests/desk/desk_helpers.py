"""Helpers shared by the desk tests (imported as ``desk_helpers``; pytest puts this folder on sys.path)."""

from __future__ import annotations

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
