"""``Store.exclusive``: a lock held across transactions, against other processes, released by a kill."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from vaspguard.store import Backend, Store

KEY = 4242

HOLDER = """
import sys, time
from vaspguard.store import open_store
store = open_store(sys.argv[1])
with store.exclusive(int(sys.argv[2])):
    print("held", flush=True)
    time.sleep(600)
"""


def _held_elsewhere(store: Store) -> bool:
    """Whether the lock is held, asked from a connection (file descriptor) of its own, without waiting."""
    if store.backend is Backend.POSTGRESQL:
        with store.engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": KEY}).scalar_one()
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": KEY})
            return not got
    database = store.engine.url.database
    assert database is not None
    fd = os.open(f"{database}-lock{KEY}", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def test_held_against_another_process_and_released_by_kill(store: Store) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, store.url, str(KEY)], stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None and child.stdout.readline().strip() == "held"
            assert _held_elsewhere(store)
        finally:
            child.kill()  # SIGKILL: no clean exit, no unlock
            child.wait()
    assert child.returncode == -9
    with store.exclusive(KEY):  # would wait for ever had the kill left it held
        pass
    assert not _held_elsewhere(store)


@pytest.mark.parametrize("fail", [False, True])
def test_released_on_exit_and_on_error(store: Store, fail: bool) -> None:
    try:
        with store.exclusive(KEY):
            assert _held_elsewhere(store)  # seen from another connection / file descriptor
            if fail:
                raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert not _held_elsewhere(store)
