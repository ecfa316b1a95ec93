"""Webhooks against a real HTTP receiver on loopback; signatures checked with the ``standardwebhooks``
package (the scheme's reference implementation), never with our own signer."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from events_helpers import Receiver
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from vaspguard.errors import AlreadyExists, InvalidRequest
from vaspguard.events import (
    Dispatcher,
    EventType,
    add_webhook,
    dead_letters,
    emit,
    list_webhooks,
    replay,
    rotate_secret,
)
from vaspguard.store import Store


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _emit(store: Store, subject: str, n: int = 1) -> None:
    with store.connect() as conn:
        for _ in range(n):
            emit(conn, EventType.ALERT_RAISED, (subject,), {"customer_id": subject.split(":")[1]})


def test_deliveries_verify_with_the_reference_implementation(store: Store, receiver: Receiver) -> None:
    _, secret = add_webhook(store, "crm", receiver.url)
    _emit(store, "customer:C1", 2)
    report = Dispatcher(store).run_once()
    assert report.delivered == 2 and len(receiver.got) == 2
    for got in receiver.got:
        payload = Webhook(secret).verify(got.body, got.headers)
        assert payload["type"] == "alerts.raised" and payload["id"] == got.headers["webhook-id"]
        assert payload["data"] == {"customer_id": "C1"}
    tampered = receiver.got[0].body.replace(b"C1", b"C2")
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(tampered, receiver.got[0].headers)
    from vaspguard.events import new_secret

    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(receiver.got[0].body, receiver.got[0].headers)


def test_rotation_signs_with_old_and_new_until_retired(store: Store, receiver: Receiver) -> None:
    _, old = add_webhook(store, "crm", receiver.url)
    new = rotate_secret(store, "crm")
    assert new is not None
    _emit(store, "customer:C1")
    Dispatcher(store).run_once()
    got = receiver.got[-1]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(got.body, got.headers)
    Webhook(new).verify(got.body, got.headers)
    rotate_secret(store, "crm", retire=True)
    _emit(store, "customer:C1")
    Dispatcher(store).run_once()
    got = receiver.got[-1]
    Webhook(new).verify(got.body, got.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(got.body, got.headers)


def test_retries_back_off_then_dead_letter_then_replay(store: Store, receiver: Receiver) -> None:
    add_webhook(store, "crm", receiver.url)
    clock = Clock()
    dispatcher = Dispatcher(store, clock=clock, rng=random.Random(1))
    _emit(store, "customer:C1")
    receiver.answers = [500, 503]
    assert dispatcher.run_once().failed == 1
    assert dispatcher.run_once().failed == 0  # not due yet: backoff holds it
    clock.now += timedelta(seconds=5)  # first retry is between 2.5 and 5 s later
    assert dispatcher.run_once().failed == 1
    clock.now += timedelta(seconds=10)
    assert dispatcher.run_once().delivered == 1
    assert len(receiver.got) == 1

    _emit(store, "customer:C2")
    receiver.answers = [500] * 100
    attempts = 0
    while not dead_letters(store, "crm"):
        attempts += dispatcher.run_once().failed
        clock.now += timedelta(hours=1)
        assert attempts < 60
    assert 10 < attempts < 40  # backoff grows to the 1 h cap within the 24 h window
    assert dead_letters(store, "crm")[0]["last_error"] == "HTTP 500"
    receiver.answers = []
    assert dispatcher.run_once().delivered == 0  # dead: not retried by itself
    assert replay(store, "crm") == 1
    assert dispatcher.run_once().delivered == 1
    assert json.loads(receiver.got[-1].body)["data"] == {"customer_id": "C2"}
    assert list_webhooks(store)[0]["delivered"] == 2


def test_a_failing_subject_waits_and_others_go_on(store: Store, receiver: Receiver) -> None:
    add_webhook(store, "crm", receiver.url)
    clock = Clock()
    dispatcher = Dispatcher(store, clock=clock, rng=random.Random(2))
    _emit(store, "customer:A")
    _emit(store, "customer:B")
    _emit(store, "customer:A")
    receiver.answers = [500]  # the first A fails
    dispatcher.run_once()
    assert [json.loads(g.body)["subjects"] for g in receiver.got] == [["customer:B"]]
    clock.now += timedelta(seconds=10)
    dispatcher.run_once()
    order = [(json.loads(g.body)["subjects"][0], json.loads(g.body)["seq"]) for g in receiver.got]
    a = [seq for subject, seq in order if subject == "customer:A"]
    assert len(a) == 2 and a == sorted(a)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://example.com/hook", "loopback"),
        ("http://10.0.0.1/hook", "loopback"),
        ("ftp://example.com/hook", "https"),
        ("https://user:pw@example.com/hook", "credentials"),
        ("hook", "https"),
    ],
)
def test_only_https_except_loopback(store: Store, url: str, why: str) -> None:
    with pytest.raises(InvalidRequest, match=why):
        add_webhook(store, "x", url)


def test_endpoint_names_secrets_and_types_are_checked(store: Store) -> None:
    add_webhook(store, "a", "https://example.com/hook")
    add_webhook(store, "b", "http://[::1]:8080/hook", types=["alerts.raised"])
    with pytest.raises(AlreadyExists):
        add_webhook(store, "a", "https://example.com/other")
    with pytest.raises(InvalidRequest, match="whsec_"):
        add_webhook(store, "c", "https://example.com/hook", secret="plain")
    with pytest.raises(InvalidRequest, match="bytes"):
        add_webhook(store, "c", "https://example.com/hook", secret="whsec_c2hvcnQ=")
    with pytest.raises(InvalidRequest, match="unknown event type"):
        add_webhook(store, "c", "https://example.com/hook", types=["alerts.everything"])


def test_an_endpoint_gets_only_its_types(store: Store, receiver: Receiver) -> None:
    add_webhook(store, "crm", receiver.url, types=["lists.activated"])
    _emit(store, "customer:C1")
    with store.connect() as conn:
        emit(conn, EventType.LIST_ACTIVATED, ("list:un",), {"snapshot_id": 1})
    Dispatcher(store).run_once()
    assert [json.loads(g.body)["type"] for g in receiver.got] == ["lists.activated"]


def test_the_cli_manages_endpoints(cli, store: Store, receiver: Receiver) -> None:  # type: ignore[no-untyped-def]
    db = store.url
    code, out, _ = cli("--db", db, "webhooks", "add", "crm", receiver.url)
    assert code == 0 and out.startswith("whsec_")
    code, _, err = cli("--db", db, "webhooks", "add", "bad", "http://192.0.2.1/x")
    assert code == 2 and "loopback" in err and "Traceback" not in err
    code, out, _ = cli("--db", db, "webhooks", "list", "--json")
    assert json.loads(out)[0]["name"] == "crm" and "whsec" not in out
    code, out, _ = cli("--db", db, "webhooks", "replay", "crm")
    assert code == 0 and out.startswith("0 deliveries")
    code, _, _ = cli("--db", db, "webhooks", "remove", "crm")
    assert code == 0
    code, _, err = cli("--db", db, "webhooks", "remove", "crm")
    assert code == 2 and "crm" in err
