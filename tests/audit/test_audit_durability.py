"""Crash and concurrency: kill -9 in the middle of batched appends, and several writers at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from audit_helpers import approval

from vaspguard.audit import AuditLog, SigningKey, VerifyCode, export_bundle, verify_bundle
from vaspguard.audit._merkle import leaf_hash, mth
from vaspguard.store import Store

WRITER = Path(__file__).with_name("crash_writer.py")


@pytest.mark.slow
def test_kill_9_during_batched_appends(store: Store, tmp_path: Path) -> None:
    key = SigningKey.generate("crash.example/audit")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    committed = 0
    for round_ in range(2):
        child = subprocess.Popen(
            [sys.executable, str(WRITER), store.url, key.skey], stdout=subprocess.PIPE, text=True, env=env
        )
        assert child.stdout is not None
        for _ in range(3 + round_):  # let a few batches commit, then kill mid-stream
            line = child.stdout.readline()
            assert line, "writer died before committing"
            committed = max(committed, int(line))
        time.sleep(0.01 * round_)
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        log = AuditLog(store, signer=key)
        # Nothing committed is lost, and batches are whole: no half-written batch survives.
        assert log.size >= committed
        assert log.size % 100 == 0
        report = verify_bundle(export_bundle(log, tmp_path / f"b{round_}").path, log.public_key)
        assert report.code is VerifyCode.OK, report.findings
        assert report.entries == log.size
    # The log goes on after the crashes, consistent with every checkpoint signed before them.
    log.append(approval())
    assert log.root() == mth([leaf_hash(log.entry(i)) for i in range(log.size)])


def test_concurrent_writers_serialise(store: Store) -> None:
    key = SigningKey.generate("threads.example/audit")
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        log = AuditLog(store, signer=key)
        try:
            for i in range(15):
                log.append_many([approval(actor=f"{name}-{i}-{j}") for j in range(3)])
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"t{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    log = AuditLog(store, signer=key)
    assert log.size == 4 * 15 * 3
    actors = {e.actor for e in log.events()}
    assert len(actors) == 180
    assert [e.index for e in log.events()] == list(range(180))
    assert log.root() == mth([leaf_hash(log.entry(i)) for i in range(180)])
