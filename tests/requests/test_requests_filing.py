"""Typos and repeats do not become records (issue 17): an agency id that is not registered is refused (it was
filed as a request from country "unknown"), and the same instrument filed again by the same sender is
refused, naming the request it repeats (five filings of one file made five requests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lr_helpers import Desk, court_order, fresh
from sqlalchemy import func, select

from vaspguard.errors import AlreadyExists, InvalidRequest
from vaspguard.requests._tables import RequestRow
from vaspguard.store import Store


def _count(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(RequestRow)).scalar_one())


def test_an_unknown_agency_id_is_refused_and_nothing_is_filed(store: Store) -> None:
    desk = Desk(store)
    with pytest.raises(
        InvalidRequest, match=r"unknown agency id 'DE-AG-BERLN'.*\{\"name\": \.\.\., \"country\""
    ):
        desk.file(court_order(agency="DE-AG-BERLN"))
    assert _count(store) == 0
    # an unregistered agency given by name and country is filed (as unverified)
    rid = desk.file(court_order(agency={"name": "Amtsgericht Neukölln", "country": "DE"}))
    assert "REQUESTER_UNVERIFIED" in {r.code.value for r in desk.svc.assessment(rid).reasons}


def test_the_same_instrument_from_the_same_sender_is_filed_once(store: Store) -> None:
    desk = Desk(store)
    doc = court_order()
    first = desk.file(doc)
    with pytest.raises(AlreadyExists, match=f"request already recorded as {first}: the same instrument"):
        desk.file(doc)
    assert _count(store) == 1
    # another document from the same court is another request; so is the same document from another sender
    desk.file(fresh(doc))
    desk.file({**doc, "agency": {"name": "Amtsgericht Neukölln", "country": "DE"}})
    assert _count(store) == 3


def test_at_the_cli_both_are_one_line_and_exit_2(
    registries: object, exchange: Store, cli: Any, write: Callable[[str, Any], Path]
) -> None:
    def file(path: Path) -> tuple[int, str, str]:
        key = path.parent / "keys" / "intake1.pem"
        return cli("--db", exchange.url, "requests", "new", "--file", path, "--as", "intake1", "--key", key)

    code, _, err = file(write("typo.json", court_order(agency="DE-AG-BERLN")))
    assert code == 2 and err.count("\n") == 1 and "unknown agency id 'DE-AG-BERLN'" in err
    path = write("order.json", court_order())
    code, _out, err = file(path)
    assert code == 0, err
    code, _, err = file(path)
    assert code == 2 and err.count("\n") == 1 and "request already recorded as LR-" in err
    assert _count(exchange) == 1
