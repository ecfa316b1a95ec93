"""HTTP: POST /v1/screen (one and many), POST /v1/screen/address, alerts and decisions, with roles."""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient

from vaspguard.api import Role, create_app, create_token
from vaspguard.audit import AuditLog
from vaspguard.lists import CryptoAddress, EntityKind, ListEntity, ListName, Source
from vaspguard.registry import Customer, Name, PersonType, Registry
from vaspguard.screening import AddressBook, Screener, screen_customers
from vaspguard.store import Store

ENTITIES = [
    ListEntity(
        source=Source.OFAC_SDN,
        source_id="48603",
        kind=EntityKind.PERSON,
        names=(ListName("KHOROSHEV, Dmitry Yuryevich"),),
        nationalities=("RU",),
        crypto_addresses=(CryptoAddress("bc1qvhnfknw852ephxyc5hm4q520zmvf9maphetc9z", "XBT", "bitcoin"),),
    )
]


def client_for(store: Store, role: Role) -> tuple[TestClient, dict[str, str]]:
    app = create_app(store)
    app.state.screener = Screener.from_entities(ENTITIES)
    app.state.audit = AuditLog(store, signer=Ed25519PrivateKey.generate())
    token = create_token(store, name=f"{role.value}-desk", role=role)
    return TestClient(app), {"Authorization": f"Bearer {token}"}


def test_screen_one_and_many(store: Store) -> None:
    client, headers = client_for(store, Role.SERVICE)
    one = client.post("/v1/screen", json={"name": "Дмитрий Хорошев", "nationality": "RU"}, headers=headers)
    assert one.status_code == 200, one.text
    body = one.json()
    assert body["alert"] is True
    assert body["matches"][0]["entity_key"] == "ofac_sdn:48603"
    assert body["matches"][0]["breakdown"]["factors"][0]["name"] == "nationality_match"
    many = client.post(
        "/v1/screen",
        json={"queries": [{"id": "a", "name": "Dmitry Khoroshev"}, {"id": "b", "name": "Jane Austen"}]},
        headers=headers,
    ).json()
    assert [(r["id"], r["alert"]) for r in many["results"]] == [("a", True), ("b", False)]
    bad = client.post("/v1/screen", json={"name": "X", "dob": "1.1.1990"}, headers=headers)
    assert bad.status_code == 400 and "dob" in bad.json()["detail"]
    assert client.post("/v1/screen", json={"name": "X"}).status_code == 401


def test_screen_threshold_and_profile(store: Store) -> None:
    """The API takes the CLI's threshold and profiles: the same score alerts or not by the line asked for;
    a threshold out of (0, 1], an unknown profile, or both at once are refused."""
    client, headers = client_for(store, Role.SERVICE)
    score = client.post("/v1/screen", json={"name": "Dmitri Khoroshev"}, headers=headers).json()["matches"][0]
    above = client.post(
        "/v1/screen", json={"name": "Dmitri Khoroshev", "threshold": score["score"]}, headers=headers
    ).json()
    below = client.post(
        "/v1/screen",
        json={"name": "Dmitri Khoroshev", "threshold": min(1.0, score["score"] + 0.01)},
        headers=headers,
    ).json()
    assert above["alert"] is True and below["alert"] is False
    strict = client.post(
        "/v1/screen", json={"name": "Dmitri Khoroshev", "profile": "strict"}, headers=headers
    )
    assert strict.json()["alert"] is (score["score"] >= 0.84)
    for bad in (
        {"threshold": 0},
        {"threshold": 1.5},
        {"profile": "lenient"},
        {"threshold": 0.9, "profile": "broad"},
    ):
        answer = client.post("/v1/screen", json={"name": "X", **bad}, headers=headers)
        assert answer.status_code in (400, 422), (bad, answer.text)


def test_screen_address(store: Store) -> None:
    client, headers = client_for(store, Role.COMPLIANCE)
    r = client.post(
        "/v1/screen/address", json={"address": "BC1QVHNFKNW852EPHXYC5HM4Q520ZMVF9MAPHETC9Z"}, headers=headers
    ).json()
    assert r["listed"] is True and r["hits"][0]["currency"] == "XBT"
    bad = client.post(
        "/v1/screen/address", json={"address": "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"}, headers=headers
    )
    assert bad.status_code == 400 and "EIP-55" in bad.json()["detail"]


def test_alerts_and_decision_roles(store: Store) -> None:
    Registry(store).add_customers([Customer("C1", PersonType.NATURAL, (Name("Dmitry Khoroshev"),), ("RU",))])
    screen_customers(store, Screener.from_entities(ENTITIES), AddressBook.from_entities(ENTITIES))
    service, service_h = client_for(store, Role.SERVICE)
    assert service.get("/v1/screen/alerts", headers=service_h).status_code == 403
    client, headers = client_for(store, Role.COMPLIANCE)
    (alert,) = client.get("/v1/screen/alerts?status=open", headers=headers).json()["items"]
    url = f"/v1/screen/alerts/{alert['id']}/decision"
    assert (
        service.post(url, json={"decision": "true_match", "reason": "x"}, headers=service_h).status_code
        == 403
    )
    done = client.post(url, json={"decision": "true_match", "reason": "passport"}, headers=headers)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "true_match"
    again = client.post(url, json={"decision": "false_positive", "reason": "oops"}, headers=headers)
    assert again.status_code == 403
    detail = client.get(f"/v1/screen/alerts/{alert['id']}", headers=headers).json()
    assert [d["actor"] for d in detail["dispositions"]] == ["compliance-desk"]
