"""Search across customers: by name in any script, id, wallet address, transaction
hash; too short or too long a query is one line."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from desk_helpers import sign_in
from fastapi.testclient import TestClient

from vaspguard.desk import User

WALLET = "dhRbJsDpw3685NAJu46EJFgXE5k4WRRnsMHoe4zZ8vF3"
TX = "dd3768e90dd7eb17121e9f9facd8a5f5a5e62c9d1011779964aea68bea6065b9"


@pytest.mark.parametrize(
    ("query", "customer", "how"),
    [
        ("Volkovskiy", "C0000156", "name"),
        ("Волковский", "C0000156", "name"),
        ("C0000156", "C0000156", "customer id"),
        (WALLET, "C0000000", "wallet address"),
        (TX, "C0000000", "transaction hash"),
    ],
)
def test_search_finds(
    client: TestClient, make_user: Callable[..., User], query: str, customer: str, how: str
) -> None:
    sign_in(client, make_user("ana", "analyst"))
    html = client.get("/search", params={"q": query}).text
    assert f'href="/customers/{customer}"' in html and how in html


def test_bad_queries_are_one_line(client: TestClient, make_user: Callable[..., User]) -> None:
    sign_in(client, make_user("ana", "analyst"))
    assert client.get("/search", params={"q": "x"}).status_code == 400
    assert client.get("/search", params={"q": "x" * 201}).status_code == 400
    assert "No customer matches" in client.get("/search", params={"q": "zzzzqqqq"}).text
    assert client.get("/search").status_code == 200
