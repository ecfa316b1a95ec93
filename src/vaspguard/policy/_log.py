"""The decision log: every deny and review decision, written in batches off the hot path.

``DecisionLog.record`` only builds a small row and puts it on a queue (allow decisions are not logged);
a writer thread inserts queued rows in batches of up to ``batch_size`` or every ``flush_seconds``.
``flush()`` waits until everything recorded so far is written; ``close()`` flushes and stops the thread.
A failed write is kept and re-raised from the next ``flush``/``close``, so a lost log is never silent.

The input digest is the SHA-256 of the request as canonical JSON (sorted keys, no spaces, decimals as
strings), so the logged decision can be matched to the exact request without storing personal data.
"""

from __future__ import annotations

import hashlib
import itertools
import queue
import threading
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import insert

from vaspguard._json import canonical_json
from vaspguard.errors import StoreError
from vaspguard.policy._model import Decision, Facts, Outcome
from vaspguard.policy._tables import PolicyDecisionRow
from vaspguard.store import Store, utcnow


def input_digest(request: Mapping[str, Any]) -> str:
    """SHA-256 of the request's canonical JSON (decimals as strings)."""
    return hashlib.sha256(canonical_json(request, convert=True)).hexdigest()


class _Ids:
    """Decision ids: a random per-process prefix and a counter (unique without a system call per id;
    os.urandom per decision was the largest cost on the hot path)."""

    def __init__(self) -> None:
        self.prefix = uuid.uuid4().hex[:12]
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    def next(self) -> str:
        with self.lock:
            n = next(self.counter)
        return f"{self.prefix}-{n:023d}"


_ids = _Ids()


_STOP = object()


class DecisionLog:
    def __init__(self, store: Store, *, batch_size: int = 2000, flush_seconds: float = 0.2) -> None:
        self.store = store
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self._queue: queue.Queue[Any] = queue.Queue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="policy-decision-log", daemon=True)
        self._thread.start()

    def record(
        self, request: Mapping[str, Any] | Facts, decision: Decision, facts: Facts | None = None
    ) -> str | None:
        """Queue ``decision`` if it is deny or review; returns its decision id (``None`` for allow)."""
        if decision.decision is Outcome.ALLOW:
            return None
        decision_id = _ids.next()
        digest = input_digest(request if isinstance(request, Mapping) else _facts_dict(request))
        f = facts if facts is not None else (request if isinstance(request, Facts) else None)
        self._queue.put(
            {
                "decision_id": decision_id,
                "decided_at": utcnow(),
                "input_digest": digest,
                "outcome": decision.decision.value,
                "rule_id": decision.rule_id,
                "policy_version": decision.policy_version,
                "action": f.action.value if f else "",
                "at": f.at if f else utcnow().date(),
                "customer_id": decision.customer_id,
                "request_id": decision.request_id,
                "report": decision.report,
            }
        )
        return decision_id

    def flush(self) -> None:
        done = threading.Event()
        self._queue.put(done)
        done.wait()
        self._raise()

    def close(self) -> None:
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            err, self._error = self._error, None
            raise StoreError(f"decision log write failed: {err}")

    def _run(self) -> None:
        batch: list[dict[str, Any]] = []
        waiters: list[threading.Event] = []
        stop = False
        while not stop:
            try:
                item = self._queue.get(timeout=self.flush_seconds)
            except queue.Empty:
                item = None
            if item is _STOP:
                stop = True
            elif isinstance(item, threading.Event):
                waiters.append(item)
            elif item is not None:
                batch.append(item)
                if len(batch) < self.batch_size:
                    continue
            if batch:
                try:
                    with self.store.connect() as conn:
                        conn.execute(insert(PolicyDecisionRow), batch)
                except Exception as exc:  # kept and re-raised to the caller at flush/close
                    self._error = exc
                batch = []
            for w in waiters:
                w.set()
            waiters = []


def _facts_dict(f: Facts) -> dict[str, Any]:
    return {k: getattr(f, k) for k in f.__slots__}
