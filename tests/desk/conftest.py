"""Desk fixtures. Which to use:

- ``demo``: a fresh copy of a small demo exchange (300 customers, alerts on names and listed wallets) in a
  SQLite file, with its audit key directory; seeded once per test process and copied for each test, with
  ``VASPGUARD_DB``/``VASPGUARD_DATA_DIR`` pointing at the copy.
- ``client``: a TestClient on the app over ``demo``; ``desk_helpers.sign_in(client, user)`` gives it a
  signed-in session without a browser (the passkey ceremonies are tested in the browser,
  test_desk_browser.py).
- ``make_user``: a desk user with given roles, straight through ``vaspguard.desk.invite``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from desk_helpers import Demo
from fastapi.testclient import TestClient

from vaspguard.cli import run
from vaspguard.desk import User, invite
from vaspguard.store import open_store


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("desk-demo")
    mp = pytest.MonkeyPatch()
    mp.setenv("VASPGUARD_DATA_DIR", str(root / "var"))
    try:
        code = run(
            [
                "--db",
                f"sqlite:///{root / 'v.db'}",
                "demo",
                "seed",
                "--customers",
                "300",
                "--seed",
                "1",
                "--workers",
                "1",
                "--no-token",
            ]
        )
    finally:
        mp.undo()
    assert code == 0
    return root


@pytest.fixture
def demo(_demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Demo]:
    shutil.copy(_demo_template / "v.db", tmp_path / "v.db")
    shutil.copytree(_demo_template / "var", tmp_path / "var")
    url = f"sqlite:///{tmp_path / 'v.db'}"
    monkeypatch.setenv("VASPGUARD_DB", url)
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path / "var"))
    store = open_store(url)
    yield Demo(url, tmp_path / "var", store)
    store.dispose()


@pytest.fixture
def make_user(demo: Demo) -> Callable[..., User]:
    def make(name: str, *roles: str, region: str = "EU") -> User:
        user, _ = invite(demo.store, name=name, roles=roles, region=region)
        return user

    return make


@pytest.fixture
def client(demo: Demo) -> Iterator[TestClient]:
    from vaspguard.api import create_app

    with TestClient(create_app(demo.store), base_url="http://localhost:8000") as c:
        yield c
