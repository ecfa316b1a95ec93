"""Every time in a response is RFC 3339 with its zone, though SQLite gives times back without one."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from fastapi.testclient import TestClient

from vaspguard.api import Role, create_app, create_token
from vaspguard.api._wire import to_wire
from vaspguard.audit import AuditLog, Event
from vaspguard.registry import Customer, Name, PersonType, Registry
from vaspguard.store import Store

TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
ZONED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def _times(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _times(v)]
    if isinstance(value, list):
        return [t for v in value for t in _times(v)]
    return [value] if isinstance(value, str) and TIME.match(value) else []


def test_to_wire_zones_naive_times_and_keeps_dates() -> None:
    naive = datetime(2024, 5, 1, 12, 0, 0)
    paris = datetime(2024, 5, 1, 14, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    got = to_wire({"a": naive, "b": [paris], "c": "2024-05-01 12:00:00.5", "d": "2024-05-01", "e": "x"})
    assert got == {
        "a": "2024-05-01T12:00:00+00:00",
        "b": ["2024-05-01T14:00:00+02:00"],
        "c": "2024-05-01T12:00:00.5+00:00",
        "d": "2024-05-01",
        "e": "x",
    }
    assert to_wire(datetime(2024, 5, 1, tzinfo=UTC)) == "2024-05-01T00:00:00+00:00"


def test_a_sample_of_routes_answers_zoned_times(sqlite_store: Store) -> None:
    Registry(sqlite_store).add_customers(
        [Customer("C1", PersonType.NATURAL, (Name("Anna Schmidt"),), ("DE",), "DE")]
    )
    AuditLog.open(sqlite_store).append(Event(type="operator.note", actor="a", actor_role="legal", payload={}))
    client = TestClient(create_app(sqlite_store))
    headers = {"Authorization": f"Bearer {create_token(sqlite_store, name='x', role=Role.ADMIN)}"}
    seen: list[str] = []
    for path in ["/v1/customers", "/v1/customers/C1", "/v1/audit/events"]:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.text
        seen += _times(response.json())
    assert seen, "the sample holds no times"
    assert [t for t in seen if not ZONED.fullmatch(t)] == []
