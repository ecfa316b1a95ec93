"""``vaspguard users``: invite prints a one-time link valid 24 h; list; deactivate; bad input is one line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from desk_helpers import Demo
from sqlalchemy import update

from vaspguard.cli import run
from vaspguard.desk._tables import DeskInviteRow
from vaspguard.desk._users import open_invite
from vaspguard.errors import Refused
from vaspguard.store import utcnow


def test_invite_list_deactivate(demo: Demo, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(["users", "invite", "--name", "Ana", "--role", "analyst", "--role", "auditor", "--region", "eu"])
        == 0
    )
    link = capsys.readouterr().out.strip().splitlines()[-1]
    assert link.startswith("http://localhost:8000/enrol/")
    user, _ = open_invite(demo.store, link.rsplit("/", 1)[1])
    assert (user.name, user.role_text, user.region) == ("Ana", "analyst, auditor", "EU")
    assert run(["users", "list"]) == 0
    assert "Ana\tanalyst, auditor\tEU\t0 passkey(s)\tactive" in capsys.readouterr().out
    assert run(["users", "deactivate", "Ana"]) == 0
    with pytest.raises(Refused):
        open_invite(demo.store, link.rsplit("/", 1)[1])  # deactivation voids the invite


def test_bad_input_is_one_line(demo: Demo, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["users", "invite", "--name", "A", "--role", "boss", "--region", "EU"]) == 2
    assert "unknown role 'boss'" in capsys.readouterr().err
    run(["users", "invite", "--name", "A", "--role", "analyst", "--region", "EU"])
    assert run(["users", "invite", "--name", "A", "--role", "analyst", "--region", "EU"]) == 2
    assert "exists" in capsys.readouterr().err
    assert run(["users", "deactivate", "nobody"]) == 2


def test_an_invite_expires_after_24_hours(demo: Demo, capsys: pytest.CaptureFixture[str]) -> None:
    run(["users", "invite", "--name", "Ana", "--role", "analyst", "--region", "EU"])
    token = capsys.readouterr().out.strip().rsplit("/", 1)[1]
    with demo.store.connect() as conn:
        conn.execute(update(DeskInviteRow).values(expires_at=utcnow() - timedelta(seconds=1)))
    with pytest.raises(Refused, match="expired"):
        open_invite(demo.store, token)
