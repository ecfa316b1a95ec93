"""NATS JetStream as a sink: one subject per event type (``vaspguard.alerts.raised``, ...), each message
published with its event id as ``Nats-Msg-Id`` so the server drops a re-publish inside its duplicate window
(a dispatcher killed between the publish and recording it publishes again on restart).

nats-py is asynchronous; the dispatcher is not, so this transport owns a private event loop and runs each
call to completion on it. The stream (``VASPGUARD``, subjects ``vaspguard.>``) is created if missing. The
server de-duplicates per stream, and event ids are per database: two installations sharing a server each
need their own stream and subject prefix (``VASPGUARD_NATS_STREAM``, ``VASPGUARD_NATS_PREFIX``).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from vaspguard.events._dispatch import DeliveryFailed
from vaspguard.events._model import OutboxEvent
from vaspguard.events._sinks import Sink


class NatsTransport:
    def __init__(
        self, url: str, *, stream: str = "VASPGUARD", prefix: str = "vaspguard", timeout: float = 5.0
    ) -> None:
        self.url = url
        self.stream = stream
        self.prefix = prefix
        self.timeout = timeout
        self._loop = asyncio.new_event_loop()
        self._nc: Any = None
        self._js: Any = None

    async def _connect(self) -> None:
        import nats
        from nats.js.errors import NotFoundError

        self._nc = await nats.connect(
            self.url, connect_timeout=self.timeout, max_reconnect_attempts=0, allow_reconnect=False
        )
        self._js = self._nc.jetstream(timeout=self.timeout)
        try:
            await self._js.stream_info(self.stream)
        except NotFoundError:
            await self._js.add_stream(name=self.stream, subjects=[f"{self.prefix}.>"])

    async def _publish(self, subject: str, body: bytes, msg_id: str) -> None:
        if self._nc is None or self._nc.is_closed:
            # nats-py may keep trying an absent server on its own: bound the whole connect
            await asyncio.wait_for(self._connect(), self.timeout)
        await self._js.publish(subject, body, headers={"Nats-Msg-Id": msg_id})

    def send(self, sink: Sink, event: OutboxEvent, body: bytes) -> None:
        from nats.errors import Error as NatsError

        try:
            self._loop.run_until_complete(self._publish(f"{self.prefix}.{event.type.value}", body, event.id))
        except (NatsError, OSError, TimeoutError) as exc:
            self._drop()
            raise DeliveryFailed(f"NATS {type(exc).__name__}: {exc}"[:300]) from None

    def _drop(self) -> None:
        nc, self._nc, self._js = self._nc, None, None
        if nc is not None and not nc.is_closed:
            with contextlib.suppress(Exception):  # closing a broken connection; its failure is reported
                self._loop.run_until_complete(nc.close())

    def close(self) -> None:
        self._drop()
        self._loop.close()
