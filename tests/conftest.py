"""Shared fixtures. Which to use:

- ``store``: a fresh, migrated database for one test, once per backend (SQLite file and a new PostgreSQL
  database). Use it for anything that touches storage, so one test body runs on both backends.
- ``sqlite_store`` / ``pg_store``: one backend only, when a test is about that backend's behaviour.
- ``shared_data``: the genuine publisher files in ``../shared/data`` (or ``$VASPGUARD_SHARED/data``; never
  copied into the repo).
- ``cli``: runs the ``vaspguard`` CLI in-process, returning (exit code, stdout, stderr).
- ``second_store``: another fresh database on the same backend as ``store`` (export/import round trips).

PostgreSQL: ``VASPGUARD_TEST_PG`` (default ``postgresql://postgres@127.0.0.1:5432/test``) is the server
used to create a template database (migrated once per session) and one database per test cloned from it.
When no server answers the PostgreSQL tests are skipped with the reason, except under ``CI=true`` or
``VASPGUARD_REQUIRE_PG=1``, where that is an error: CI never skips them.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from vaspguard.cli import run
from vaspguard.store import Store, migrate, open_store

PG_URL = os.environ.get("VASPGUARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("CI", "").lower() == "true" or os.environ.get("VASPGUARD_REQUIRE_PG") == "1"
# ../shared beside the checkout (as CI lays it out), or wherever VASPGUARD_SHARED points.
SHARED = Path(os.environ.get("VASPGUARD_SHARED") or Path(__file__).resolve().parents[2] / "shared")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that runs on PostgreSQL ``postgresql`` (``make test-fast`` leaves them and ``slow``
    tests out; ``make test`` and CI run everything)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_pg = callspec is not None and "postgresql" in callspec.id.split("-")
        if on_pg or "pg_store" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgresql)


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _pg_url_for(db: str) -> str:
    base, _, _ = PG_URL.rpartition("/")
    return f"{base}/{db}"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = SHARED / "data"
    if not path.is_dir():
        pytest.fail(f"genuine data not found at {path}: the tests need ../shared/data beside the checkout")
    return path


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tmpl") / "template.db"
    store = open_store(f"sqlite:///{path}")
    migrate(store)
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    store.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_template() -> Iterator[str]:
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL not reachable at {PG_URL}: {exc}".splitlines()[0]
        if REQUIRE_PG:
            pytest.fail(reason + " (CI / VASPGUARD_REQUIRE_PG=1: PostgreSQL tests may not be skipped)")
        pytest.skip(reason)
    name = f"vg_tmpl_{_worker()}_{os.getpid()}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    store = open_store(_pg_url_for(name))
    migrate(store)
    store.dispose()
    yield name
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def _new_sqlite(template: Path, tmp_path: Path) -> Store:
    path = tmp_path / "vaspguard.db"
    shutil.copyfile(template, path)
    return open_store(f"sqlite:///{path}")


@pytest.fixture
def sqlite_store(_sqlite_template: Path, tmp_path: Path) -> Iterator[Store]:
    store = _new_sqlite(_sqlite_template, tmp_path)
    yield store
    store.dispose()


@pytest.fixture
def pg_store(_pg_template: str) -> Iterator[Store]:
    name = f"vg_t_{_worker()}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_template}"')
    store = open_store(_pg_url_for(name))
    yield store
    store.dispose()
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Store:
    """A fresh migrated database, once per backend."""
    fixture = "sqlite_store" if request.param == "sqlite" else "pg_store"
    result: Store = request.getfixturevalue(fixture)
    return result


@pytest.fixture
def second_store(store: Store, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Another fresh migrated database, on the same backend as ``store``."""
    if store.backend.value == "sqlite":
        (tmp_path / "second").mkdir()
        other = _new_sqlite(request.getfixturevalue("_sqlite_template"), tmp_path / "second")
        yield other
        other.dispose()
        return
    name = f"vg_t2_{_worker()}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{request.getfixturevalue("_pg_template")}"')
    other = open_store(_pg_url_for(name))
    yield other
    other.dispose()
    with psycopg.connect(PG_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


CliRunner = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Run ``vaspguard ARGS...`` in-process: returns (exit code, stdout, stderr)."""

    def invoke(*args: str | Path) -> tuple[int, str, str]:
        capsys.readouterr()
        code = run([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return invoke
