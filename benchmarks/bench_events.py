"""Events dispatched per second: webhooks to a receiver on loopback and NATS JetStream publishes, each
beside a baseline in the same process.

Baselines: a plain ``httpx`` POST loop of the same bodies to the same receiver (no database, no signing, no
delivery record), and a plain JetStream publish loop awaiting each ack (no database). The dispatcher reads
the outbox, signs each body (Standard Webhooks) and commits each delivery as it is acknowledged, which is
what at-least-once delivery across a kill -9 costs.

``VASPGUARD_BENCH_EVENTS`` sets the number of events (default 2,000); the database is a SQLite file, and
PostgreSQL (``VASPGUARD_TEST_PG``) when one answers. NATS at ``VASPGUARD_TEST_NATS`` (default
nats://127.0.0.1:4222); that part is skipped, and says so, when no server answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import psycopg

from vaspguard._json import canonical_json
from vaspguard.events import Dispatcher, EventType, add_webhook, emit, events_after
from vaspguard.store import Store, migrate, open_store

N = int(os.environ.get("VASPGUARD_BENCH_EVENTS", "2000"))
PG_URL = os.environ.get("VASPGUARD_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
NATS_URL = os.environ.get("VASPGUARD_TEST_NATS", "nats://127.0.0.1:4222")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a production receiver would

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(204)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@contextlib.contextmanager
def _receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def _fill(store: Store) -> None:
    with store.connect() as conn:
        for i in range(N):
            emit(
                conn,
                EventType.ALERT_RAISED,
                (f"customer:C{i % 20}",),
                {"customer_id": f"C{i % 20}", "alert_id": i},
            )


def _drain(dispatcher: Dispatcher) -> float:
    start = time.perf_counter()
    done = 0
    while done < N:
        report = dispatcher.run_once()
        done += report.delivered
        if report.failed:
            raise SystemExit(f"delivery failed: {report.errors[:1]}")
    dispatcher.close()
    return N / (time.perf_counter() - start)


def _webhooks(store: Store, url: str) -> float:
    add_webhook(store, "bench", url)
    _fill(store)
    return _drain(Dispatcher(store, batch=1000))


def _plain_posts(store: Store, url: str) -> float:
    bodies = [canonical_json(e.document()) for e in events_after(store, 0, limit=min(N, 10000))]
    with httpx.Client() as client:
        start = time.perf_counter()
        for body in bodies:
            client.post(url, content=body, headers={"content-type": "application/json"}).raise_for_status()
        return len(bodies) / (time.perf_counter() - start)


def _nats_up() -> bool:
    host, _, port = NATS_URL.removeprefix("nats://").partition(":")
    try:
        socket.create_connection((host, int(port or 4222)), timeout=2).close()
        return True
    except OSError:
        return False


async def _plain_publish(stream: str, prefix: str, bodies: list[bytes]) -> float:
    import nats

    nc = await nats.connect(NATS_URL)
    js = nc.jetstream()
    await js.add_stream(name=stream, subjects=[f"{prefix}.>"])
    start = time.perf_counter()
    for i, body in enumerate(bodies):
        await js.publish(f"{prefix}.alerts.raised", body, headers={"Nats-Msg-Id": f"b{i}"})
    rate = len(bodies) / (time.perf_counter() - start)
    await js.delete_stream(stream)
    await nc.close()
    return rate


async def _drop_stream(stream: str) -> None:
    import nats

    nc = await nats.connect(NATS_URL)
    with contextlib.suppress(Exception):
        await nc.jetstream().delete_stream(stream)
    await nc.close()


def _nats(store: Store) -> tuple[float, float]:
    tag = uuid.uuid4().hex[:8]
    stream, prefix = f"VGBENCH_{tag}", f"vgbench{tag}"
    try:
        rate = _drain(
            Dispatcher(store, nats_url=NATS_URL, nats_stream=stream, nats_prefix=prefix, batch=1000)
        )
    finally:
        asyncio.run(_drop_stream(stream))
    bodies = [canonical_json(e.document()) for e in events_after(store, 0, limit=min(N, 10000))]
    return rate, asyncio.run(_plain_publish(f"{stream}B", f"{prefix}b", bodies))


def _stores(folder: Path) -> Iterator[tuple[str, Store]]:
    yield "SQLite", open_store(f"sqlite:///{folder / 'events.db'}")
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        print("PostgreSQL: skipped (no server answers)")
        return
    name = f"vg_bench_events_{os.getpid()}"
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = PG_URL.rpartition("/")
    try:
        yield "PostgreSQL", open_store(f"{base}/{name}")
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def main() -> None:
    print(f"{N} events over 20 subjects, one dispatcher, receiver on 127.0.0.1")
    with tempfile.TemporaryDirectory() as tmp, _receiver() as url:
        for backend, store in _stores(Path(tmp)):
            migrate(store)
            hooks = _webhooks(store, url)
            plain = _plain_posts(store, url)
            print(
                f"{backend}: webhooks {hooks:,.0f} events/s (signed, acks committed 20 at a time); "
                f"baseline plain POST loop {plain:,.0f}/s"
            )
            if _nats_up():
                published, baseline = _nats(store)
                print(
                    f"{backend}: NATS JetStream {published:,.0f} events/s; baseline plain publish loop "
                    f"{baseline:,.0f}/s"
                )
            else:
                print(f"NATS: skipped (no server at {NATS_URL})")
            store.dispose()


if __name__ == "__main__":
    main()
