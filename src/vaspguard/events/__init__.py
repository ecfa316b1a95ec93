"""Events out: an outbox written in the transaction of each state change, and a dispatcher delivering it
to webhooks (signed per Standard Webhooks) and NATS JetStream, at least once and in order per subject.

Layering: this package depends on the store alone, so every capability (lists, policy, requests, audit)
may call ``emit`` with its own connection.
"""

from vaspguard.events._dispatch import DISPATCH_LOCK, Backoff, DeliveryFailed, Dispatcher, DispatchReport
from vaspguard.events._model import SCHEMAS, EventType, OutboxEvent
from vaspguard.events._outbox import emit, emit_many, events_after, parse_event_id
from vaspguard.events._signing import new_secret, signature_header, signed_headers
from vaspguard.events._sinks import (
    Sink,
    add_webhook,
    check_url,
    dead_letters,
    get_sink,
    list_webhooks,
    remove_webhook,
    replay,
    rotate_secret,
)

__all__ = [
    "DISPATCH_LOCK",
    "SCHEMAS",
    "Backoff",
    "DeliveryFailed",
    "DispatchReport",
    "Dispatcher",
    "EventType",
    "OutboxEvent",
    "Sink",
    "add_webhook",
    "check_url",
    "dead_letters",
    "emit",
    "emit_many",
    "events_after",
    "get_sink",
    "list_webhooks",
    "new_secret",
    "parse_event_id",
    "remove_webhook",
    "replay",
    "rotate_secret",
    "signature_header",
    "signed_headers",
]
