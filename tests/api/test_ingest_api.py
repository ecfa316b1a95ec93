"""The ingestion API (issue 15, part 1) on SQLite and PostgreSQL: records checked as ``registry import``
checks a file (the same errors for the same bad records), all or nothing, idempotent by id and by
``Idempotency-Key``, for the ``service`` role only; arriving customers and transfers are screened and
re-evaluated, with alerts and events. The must-show: a transfer to a listed wallet (a real OFAC excerpt)
raises an alert and its event, visible in ``GET /v1/events``, within one second of the POST."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from vaspguard.api import Role, create_app, create_token
from vaspguard.errors import InvalidRow
from vaspguard.lists import import_paths
from vaspguard.registry import Customer, Name, PersonType, Registry, import_file
from vaspguard.screening import list_alerts
from vaspguard.store import Store

EXCERPT = "lists/ofac_sdn_csv/watchman_excerpt_2025-05/sdn.csv"
LISTED_WALLET = "bc1qvhnfknw852ephxyc5hm4q520zmvf9maphetc9z"  # in the excerpt's SDN remarks
LISTED_NAME = "Artem Lifshits"  # an SDN of the excerpt
CLEAN_WALLET = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"


def _customer(cid: str, name: str = "Oskar Berg", **extra: Any) -> dict[str, Any]:
    return {
        "id": cid,
        "type": "natural",
        "names": name,
        "nationalities": ["SE"],
        "kyc_status": "verified",
    } | extra


def _tx(tid: str, cid: str = "C1", **extra: Any) -> dict[str, Any]:
    base = {
        "id": tid,
        "customer_id": cid,
        "kind": "deposit",
        "occurred_at": "2026-11-30T10:00:00Z",
        "asset": "BTC",
        "amount": "0.5",
        "chain": "bitcoin",
        "address": CLEAN_WALLET,
    }
    return base | extra


@pytest.fixture
def api(store: Store, shared_data: Path) -> TestClient:
    import_paths(store, [shared_data / EXCERPT])
    Registry(store).add_customers([Customer("C1", PersonType.NATURAL, (Name("Oskar Berg"),), ("SE",))])
    client = TestClient(create_app(store))
    client.headers["Authorization"] = f"Bearer {create_token(store, name='exchange', role=Role.SERVICE)}"
    return client


def _events(api: TestClient, after: str = "0") -> list[dict[str, Any]]:
    answer = api.get("/v1/events", params={"after": after})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


def _last_event(api: TestClient) -> str:
    events = _events(api)
    return events[-1]["id"] if events else "0"


def test_a_transfer_to_a_listed_wallet_raises_an_alert_and_its_event_within_a_second(api: TestClient) -> None:
    after = _last_event(api)
    start = time.monotonic()
    answer = api.post("/v1/transactions", json={"items": [_tx("T1", address=LISTED_WALLET)]})
    assert answer.status_code == 200, answer.text
    raised = [e for e in _events(api, after) if e["type"] == "alerts.raised"]
    elapsed = time.monotonic() - start
    assert elapsed < 1.0, f"{elapsed:.3f} s from POST to the event"
    [alert] = answer.json()["alerts"]
    assert (alert["customer_id"], alert["kind"], alert["transaction_id"]) == ("C1", "address", "T1")
    assert [e["data"]["alert_id"] for e in raised] == [alert["alert_id"]]
    assert raised[0]["subjects"] == ["customer:C1"]
    assert LISTED_WALLET not in json.dumps(raised)  # an event carries ids, not the wallet


def test_a_clean_transfer_raises_nothing_and_a_second_hit_on_an_open_alert_is_not_raised_again(
    api: TestClient,
) -> None:
    clean = api.post("/v1/transactions", json={"items": [_tx("T1")]})
    assert clean.status_code == 200 and clean.json()["alerts"] == []
    first = api.post("/v1/transactions", json={"items": [_tx("T2", address=LISTED_WALLET)]})
    again = api.post(
        "/v1/transactions", json={"items": [_tx("T3", address=LISTED_WALLET, kind="withdrawal")]}
    )
    assert len(first.json()["alerts"]) == 1
    assert again.status_code == 200 and again.json()["alerts"] == []  # the open alert stands for both


def test_the_same_bad_records_get_the_same_errors_as_registry_import(
    api: TestClient, store: Store, second_store: Store, tmp_path: Path
) -> None:
    Registry(second_store).add_customers([Customer("C1", PersonType.NATURAL, (Name("Oskar Berg"),), ("SE",))])
    records = [
        _tx("T1"),
        _tx("T2", amount="-5"),
        _tx("T3", kind="teleport"),
        _tx("T4", occurred_at="2026-11-30T10:00:00"),
        _tx("T5", customer_id="C404"),
        _tx("T6", account_id="A404"),
        _tx("T7", colour="red"),
        _tx("T1"),
        _tx("T8", kind="trade", chain=None, address=None),
        _tx("T9", amount="0.1234567890123456789"),
    ]
    path = tmp_path / "transactions.jsonl"
    path.write_text(
        "".join(json.dumps({k: v for k, v in r.items() if v is not None}) + "\n" for r in records)
    )
    report = import_file(second_store, path, skip_invalid=True)
    from_file = sorted((bad.row - 1, bad.field, bad.reason) for bad in report.skipped)

    body = {"items": [{k: v for k, v in r.items() if v is not None} for r in records]}
    answer = api.post("/v1/transactions", json=body)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    from_api = sorted((e["row"], e["field"], e["detail"]) for e in problem["errors"])
    assert from_api == from_file and len(from_api) == 9
    assert problem["errors"][0]["pointer"] == "/items/1/amount"
    assert problem["detail"].startswith("invalid record 1: field 'amount':")
    assert Registry(store).transactions("C1") == []  # the good record T1 was not written either


def test_a_batch_is_written_whole_or_not_at_all(api: TestClient, store: Store) -> None:
    events = len(_events(api))
    bad = api.post(
        "/v1/transactions", json={"items": [_tx("T1", address=LISTED_WALLET), _tx("T2", customer_id="C404")]}
    )
    assert bad.status_code == 422
    assert [(e["row"], e["field"]) for e in bad.json()["errors"]] == [(1, "customer_id")]
    assert Registry(store).transactions("C1") == [] and list_alerts(store) == []
    assert len(_events(api)) == events  # no alert, no event for a refused batch


def test_a_repeated_record_is_unchanged_and_a_different_one_with_its_id_conflicts(
    api: TestClient, store: Store
) -> None:
    first = api.post("/v1/transactions", json={"items": [_tx("T1"), _tx("T2")]})
    assert first.json()["accepted"] == ["T1", "T2"]
    again = api.post("/v1/transactions", json={"items": [_tx("T1"), _tx("T2"), _tx("T3")]})
    assert again.status_code == 200
    assert (again.json()["accepted"], again.json()["unchanged"]) == (["T3"], ["T1", "T2"])
    twice = api.post("/v1/transactions", json={"items": [_tx("T1"), _tx("T1")]})
    assert twice.status_code == 422 and [(e["row"], e["field"]) for e in twice.json()["errors"]] == [
        (1, "id")
    ]
    assert twice.json()["errors"][0]["detail"] == "given twice in this file"  # as registry import says
    other = api.post("/v1/transactions", json={"items": [_tx("T4"), _tx("T2", amount="0.6")]})
    assert other.status_code == 409, other.text
    [error] = other.json()["errors"]
    assert (error["row"], error["field"], error["pointer"]) == (1, "amount", "/items/1/amount")
    assert "transaction 'T2'" in error["detail"]
    assert [t.id for t in Registry(store).transactions("C1")] == ["T1", "T2", "T3"]  # T4 not written


def test_an_idempotency_key_replays_the_answer_and_refuses_another_body(api: TestClient) -> None:
    body = {"items": [_tx("T1", address=LISTED_WALLET)]}
    keyed = {"Idempotency-Key": "batch-0001"}
    first = api.post("/v1/transactions", json=body, headers=keyed)
    events = len(_events(api))
    retry = api.post("/v1/transactions", json=body, headers=keyed)
    assert retry.status_code == 200 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json() and len(first.json()["alerts"]) == 1
    assert len(_events(api)) == events
    unkeyed = api.post("/v1/transactions", json=body)
    assert unkeyed.json()["unchanged"] == ["T1"] and "Idempotent-Replayed" not in unkeyed.headers
    other = api.post("/v1/transactions", json={"items": [_tx("T2")]}, headers=keyed)
    assert other.status_code == 422
    assert "Idempotency-Key was used" in other.json()["detail"]
    bad_key = api.post("/v1/transactions", json=body, headers={"Idempotency-Key": "k" * 201})
    assert bad_key.status_code == 400 and "Idempotency-Key" in bad_key.json()["detail"]


def test_only_the_service_role_may_ingest(api: TestClient, store: Store) -> None:
    body = {"items": [_tx("T1")]}
    for role in (Role.READER, Role.COMPLIANCE, Role.AUDITOR, Role.LEGAL):
        token = create_token(store, name=f"t-{role}", role=role)
        answer = api.post("/v1/transactions", json=body, headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 403, role
        put = api.put("/v1/customers/C9", json=_customer("C9"), headers={"Authorization": f"Bearer {token}"})
        assert put.status_code == 403, role
    assert (
        api.post("/v1/transactions", json=body, headers={"Authorization": "Bearer nope"}).status_code == 401
    )
    assert Registry(store).transactions("C1") == []


def test_a_customer_is_created_replaced_screened_and_re_evaluated(api: TestClient, store: Store) -> None:
    created = api.put("/v1/customers/C2", json=_customer("C2"))
    assert created.status_code == 200, created.text
    assert (created.json()["accepted"], created.json()["alerts"]) == (["C2"], [])
    same = api.put("/v1/customers/C2", json=_customer("C2"))
    assert (same.json()["accepted"], same.json()["unchanged"]) == ([], ["C2"])

    after = _last_event(api)
    russian = _customer("C2", LISTED_NAME, nationalities=["RU"], residence="RU")
    changed = api.put("/v1/customers/C2", json=russian)
    assert changed.status_code == 200, changed.text
    out = changed.json()
    assert out["changed"] == ["C2"] and [a["kind"] for a in out["alerts"]] == ["name"]
    [change] = out["restrictions"]
    assert change["customer_id"] == "C2" and change["old_state"] == "unrestricted"
    assert change["new_state"] != "unrestricted"
    types = [e["type"] for e in _events(api, after)]
    assert types.count("alerts.raised") == 1 and "restrictions.changed" in types
    stored = Registry(store).get_customer("C2")
    assert (stored.primary_name, stored.nationalities, stored.residence) == (LISTED_NAME, ("RU",), "RU")


def test_a_bad_customer_names_every_field_and_writes_nothing(api: TestClient, store: Store) -> None:
    bad = _customer("C2", names=[], nationalities=["XX"], kyc_status="maybe")
    answer = api.put("/v1/customers/C2", json=bad)
    assert answer.status_code == 422
    [error] = answer.json()["errors"]  # a record's parser stops at its first bad field, as in a file
    assert (error["pointer"], error["field"]) == ("/names", "names")
    assert api.put("/v1/customers/C2", json=_customer("C3")).status_code == 400  # id differs from the path
    assert api.put("/v1/customers/C2", json=_customer("C2", type="legal")).status_code == 200
    refused = api.put("/v1/customers/C2", json=_customer("C2"))
    assert refused.status_code == 409 and refused.json()["errors"][0]["field"] == "type"
    assert Registry(store).get_customer("C2").type is PersonType.LEGAL


def test_accounts_logins_and_prices_arrive_in_batches(api: TestClient, store: Store) -> None:
    account = {"id": "A1", "customer_id": "C1", "product": "spot", "opened_at": "2026-01-01T00:00:00Z"}
    assert api.post("/v1/accounts", json={"items": [account | {"balances": {"BTC": "1"}}]}).status_code == 200
    moved = api.post("/v1/accounts", json={"items": [account | {"balances": {"BTC": "2.5"}}]})
    assert moved.json()["changed"] == ["A1"]
    assert Registry(store).accounts("C1")[0].balances == {"BTC": 2.5}
    elsewhere = api.post("/v1/accounts", json={"items": [account | {"product": "margin"}]})
    assert elsewhere.status_code == 409
    login = {"customer_id": "C1", "occurred_at": "2026-11-30T10:00:00Z", "ip": "192.0.2.1", "country": "SE"}
    assert api.post("/v1/logins", json={"items": [login]}).json()["accepted"] == [
        "C1@2026-11-30T10:00:00+00:00"
    ]
    assert api.post("/v1/logins", json={"items": [login]}).json()["unchanged"] == [
        "C1@2026-11-30T10:00:00+00:00"
    ]
    moved_login = api.post("/v1/logins", json={"items": [login | {"country": "NO"}]})
    assert moved_login.status_code == 409 and moved_login.json()["errors"][0]["field"] == "country"
    price = {"asset": "BTC", "day": "2026-11-30", "eur": "80000.5"}
    assert api.post("/v1/prices", json={"items": [price]}).json()["accepted"] == ["BTC/2026-11-30"]
    assert api.post("/v1/prices", json={"items": [price | {"eur": "1"}]}).status_code == 409


def test_batch_bodies_are_checked_before_any_record(api: TestClient) -> None:
    assert api.post("/v1/prices", json={"items": []}).status_code == 400
    assert api.post("/v1/prices", json=[{"asset": "BTC"}]).status_code == 400
    assert api.post("/v1/prices", json={"items": [], "more": 1}).status_code == 400
    too_many = {"items": [{"asset": "BTC", "day": "2026-11-30", "eur": "1"}] * 10_001}
    assert api.post("/v1/prices", json=too_many).status_code == 400
    answer = api.post("/v1/prices", content=b"{not json", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    floats = api.post("/v1/prices", content=b'{"items": [{"asset": "BTC", "day": "2026-11-30", "eur": 1.5}]}')
    assert floats.status_code == 200  # a JSON number is read as an exact decimal, as in a JSON Lines file


def test_a_huge_amount_is_refused_as_in_a_file_not_a_crash(
    api: TestClient, store: Store, tmp_path: Path
) -> None:
    """1e308 is a finite JSON number with no integral form in the decimal context: it was a crash in both."""
    body = json.dumps({"items": [_tx("T1")]}).replace('"0.5"', "1e308").encode()
    answer = api.post("/v1/transactions", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert (error["field"], error["detail"]) == ("amount", "1E+308 has more than 20 digits before the point")
    path = tmp_path / "transactions.jsonl"
    path.write_bytes(body[len(b'{"items": [') : -2] + b"\n")
    with pytest.raises(InvalidRow) as refused:
        import_file(store, path)
    assert (refused.value.row, refused.value.field, refused.value.reason) == (1, "amount", error["detail"])


def test_two_calls_racing_with_the_same_records_write_them_once(api: TestClient, store: Store) -> None:
    """Both answer 200; every record is accepted by exactly one of them and unchanged for the other (a
    duplicate key refused by the database, or SQLite's stale snapshot, sends the loser round again)."""
    other = TestClient(create_app(store))
    other.headers["Authorization"] = api.headers["Authorization"]
    # each app answers once before the race: pydantic builds a route's schemas on first use, not thread-safely
    assert other.post("/v1/transactions", json={"items": [_tx("W1")]}).status_code == 200
    assert api.post("/v1/transactions", json={"items": [_tx("W2")]}).status_code == 200
    for round_ in range(4):
        body = {"items": [_tx(f"R{round_}-{i}") for i in range(200)]}
        start = threading.Barrier(2)
        answers: list[Any] = [None, None]

        def post(
            n: int, client: TestClient, body: dict[str, Any] = body, start: Any = start, out: Any = answers
        ) -> None:
            start.wait()
            out[n] = client.post("/v1/transactions", json=body)

        threads = [threading.Thread(target=post, args=(n, c)) for n, c in enumerate((api, other))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [a.status_code for a in answers] == [200, 200], [a.text[:200] for a in answers]
        ids = {t["id"] for t in body["items"]}
        first, second = (set(a.json()["accepted"]) for a in answers)
        assert first | second == ids and not first & second
    assert len(Registry(store).transactions("C1")) == 802


def test_an_idempotency_key_expires_after_24_hours(api: TestClient, store: Store) -> None:
    from datetime import timedelta

    from sqlalchemy import text

    from vaspguard.store import utcnow

    keyed = {"Idempotency-Key": "batch-0002"}
    assert api.post("/v1/transactions", json={"items": [_tx("T1")]}, headers=keyed).status_code == 200
    assert api.post("/v1/transactions", json={"items": [_tx("T2")]}, headers=keyed).status_code == 422
    with store.connect() as conn:  # a day and a second later
        conn.execute(
            text("UPDATE registry_ingest_keys SET expires_at = :t"), {"t": utcnow() - timedelta(seconds=1)}
        )
    reused = api.post("/v1/transactions", json={"items": [_tx("T2")]}, headers=keyed)
    assert reused.status_code == 200 and reused.json()["accepted"] == ["T2"]
    with store.connect() as conn:  # the expired answer was deleted, the new one kept
        assert conn.execute(text("SELECT count(*) FROM registry_ingest_keys")).scalar_one() == 1
