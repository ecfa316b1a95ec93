"""Search across customers: by name in any script, id, wallet address, transaction
hash; too short or too long a query is one line."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from desk_helpers import Demo, sign_in
from fastapi.testclient import TestClient

from vaspguard.desk import User, _search
from vaspguard.registry import Contact, Customer, Name, PersonType, Registry
from vaspguard.store import Store

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


def _add(store: Store, cid: str, *names: tuple[str, str], email: str = "") -> None:
    Registry(store).add_customers(
        [
            Customer(
                id=cid,
                type=PersonType.NATURAL,
                names=tuple(Name(n, script=s) for n, s in names),
                contacts=(Contact("email", email),) if email else (),
            )
        ]
    )


def test_first_search_builds_the_index_and_later_writes_are_found(
    client: TestClient, make_user: Callable[..., User], demo: Demo
) -> None:
    """The index starts empty (the migration creates it, the first search fills it); a customer written
    afterwards is found by the next search, in Latin letters, though stored only in Cyrillic."""
    assert _search.index_size(demo.store) == 0
    sign_in(client, make_user("ana", "analyst"))
    client.get("/search", params={"q": "Volkovskiy"})
    built = _search.index_size(demo.store)
    assert built > Registry(demo.store).count_customers() * 2  # an id and at least one name word each
    assert 'href="/customers/ZZ000001"' not in client.get("/search", params={"q": "Zhmurkina"}).text
    _add(demo.store, "ZZ000001", ("Жмуркина Олеся", "Cyrl"), email="Olesya@Example.org")
    html = client.get("/search", params={"q": "zhmurkina olesya"}).text
    assert 'href="/customers/ZZ000001"' in html and "name" in html
    assert 'href="/customers/ZZ000001"' in client.get("/search", params={"q": "olesya@example.ORG"}).text
    assert _search.index_size(demo.store) > built


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("Volkov", True),
        ("volkovskiy rad", True),
        ("Волк Рад", True),
        ("volkovskiy serg", False),
        ("C000015", True),
        ("c0000156", True),
        ("Volkovx", False),
    ],
)
def test_words_and_ids_are_found_by_their_beginning(
    client: TestClient, make_user: Callable[..., User], query: str, found: bool
) -> None:
    sign_in(client, make_user("ana", "analyst"))
    html = client.get("/search", params={"q": query}).text
    assert ('href="/customers/C0000156"' in html) is found


def test_every_word_of_the_query_must_begin_a_word_of_a_name(demo: Demo) -> None:
    _add(demo.store, "ZZ000002", ("Ortrud Quellmalz", "Latn"))
    _add(demo.store, "ZZ000003", ("Ortrud Bergmann", "Latn"))
    _search.refresh(demo.store)
    assert set(_search.find(demo.store, "ortrud quell")) == {"ZZ000002"}
    assert set(_search.find(demo.store, "Ортруд")) == {"ZZ000002", "ZZ000003"}
    assert _search.find(demo.store, "ortrud zz") == {}


def test_a_large_registry_is_indexed_in_the_background(
    client: TestClient, make_user: Callable[..., User], demo: Demo
) -> None:
    job = _search.refresh(demo.store, sync_limit=10)
    assert job is not None and job.total == Registry(demo.store).count_customers()
    assert _search.refresh(demo.store) is job or job.state != "running"  # one build at a time
    for _ in range(600):
        if job.state != "running":
            break
        threading.Event().wait(0.1)
    assert job.state == "finished" and job.done == job.total
    assert set(_search.find(demo.store, "Volkovskiy")) >= {"C0000156"}


def test_the_page_says_while_the_index_is_being_built(
    client: TestClient, make_user: Callable[..., User], demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    building = _search.Build(total=300, done=120)
    monkeypatch.setitem(_search._builds, str(demo.store.engine.url), building)
    sign_in(client, make_user("ana", "analyst"))
    html = client.get("/search", params={"q": "Volkovskiy"}).text
    assert "The search index is catching up: 120 of 300 new or changed customers" in html
