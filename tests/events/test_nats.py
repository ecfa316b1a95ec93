"""NATS JetStream against the real server (127.0.0.1:4222, or VASPGUARD_TEST_NATS): one subject per event
type, the event id as Nats-Msg-Id so a re-publish is dropped by the server. Skipped, saying why, when no
server answers, except under CI=true, where that is a failure."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import update

from vaspguard.events import Dispatcher, EventType, emit
from vaspguard.store import Store

NATS_URL = os.environ.get("VASPGUARD_TEST_NATS", "nats://127.0.0.1:4222")


def _answers(url: str) -> bool:
    host, _, port = url.removeprefix("nats://").partition(":")
    try:
        socket.create_connection((host, int(port or 4222)), timeout=2).close()
        return True
    except OSError:
        return False


@pytest.fixture
def nats_stream() -> Iterator[tuple[str, str]]:
    if not _answers(NATS_URL):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"no NATS server at {NATS_URL} (CI may not skip the NATS tests)")
        pytest.skip(f"no NATS server answers at {NATS_URL}")
    tag = uuid.uuid4().hex[:10]
    stream, prefix = f"VGTEST_{tag}", f"vgtest{tag}"
    yield stream, prefix
    asyncio.run(_delete(stream))


async def _delete(stream: str) -> None:
    import nats

    nc = await nats.connect(NATS_URL)
    with contextlib.suppress(Exception):  # the stream may never have been created
        await nc.jetstream().delete_stream(stream)
    await nc.close()


async def _read(stream: str, prefix: str) -> tuple[int, list[tuple[str, str, dict[str, Any]]]]:
    import nats

    nc = await nats.connect(NATS_URL)
    js = nc.jetstream()
    info = await js.stream_info(stream)
    sub = await js.pull_subscribe(f"{prefix}.>", stream=stream)
    msgs = await sub.fetch(info.state.messages, timeout=5)
    out = [(m.subject, (m.headers or {}).get("Nats-Msg-Id", ""), json.loads(m.data)) for m in msgs]
    await nc.close()
    return info.state.messages, out


def test_events_reach_jetstream_once_per_id(store: Store, nats_stream: tuple[str, str]) -> None:
    stream, prefix = nats_stream
    with store.connect() as conn:
        emit(conn, EventType.ALERT_RAISED, ("customer:C1",), {"customer_id": "C1"})
        emit(conn, EventType.LIST_ACTIVATED, ("list:un",), {"snapshot_id": 7})
        emit(conn, EventType.ALERT_RAISED, ("customer:C1",), {"customer_id": "C1", "alert_id": 2})
    dispatcher = Dispatcher(store, nats_url=NATS_URL, nats_stream=stream, nats_prefix=prefix)
    assert dispatcher.run_once().delivered == 3
    # a dispatcher killed after publishing and before recording it publishes again: the server drops it
    from sqlalchemy import Table

    from vaspguard.store import metadata

    deliveries: Table = metadata.tables["events_deliveries"]
    with store.connect() as conn:
        conn.execute(update(deliveries).values(status="pending"))
    assert dispatcher.run_once().delivered == 3
    dispatcher.close()
    count, msgs = asyncio.run(_read(stream, prefix))
    assert count == 3
    assert [m[0] for m in msgs] == [
        f"{prefix}.alerts.raised",
        f"{prefix}.lists.activated",
        f"{prefix}.alerts.raised",
    ]
    assert [m[1] for m in msgs] == [m[2]["id"] for m in msgs]
    seqs = [m[2]["seq"] for m in msgs]
    assert seqs == sorted(seqs)


def test_an_unreachable_server_is_a_retried_failure(store: Store) -> None:
    with store.connect() as conn:
        emit(conn, EventType.ALERT_RAISED, ("customer:C1",), {"customer_id": "C1"})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    dispatcher = Dispatcher(store, nats_url=f"nats://127.0.0.1:{port}")
    report = dispatcher.run_once()
    dispatcher.close()
    assert (report.delivered, report.failed) == (0, 1)
    assert report.errors[0].startswith("nats evt_") and "NATS" in report.errors[0]
