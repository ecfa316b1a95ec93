"""Where events go: webhook endpoints (managed by ``vaspguard webhooks``) and the NATS JetStream stream.

A new webhook endpoint receives events from the moment it is added (its cursor starts at the newest event);
history is for ``GET /v1/events?after=ID``. Only https is accepted, except to the loopback interface (a
receiver on the same host), so an event never crosses a network in clear text.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from vaspguard.errors import AlreadyExists, InvalidRequest, NotFound
from vaspguard.events._model import EventType
from vaspguard.events._outbox import last_event_id
from vaspguard.events._signing import new_secret, secret_key
from vaspguard.events._tables import DeliveryRow, SinkRow
from vaspguard.store import Store, utcnow

NATS_SINK = "nats"


@dataclass(frozen=True, slots=True)
class Sink:
    id: int
    kind: str
    name: str
    url: str
    secrets: tuple[str, ...]
    types: tuple[str, ...]
    cursor: int

    def wants(self, type_: str) -> bool:
        return not self.types or type_ in self.types


def _sink(row: Any) -> Sink:
    return Sink(
        row.id,
        row.kind,
        row.name,
        row.url,
        tuple(json.loads(row.secrets)),
        tuple(json.loads(row.types)),
        row.cursor,
    )


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """An endpoint URL: https, or http to the loopback interface only."""
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise InvalidRequest("url", f"expected an https:// URL, got {url[:80]!r}")
    if parts.username or parts.password:
        raise InvalidRequest("url", "credentials in the URL are refused: the signature authenticates")
    if parts.scheme == "http" and not _loopback(host):
        raise InvalidRequest("url", f"http is allowed only to the loopback interface; use https for {host}")
    return url.strip()


def _types(types: Sequence[str]) -> list[str]:
    known = {t.value for t in EventType}
    bad = [t for t in types if t not in known]
    if bad:
        raise InvalidRequest("types", f"unknown event type {bad[0]!r}; known: {', '.join(sorted(known))}")
    return sorted(set(types))


def add_webhook(
    store: Store, name: str, url: str, *, types: Sequence[str] = (), secret: str | None = None
) -> tuple[Sink, str]:
    """Register an endpoint; returns it with its secret (shown once by the CLI)."""
    if not name.strip() or name == NATS_SINK:
        raise InvalidRequest("name", f"name the endpoint (not {NATS_SINK!r}, which is the NATS stream)")
    secret = secret or new_secret()
    secret_key(secret)
    url = check_url(url)
    try:
        with store.connect() as conn:
            conn.execute(
                insert(SinkRow).values(
                    kind="webhook",
                    name=name.strip(),
                    url=url,
                    secrets=json.dumps([secret]),
                    types=json.dumps(_types(types)),
                    cursor=last_event_id(conn),
                    created_at=utcnow(),
                )
            )
    except IntegrityError:
        raise AlreadyExists("webhook", name, "an endpoint of that name exists (remove it first)") from None
    return get_sink(store, name), secret


def ensure_nats_sink(store: Store, url: str) -> Sink:
    """The NATS stream as a sink (created on first use; it publishes every event from the first on)."""
    with store.connect() as conn:
        row = conn.execute(select(SinkRow).where(SinkRow.name == NATS_SINK)).first()
        if row is None:
            conn.execute(
                insert(SinkRow).values(
                    kind="nats",
                    name=NATS_SINK,
                    url=url,
                    secrets="[]",
                    types="[]",
                    cursor=0,
                    created_at=utcnow(),
                )
            )
        elif row.url != url or row.removed_at is not None:
            conn.execute(update(SinkRow).where(SinkRow.id == row.id).values(url=url, removed_at=None))
    return get_sink(store, NATS_SINK)


def _row(conn: Connection, name: str) -> Any:
    row = conn.execute(select(SinkRow).where(SinkRow.name == name, SinkRow.removed_at.is_(None))).first()
    if row is None:
        raise NotFound("webhook", name)
    return row


def get_sink(store: Store, name: str) -> Sink:
    with store.connect() as conn:
        return _sink(_row(conn, name))


def active_sinks(store: Store) -> list[Sink]:
    with store.connect() as conn:
        rows = conn.execute(select(SinkRow).where(SinkRow.removed_at.is_(None)).order_by(SinkRow.id)).all()
    return [_sink(r) for r in rows]


def list_webhooks(store: Store) -> list[dict[str, Any]]:
    """Endpoints with their delivery counts (never their secrets)."""
    out = []
    with store.connect() as conn:
        rows = conn.execute(select(SinkRow).where(SinkRow.removed_at.is_(None)).order_by(SinkRow.id)).all()
        for r in rows:
            counts = dict.fromkeys(("pending", "delivered", "dead"), 0)
            for status, n in conn.execute(
                select(DeliveryRow.status, func.count())
                .where(DeliveryRow.sink_id == r.id)
                .group_by(DeliveryRow.status)
            ).all():
                counts[status] = int(n)
            out.append(
                {
                    "name": r.name,
                    "kind": r.kind,
                    "url": r.url,
                    "types": json.loads(r.types) or ["*"],
                    "secrets": len(json.loads(r.secrets)),
                    **counts,
                }
            )
    return out


def remove_webhook(store: Store, name: str) -> None:
    """Stop delivering to an endpoint (its delivery history stays)."""
    with store.connect() as conn:
        row = _row(conn, name)
        conn.execute(update(SinkRow).where(SinkRow.id == row.id).values(removed_at=utcnow()))


def rotate_secret(store: Store, name: str, *, retire: bool = False) -> str | None:
    """Add a new secret, signing with old and new during the overlap; ``retire`` keeps only the newest."""
    with store.connect() as conn:
        row = _row(conn, name)
        current = json.loads(row.secrets)
        if retire:
            kept, shown = current[:1], None
        else:
            shown = new_secret()
            kept = [shown, *current][:3]
        conn.execute(update(SinkRow).where(SinkRow.id == row.id).values(secrets=json.dumps(kept)))
    return shown


def dead_letters(store: Store, name: str) -> list[dict[str, Any]]:
    with store.connect() as conn:
        row = _row(conn, name)
        rows = conn.execute(
            select(DeliveryRow)
            .where(DeliveryRow.sink_id == row.id, DeliveryRow.status == "dead")
            .order_by(DeliveryRow.event_id)
        ).all()
    return [{"event": f"evt_{r.event_id}", "attempts": r.attempts, "last_error": r.last_error} for r in rows]


def replay(store: Store, name: str, *, events: Sequence[int] = ()) -> int:
    """Put dead-lettered deliveries (all, or the ``events`` given) back in the queue; returns how many."""
    with store.connect() as conn:
        row = _row(conn, name)
        q = update(DeliveryRow).where(DeliveryRow.sink_id == row.id, DeliveryRow.status == "dead")
        if events:
            q = q.where(DeliveryRow.event_id.in_(list(events)))
        done = conn.execute(
            q.values(status="pending", attempts=0, next_at=utcnow(), first_failed_at=None, last_error=None)
        )
        return int(done.rowcount)
