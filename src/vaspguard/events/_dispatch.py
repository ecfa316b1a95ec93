"""The dispatcher: fans each new outbox event out to every sink, then delivers, at least once and in order
per subject.

Invariants:

- A delivery is marked ``delivered`` only after the receiver acknowledged it (a 2xx answer, a JetStream
  ack); acknowledgements are committed in groups of ``record_every`` (20). A dispatcher killed in between
  sends those events again, in order, on its next start: the receiver may see an event twice (same
  ``webhook-id`` / ``Nats-Msg-Id``), never not at all.
- Per sink, deliveries are attempted in event order, and an event whose subject has an earlier event still
  pending waits for it, so a receiver never gets a subject's events out of order. A dead-lettered event no
  longer holds its subject back (an admin replays it with ``vaspguard webhooks replay``).
- A failed attempt is retried with exponential backoff and full jitter (``base * 2**(n-1)``, capped at
  ``cap``, times a random factor in [0.5, 1)); once ``window`` (24 h) has passed since the first failure the
  delivery goes to the dead letter.
- One dispatcher works at a time (``Store.exclusive(DISPATCH_LOCK)``); a second one waits as a standby.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, insert, select, update

from vaspguard._json import canonical_json
from vaspguard.events._model import OutboxEvent
from vaspguard.events._outbox import to_event
from vaspguard.events._signing import signed_headers
from vaspguard.events._sinks import Sink, active_sinks, ensure_nats_sink
from vaspguard.events._tables import DeliveryRow, OutboxRow, SinkRow
from vaspguard.store import Store, utcnow

DISPATCH_LOCK = 15_002  # Store.exclusive key: one dispatcher at a time


class DeliveryFailed(Exception):
    """One attempt failed (network, non-2xx answer, no ack); the reason is kept on the delivery."""


class Transport(Protocol):
    def send(self, sink: Sink, event: OutboxEvent, body: bytes) -> None: ...

    def close(self) -> None: ...


class WebhookTransport:
    """POSTs the event with Standard Webhooks headers; any 2xx is an acknowledgement."""

    def __init__(self, *, timeout: float = 10.0, clock: Callable[[], datetime] = utcnow, client: Any = None):
        import httpx

        self._client = client or httpx.Client(timeout=timeout, follow_redirects=False)
        self._clock = clock

    def send(self, sink: Sink, event: OutboxEvent, body: bytes) -> None:
        import httpx

        headers = signed_headers(sink.secrets, event.id, int(self._clock().timestamp()), body)
        try:
            answer = self._client.post(sink.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}"[:300]) from None
        if not 200 <= answer.status_code < 300:
            raise DeliveryFailed(f"HTTP {answer.status_code}")

    def close(self) -> None:
        self._client.close()


@dataclass
class DispatchReport:
    fanned_out: int = 0
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Backoff:
    base: timedelta = timedelta(seconds=5)
    cap: timedelta = timedelta(hours=1)
    window: timedelta = timedelta(hours=24)

    def delay(self, attempt: int, rng: random.Random) -> timedelta:
        nominal: timedelta = min(self.cap, self.base * 2 ** min(attempt - 1, 30))
        factor: float = rng.uniform(0.5, 1.0)
        return nominal * factor


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class Dispatcher:
    """Delivers the outbox. ``run_once()`` does one pass (tests, benchmarks); ``run()`` loops."""

    def __init__(
        self,
        store: Store,
        *,
        nats_url: str = "",
        nats_stream: str = "VASPGUARD",
        nats_prefix: str = "vaspguard",
        clock: Callable[[], datetime] = utcnow,
        backoff: Backoff = Backoff(),
        batch: int = 500,
        record_every: int = 20,
        webhook: Transport | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.backoff = backoff
        self.batch = batch
        self.record_every = record_every
        self.rng = rng or random.Random()
        self._nats_url = nats_url
        self._nats_stream = nats_stream
        self._nats_prefix = nats_prefix
        self._transports: dict[str, Transport] = {}
        if webhook is not None:
            self._transports["webhook"] = webhook

    def _transport(self, kind: str) -> Transport:
        if kind not in self._transports:
            if kind == "nats":
                from vaspguard.events._nats import NatsTransport

                self._transports[kind] = NatsTransport(
                    self._nats_url, stream=self._nats_stream, prefix=self._nats_prefix
                )
            else:
                self._transports[kind] = WebhookTransport(clock=self.clock)
        return self._transports[kind]

    def close(self) -> None:
        for transport in self._transports.values():
            transport.close()
        self._transports.clear()

    # -- fan-out ----------------------------------------------------------------------------------------

    def fan_out(self) -> int:
        """Create a pending delivery per (sink, new event); move each sink's cursor. Returns how many."""
        if self._nats_url:
            ensure_nats_sink(self.store, self._nats_url)
        made = 0
        for sink in active_sinks(self.store):
            with self.store.connect() as conn:
                rows = conn.execute(
                    select(OutboxRow.id, OutboxRow.type)
                    .where(OutboxRow.id > sink.cursor)
                    .order_by(OutboxRow.id)
                    .limit(5000)
                ).all()
                if not rows:
                    continue
                now = self.clock()
                wanted = [
                    {"sink_id": sink.id, "event_id": r.id, "status": "pending", "attempts": 0, "next_at": now}
                    for r in rows
                    if sink.wants(r.type)
                ]
                if wanted:
                    conn.execute(insert(DeliveryRow), wanted)
                conn.execute(update(SinkRow).where(SinkRow.id == sink.id).values(cursor=rows[-1].id))
                made += len(wanted)
        return made

    # -- delivery ---------------------------------------------------------------------------------------

    def _pending(self, sink: Sink) -> list[tuple[Any, OutboxEvent]]:
        with self.store.connect() as conn:
            rows = conn.execute(
                select(
                    DeliveryRow.attempts,
                    DeliveryRow.next_at,
                    DeliveryRow.first_failed_at,
                    *OutboxRow.__table__.columns,
                )
                .join(OutboxRow, OutboxRow.id == DeliveryRow.event_id)
                .where(DeliveryRow.sink_id == sink.id, DeliveryRow.status == "pending")
                .order_by(DeliveryRow.event_id)
                .limit(self.batch)
            ).all()
        return [(r, to_event(r)) for r in rows]

    def _record(self, sink: Sink, event: OutboxEvent, values: dict[str, Any]) -> None:
        with self.store.connect() as conn:
            conn.execute(
                update(DeliveryRow)
                .where(DeliveryRow.sink_id == sink.id, DeliveryRow.event_id == event.seq)
                .values(**values)
            )

    def _failed(
        self, sink: Sink, delivery: Any, event: OutboxEvent, reason: str, report: DispatchReport
    ) -> None:
        now = self.clock()
        attempts = delivery.attempts + 1
        first = _aware(delivery.first_failed_at) if delivery.first_failed_at else now
        retry_at = now + self.backoff.delay(attempts, self.rng)
        dead = retry_at - first > self.backoff.window
        self._record(
            sink,
            event,
            {
                "status": "dead" if dead else "pending",
                "attempts": attempts,
                "first_failed_at": first,
                "next_at": retry_at,
                "last_error": reason,
            },
        )
        report.failed += 1
        report.dead += int(dead)
        report.errors.append(f"{sink.name} {event.id}: {reason}")

    def _mark_delivered(self, sink: Sink, acked: list[dict[str, Any]]) -> None:
        if not acked:
            return
        with self.store.connect() as conn:
            conn.execute(
                update(DeliveryRow)
                .where(DeliveryRow.sink_id == sink.id, DeliveryRow.event_id == bindparam("seq"))
                .values(status="delivered", attempts=bindparam("tries"), delivered_at=self.clock()),
                acked,
            )
        acked.clear()

    def deliver_sink(self, sink: Sink, report: DispatchReport) -> None:
        """Attempt every due delivery of one sink, in event order, holding back a subject after a failure.
        Acknowledged deliveries are recorded ``record_every`` at a time (one commit each group): a kill
        repeats at most that many, in order."""
        blocked: set[str] = set()
        now = self.clock()
        transport = self._transport(sink.kind)
        acked: list[dict[str, Any]] = []
        try:
            for delivery, event in self._pending(sink):
                if event.subject in blocked:
                    continue
                if _aware(delivery.next_at) > now:
                    blocked.add(event.subject)  # waiting for its retry: later events of the subject wait too
                    continue
                try:
                    transport.send(sink, event, canonical_json(event.document()))
                except DeliveryFailed as exc:
                    self._mark_delivered(sink, acked)
                    self._failed(sink, delivery, event, str(exc), report)
                    blocked.add(event.subject)
                    continue
                acked.append({"seq": event.seq, "tries": delivery.attempts + 1})
                report.delivered += 1
                if len(acked) >= self.record_every:
                    self._mark_delivered(sink, acked)
        finally:
            self._mark_delivered(sink, acked)

    def run_once(self) -> DispatchReport:
        report = DispatchReport(fanned_out=self.fan_out())
        for sink in active_sinks(self.store):
            self.deliver_sink(sink, report)
        return report

    def run(self, stop: threading.Event | None = None, *, idle: float = 0.5) -> None:
        """Loop until ``stop`` is set: one pass, then a pause of ``idle`` seconds when nothing was sent."""
        stop = stop or threading.Event()
        with self.store.exclusive(DISPATCH_LOCK):
            try:
                while not stop.is_set():
                    report = self.run_once()
                    if not (report.delivered or report.fanned_out):
                        stop.wait(idle)
            finally:
                self.close()
