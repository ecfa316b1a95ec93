"""Engine creation for both backends, with the settings each needs and why."""

from __future__ import annotations

import enum
import fcntl
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from vaspguard.errors import InvalidRequest
from vaspguard.settings import normalise_db_url


class Backend(enum.StrEnum):
    SQLITE = "sqlite"
    POSTGRESQL = "postgresql"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers (the API, the desk) never block the single writer and the writer never blocks them;
    # a crash loses at most the uncommitted transaction.
    cursor.execute("PRAGMA journal_mode=WAL")
    # SQLite ignores REFERENCES unless asked, per connection; we want the same integrity as PostgreSQL.
    cursor.execute("PRAGMA foreign_keys=ON")
    # In WAL mode NORMAL is durable against application crashes (kill -9) and only risks the last
    # transactions on power loss, at a fraction of FULL's fsync cost. Audit appends that must survive
    # power loss set synchronous=FULL on their own connection.
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Wait for a competing writer instead of failing at once with "database is locked".
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL, None for an in-memory database."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _private_sqlite_file(path: Path) -> None:
    """Create the database file 0600 (owner only) before SQLite opens it, and take group and other
    permissions off one that exists: it holds personal data. SQLite gives the ``-wal`` and ``-shm`` files it
    creates the database file's permissions, so they are 0600 too; ones left from an earlier run are
    tightened here as well."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError:
        return  # a missing folder or a read-only place: SQLite reports it with its own message
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            info = file.stat()
            if info.st_uid == os.geteuid() and stat.S_IMODE(info.st_mode) & 0o077:
                file.chmod(stat.S_IMODE(info.st_mode) & 0o700)
        except OSError:
            continue  # not there (no -wal yet) or not ours to change


class Store:
    """A database reached through SQLAlchemy: the one seam between vaspguard and its storage."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.backend = Backend(engine.dialect.name)
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._memory_lock = threading.Lock()  # ``exclusive`` for an in-memory SQLite database

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A Core connection in one transaction (for bulk work)."""
        with self.engine.begin() as conn:
            yield conn

    @contextmanager
    def exclusive(self, key: int) -> Iterator[None]:
        """Hold the lock ``key`` across several transactions, against every process using this database.

        PostgreSQL: a session advisory lock on a connection of its own (use a key no transaction-level
        ``pg_advisory_xact_lock`` of the same work takes, or it waits for itself). SQLite: ``flock`` on a
        file beside the database (``NAME-lockKEY``, 0600). Either way a holder killed with ``kill -9``
        releases it (the server ends its session; the kernel closes its file), so what it left half done
        can be found and cleaned up by the next holder.
        """
        if self.backend is Backend.POSTGRESQL:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT pg_advisory_lock(%(k)s)", {"k": key})
                conn.commit()  # the session lock outlives the transaction; no transaction stays open
                try:
                    yield
                finally:
                    try:
                        conn.exec_driver_sql("SELECT pg_advisory_unlock(%(k)s)", {"k": key})
                        conn.commit()
                    except Exception:
                        conn.invalidate()  # never return a connection holding the lock to the pool
                        raise
            return
        path = _sqlite_file(self.url)
        if path is None:
            with self._memory_lock:
                yield
            return
        lock = path.with_name(f"{path.name}-lock{key}")
        fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the flock

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str, **engine_kwargs: Any) -> Store:
    """Open (without migrating) the database at ``url``."""
    url = normalise_db_url(url)
    if url.startswith("sqlite"):
        path = _sqlite_file(url)
        if path is not None:
            _private_sqlite_file(path)
        engine = create_engine(url, **engine_kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
    elif url.startswith("postgresql"):
        engine = create_engine(url, pool_pre_ping=True, **engine_kwargs)
    else:
        raise InvalidRequest(
            "db", f"unsupported database URL {url!r}: use sqlite:///FILE or postgresql://..."
        )
    return Store(engine)
