"""Who a CLI action is recorded as when ``--as`` is not given: ``VASPGUARD_ACTOR``, else ``cli:`` and the
system user, else ``cli`` (a container whose uid has no name). One rule for every command group."""

from __future__ import annotations

import getpass
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lr_helpers import AGENCIES

from vaspguard.audit import AuditLog
from vaspguard.settings import Settings
from vaspguard.store import Store


def _add_agency(cli: Any, store: Store, write: Callable[[str, Any], Path], n: int) -> str:
    agency = dict(AGENCIES[n])
    code, _out, err = cli("--db", store.url, "authorities", "add", "--file", write(f"a{n}.json", agency))
    assert code == 0, err
    (event,) = [e for e in AuditLog.open(store).events() if f"agency:{agency['id']}" in e.subjects]
    return event.actor


def test_the_actor_comes_from_the_environment_then_the_system_user(
    cli: Any, exchange: Store, write: Callable[[str, Any], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VASPGUARD_ACTOR", "carol")
    assert _add_agency(cli, exchange, write, 0) == "carol"

    monkeypatch.delenv("VASPGUARD_ACTOR")
    monkeypatch.setattr(getpass, "getuser", lambda: "dave")
    assert _add_agency(cli, exchange, write, 1) == "cli:dave"


def test_a_process_with_no_user_name_is_recorded_as_cli(monkeypatch: pytest.MonkeyPatch) -> None:
    def nameless() -> str:
        raise KeyError("getpwuid(): uid not found: 4242")

    monkeypatch.delenv("VASPGUARD_ACTOR", raising=False)
    monkeypatch.setattr(getpass, "getuser", nameless)
    assert Settings().default_actor() == "cli"
    monkeypatch.setenv("VASPGUARD_ACTOR", "erin")
    assert Settings().default_actor() == "erin"
