"""The CLI (`policy decide`, `packs`, `evaluate`, `evidence`) and `POST /v1/decisions`, on both backends;
the decision log; policy versions in the audit log."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from vaspguard.api import Role, create_app, create_token
from vaspguard.audit import AuditLog
from vaspguard.policy._log import DecisionLog, input_digest
from vaspguard.policy._service import PolicyService
from vaspguard.policy._tables import PolicyDecisionRow, PolicyVersionRow
from vaspguard.registry import Account, Customer, Name, PersonType, Price, Product, Registry
from vaspguard.store import Store

RU = {"type": "natural", "nationalities": ["RU"], "residence": "RU"}
DE = {"type": "natural", "nationalities": ["DE"], "residence": "DE"}


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # AuditLog.open keeps its key and signed state under VASPGUARD_DATA_DIR: one per test.
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path / "var"))


def _seed(store: Store) -> None:
    reg = Registry(store)
    reg.add_customers(
        [
            Customer("C1", PersonType.NATURAL, (Name("Ivan Petrov"),), ("RU",), "RU"),
            Customer("C2", PersonType.NATURAL, (Name("Anna Schmidt"),), ("DE",), "DE"),
        ]
    )
    reg.add_prices([Price("BTC", date(2022, 1, 1), Decimal("20000"))])
    reg.add_accounts(
        [
            Account(
                "A1", "C1", Product.SPOT, datetime(2022, 1, 1, tzinfo=UTC), balances={"BTC": Decimal("0.5")}
            )
        ]
    )


def _lines(*requests: Any) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in requests) + "\n"


def test_cli_decide_one_line_per_request_same_order(store: Store, cli: Any, tmp_path: Path) -> None:
    _seed(store)
    path = tmp_path / "in.jsonl"
    path.write_text(
        _lines(
            {"customer": RU, "action": "deposit", "at": "2023-01-01", "request_id": "r1"},
            {"customer": DE, "action": "deposit", "at": "2023-01-01"},
            {"customer": RU, "action": "teleport", "at": "2023-01-01", "request_id": "r3"},
            "{not json",
            {"customer": {"id": "C1"}, "action": "spot_trade", "at": "2022-05-01"},  # 0.5 BTC = EUR 10,000
            {"customer": {"id": "C1"}, "action": "deposit", "at": "2022-05-01", "amount_eur": 0.01},
            {"customer": {"id": "nobody"}, "action": "deposit", "at": "2022-05-01"},
            {"customer": RU, "action": "withdrawal", "at": "2025-11-25"},
        )
    )
    code, out, err = cli("--db", store.url, "policy", "decide", "--input", path)
    assert code == 2, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 8
    assert rows[0]["decision"] == "deny" and rows[0]["request_id"] == "r1" and "decision_id" in rows[0]
    assert rows[1]["decision"] == "allow" and "decision_id" not in rows[1]
    assert (
        rows[2]["error"]["field"] == "action"
        and rows[2]["request_id"] == "r3"
        and rows[2]["error"]["line"] == 3
    )
    assert rows[3]["error"]["type"] == "InvalidFile" and rows[3]["error"]["line"] == 4
    assert rows[4]["decision"] == "allow" and rows[4]["customer_id"] == "C1"  # exactly EUR 10,000
    assert rows[5]["decision"] == "deny" and rows[5]["rule_id"] == "EU-833-5B2-2022-576"  # 10,000.01 after
    assert rows[6]["error"]["type"] == "NotFound"
    assert rows[7]["decision"] == "review"
    assert "3 of 8 lines" in err
    policy_version = rows[0]["policy_version"]
    with store.connect() as conn:
        logged = conn.execute(select(PolicyDecisionRow).order_by(PolicyDecisionRow.decided_at)).all()
        versions = conn.execute(select(PolicyVersionRow)).all()
    # only deny and review are logged, each with its digest and version
    assert sorted(r.outcome for r in logged) == ["deny", "deny", "review"]
    assert {r.policy_version for r in logged} == {policy_version}
    first = next(r for r in logged if r.request_id == "r1")
    assert first.decision_id == rows[0]["decision_id"]
    assert first.input_digest == input_digest(
        {"customer": RU, "action": "deposit", "at": "2023-01-01", "request_id": "r1"}
    )
    assert [v.policy_version for v in versions] == [policy_version]
    code, out, err = cli("--db", store.url, "policy", "log", "--outcome", "review")
    assert code == 0, err
    assert [r["outcome"] for r in json.loads(out)] == ["review"]
    assert cli("--db", store.url, "policy", "log", "--outcome", "allow")[0] == 2


def test_cli_decide_all_good_exits_zero_and_no_log(store: Store, cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(_lines({"customer": RU, "action": "deposit", "at": "2023-01-01"}))
    code, out, err = cli("--db", store.url, "policy", "decide", "--input", path, "--no-log")
    assert code == 0, err
    assert json.loads(out)["decision"] == "deny"
    with store.connect() as conn:
        assert conn.execute(select(PolicyDecisionRow)).all() == []


def test_custom_pack_changes_version_and_is_audited(store: Store, cli: Any, tmp_path: Path) -> None:
    pack = tmp_path / "by.yaml"
    pack.write_text(
        """schema: vaspguard.policy/1
pack: house-belarus
title: House rule, Belarus (Reg 2025/392 not verified)
regime: EU
rules:
  - id: HOUSE-BY-REVIEW
    title: Belarusian nationals or residents
    citation:
      act: "Council Regulation (EC) No 765/2006"
      amended_by: "Council Regulation (EU) 2025/392"
      confidence: S
    effective: {from: 2025-02-24}
    actions: all
    when: {any: [{nationality_in: [BY]}, {residence_in: [BY]}]}
    outcome: review
    reason: house rule pending verification of Reg 2025/392
"""
    )
    req = tmp_path / "in.jsonl"
    req.write_text(
        _lines(
            {
                "customer": {"type": "natural", "nationalities": ["BY"]},
                "action": "deposit",
                "at": "2025-03-01",
            }
        )
    )
    code, out, _ = cli("--db", store.url, "policy", "decide", "--input", req)
    assert code == 0 and json.loads(out)["decision"] == "allow"
    base_version = json.loads(out)["policy_version"]
    code, out, err = cli("--db", store.url, "policy", "decide", "--input", req, "--pack", pack)
    assert code == 0, err
    d = json.loads(out)
    assert (d["decision"], d["rule_id"]) == ("review", "HOUSE-BY-REVIEW")
    assert d["policy_version"] != base_version
    log = AuditLog.open(store)
    events = [e for e in log.events(type_prefix="policy.version")]
    assert len(events) == 2  # one per version first used
    code, out, _ = cli("--db", store.url, "policy", "packs", "--pack", pack, "--json")
    assert code == 0
    assert json.loads(out)["policy_version"] == d["policy_version"]


def test_cli_bad_pack_is_one_clear_line(store: Store, cli: Any, tmp_path: Path) -> None:
    pack = tmp_path / "bad.yaml"
    pack.write_text(
        "schema: vaspguard.policy/1\npack: bad\ntitle: t\nregime: x\nrules:\n"
        "  - {id: R1, title: t, citation: {act: a}, actions: [deposit], when: {nationality_in: [UK]},"
        " outcome: deny, reason: r}\n"
    )
    code, _, err = cli("--db", store.url, "policy", "packs", "--pack", pack)
    assert code == 2
    assert err.count("\n") == 1 and "bad.yaml" in err and "UK" in err and "GB" in err


def test_cli_evaluate_and_evidence(store: Store, cli: Any) -> None:
    _seed(store)
    code, out, err = cli("--db", store.url, "policy", "evaluate", "--at", "2023-01-01", "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["states"]["withdraw-only"] == 1 and summary["changed"] == 1
    code, out, err = cli("--db", store.url, "policy", "state", "C1")
    assert json.loads(out)["state"] == "withdraw-only"
    code, out, err = cli(
        "--db", store.url, "policy", "evidence", "add", "--customer", "C1", "--country", "AT",
        "--permit-kind", "permanent", "--valid-from", "2020-01-01", "--document", "AT-123", "--by", "officer",
        "--at", "2023-01-01", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["changes"][0]["new_state"] == "unrestricted"
    code, out, err = cli("--db", store.url, "policy", "notices", "--customer", "C1")
    notices = json.loads(out)
    assert [n["new_state"] for n in notices] == ["unrestricted", "withdraw-only"]
    code, _, err = cli("--db", store.url, "policy", "evaluate", "--at", "2023-13-01")
    assert code == 2 and "--at" in err


def test_api_decisions(store: Store) -> None:
    _seed(store)
    client = TestClient(create_app(store))
    body = {"customer": RU, "action": "deposit", "at": "2023-01-01"}
    assert client.post("/v1/decisions", json=body).status_code == 401
    reader = create_token(store, name="r", role=Role.READER)
    assert (
        client.post("/v1/decisions", json=body, headers={"Authorization": f"Bearer {reader}"}).status_code
        == 403
    )
    headers = {"Authorization": f"Bearer {create_token(store, name='engine', role=Role.SERVICE)}"}
    one = client.post("/v1/decisions", json=body, headers=headers)
    assert one.status_code == 200
    assert one.json()["decision"] == "deny" and one.json()["rule_id"] == "EU-833-5B2-2022-1904"
    # exact decimals: 9999.99 + 0.01 is 10,000, not above it
    raw = (
        '{"customer": {"id": "C1"}, "action": "deposit", "at": "2022-05-01", '
        '"holdings_eur": 9999.99, "amount_eur": 0.01}'
    )
    exact = client.post("/v1/decisions", content=raw, headers={**headers, "Content-Type": "application/json"})
    assert exact.json()["decision"] == "allow"
    bad = client.post("/v1/decisions", json={**body, "at": "01/01/2023"}, headers=headers)
    assert bad.status_code == 400 and "'at'" in bad.json()["detail"]
    batch = client.post(
        "/v1/decisions",
        json={
            "requests": [
                body,
                {**body, "action": "x"},
                {"customer": {"id": "C2"}, "action": "deposit", "at": "2023-01-01"},
            ]
        },
        headers=headers,
    )
    assert batch.status_code == 200
    decisions = batch.json()["decisions"]
    assert [d.get("decision") for d in decisions] == ["deny", None, "allow"]
    assert decisions[1]["error"]["field"] == "action"
    as_array = client.post("/v1/decisions", json=[body, body], headers=headers)
    assert len(as_array.json()["decisions"]) == 2
    too_many = client.post("/v1/decisions", json={"requests": [body] * 10_001}, headers=headers)
    assert too_many.status_code == 400
    app_service = client.app.state.policy_service  # type: ignore[attr-defined]
    app_service.log.flush()
    with store.connect() as conn:
        assert len(conn.execute(select(PolicyDecisionRow)).all()) == 4  # deny x1 + batch deny + array deny x2
    assert client.get("/v1/policy", headers=headers).json()["policy_version"].startswith("sha256:")


def test_decision_log_surfaces_write_failures(store: Store) -> None:
    service = PolicyService(store, log_decisions=False, audit=lambda s: None)
    decision = service.decide({"customer": RU, "action": "deposit", "at": "2023-01-01"})
    log = DecisionLog(store, batch_size=2, flush_seconds=0.01)
    log.record({"x": 1}, decision)
    log.flush()
    store.dispose()
    with store.connect() as conn:
        conn.exec_driver_sql("DROP TABLE policy_decisions")
    log.record({"x": 2}, decision)
    from vaspguard.errors import StoreError

    with pytest.raises(StoreError):
        log.close()


def test_screening_results_feed_decisions_and_evaluation(
    store: Store, cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listed customers and listed addresses come from screening (its contract functions, stubbed here so
    this test does not depend on importing and matching lists)."""
    import vaspguard.policy._sources as sources
    import vaspguard.screening as screening

    _seed(store)

    class Book:
        def lookup(self, address: str, chain: str | None = None, *, strict: bool = True) -> list[str]:
            return ["hit"] if address == "0x" + "ab" * 20 else []

    book = type("AB", (), {"from_store": staticmethod(lambda s: Book())})
    for module in (screening, sources):  # where evaluation and the decision source look them up
        monkeypatch.setattr(module, "listed_customer_ids", lambda s: {"C2"})
        monkeypatch.setattr(module, "AddressBook", book)
    path = tmp_path / "in.jsonl"
    path.write_text(
        _lines(
            {"customer": {"id": "C2"}, "action": "withdrawal", "at": "2024-01-01"},
            {
                "customer": DE,
                "action": "withdrawal",
                "at": "2024-01-01",
                "counterparty": {"chain": "ethereum", "address": "0x" + "ab" * 20},
            },
            {
                "customer": DE,
                "action": "withdrawal",
                "at": "2024-01-01",
                "counterparty": {"chain": "ethereum", "address": "0x" + "cd" * 20},
            },
        )
    )
    code, out, err = cli("--db", store.url, "policy", "decide", "--input", path)
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["decision"], r["rule_id"], r["report"]) for r in rows] == [
        ("deny", "LISTED-PERSON-FREEZE", True),
        ("deny", "LISTED-ADDRESS", True),
        ("allow", None, False),
    ]
    code, out, err = cli("--db", store.url, "policy", "evaluate", "--at", "2024-01-01", "--json")
    assert code == 0, err
    assert json.loads(out)["states"]["frozen"] == 1
    code, out, _ = cli("--db", store.url, "policy", "state", "C2")
    assert json.loads(out)["state"] == "frozen"
    code, out, _ = cli("--db", store.url, "policy", "notices", "--customer", "C2")
    (notice,) = json.loads(out)
    assert notice["legal_basis"]["rule_id"] == "LISTED-PERSON-FREEZE"
    assert notice["can_still_do"] == [] and "withdrawal" in notice["not_available"]
    assert "false match" in notice["how_to_prove_exemption"]


def test_api_shutdown_flushes_the_decision_log(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import functools

    import vaspguard.policy._service as service_module

    # A writer that would wait a minute: only the shutdown hook can have written the row in time.
    slow = functools.partial(DecisionLog, batch_size=10_000, flush_seconds=60)
    monkeypatch.setattr(service_module, "DecisionLog", slow)
    headers = {"Authorization": f"Bearer {create_token(store, name='engine', role=Role.SERVICE)}"}
    with TestClient(create_app(store)) as client:
        body = {"customer": RU, "action": "custody", "at": "2023-01-01"}
        assert client.post("/v1/decisions", json=body, headers=headers).json()["decision"] == "deny"
    with store.connect() as conn:
        assert [r.outcome for r in conn.execute(select(PolicyDecisionRow))] == ["deny"]


def test_decide_survives_an_audit_log_that_refuses(store: Store, cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(_lines({"customer": RU, "action": "deposit", "at": "2023-01-01"}))
    other = f"sqlite:///{tmp_path}/other.db"
    assert cli("--db", other, "policy", "decide", "--input", path)[0] == 0
    # same signing state, another database: the audit log refuses to sign; decisions still come, loudly
    code, out, err = cli("--db", store.url, "policy", "decide", "--input", path)
    assert code == 0
    assert json.loads(out)["decision"] == "deny"
    assert "warning: policy version not recorded in the audit log" in err
    with store.connect() as conn:
        assert conn.execute(select(PolicyVersionRow)).all() == []


def test_api_custom_packs_from_the_environment(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pack = tmp_path / "house.yaml"
    pack.write_text(
        "schema: vaspguard.policy/1\npack: house\ntitle: t\nregime: house\nrules:\n"
        "  - {id: HOUSE-AF, title: t, citation: {act: House policy}, actions: all,"
        " when: {residence_in: [AF]}, outcome: review, reason: high-risk residence}\n"
    )
    monkeypatch.setenv("VASPGUARD_POLICY_PACKS", str(pack))
    headers = {"Authorization": f"Bearer {create_token(store, name='engine', role=Role.SERVICE)}"}
    client = TestClient(create_app(store))
    body = {"customer": {"type": "natural", "residence": "AF"}, "action": "deposit", "at": "2024-01-01"}
    d = client.post("/v1/decisions", json=body, headers=headers).json()
    assert (d["decision"], d["rule_id"]) == ("review", "HOUSE-AF")
    assert "house" in [p["id"] for p in client.get("/v1/policy", headers=headers).json()["packs"]]


def test_api_token_check_is_remembered_only_briefly(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    import vaspguard.api.routers.policy as routes
    from vaspguard.api import revoke_token

    client = TestClient(create_app(store))
    token = create_token(store, name="engine", role=Role.SERVICE)
    headers = {"Authorization": f"Bearer {token}"}
    body = {"customer": DE, "action": "deposit", "at": "2024-01-01"}
    assert client.post("/v1/decisions", json=body, headers=headers).status_code == 200
    revoke_token(store, 1)
    monkeypatch.setattr(routes, "TOKEN_TTL", 0.0)  # the remembered check has expired
    assert client.post("/v1/decisions", json=body, headers=headers).status_code == 401
    auditor = create_token(store, name="a", role=Role.AUDITOR)
    for _ in range(2):  # refused whether checked in the database or remembered
        monkeypatch.setattr(routes, "TOKEN_TTL", 60.0)
        r = client.post("/v1/decisions", json=body, headers={"Authorization": f"Bearer {auditor}"})
        assert r.status_code == 403
    assert (
        client.post("/v1/decisions", json=body, headers={"Authorization": "Bearer vg_forged"}).status_code
        == 401
    )


def test_cli_subset_of_builtin_packs(store: Store, cli: Any, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(_lines({"customer": RU, "action": "deposit", "at": "2023-01-01"}))
    code, out, err = cli(
        "--db",
        store.url,
        "policy",
        "decide",
        "--input",
        path,
        "--builtin",
        "listed-persons,ofac-jurisdictions",
    )
    assert code == 0, err
    assert json.loads(out)["decision"] == "allow"  # no EU nexus: Art 5b is not applied
    code, _, err = cli("--db", store.url, "policy", "packs", "--builtin", "eu-833")
    assert code == 2 and "built-in" in err


def test_registry_login_country_on_or_before_the_date(store: Store) -> None:
    from vaspguard.registry import Login

    _seed(store)
    Registry(store).add_logins(
        [
            Login("C2", datetime(2024, 1, 1, 23, 59, tzinfo=UTC), "203.0.113.7", "IR"),
            Login("C2", datetime(2024, 1, 2, 9, 0, tzinfo=UTC), "198.51.100.1", "DE"),
        ]
    )
    service = PolicyService(store, log_decisions=False, audit=lambda s: None)
    on = service.decide({"customer": {"id": "C2"}, "action": "spot_trade", "at": "2024-01-01"})
    assert (on.decision.value, on.rule_id) == ("deny", "OFAC-IRAN")
    after = service.decide({"customer": {"id": "C2"}, "action": "spot_trade", "at": "2024-01-02"})
    assert after.decision.value == "allow"
    given = service.decide(
        {"customer": {"id": "C2"}, "action": "spot_trade", "at": "2024-01-01", "login_country": "DE"}
    )
    assert given.decision.value == "allow"  # the request's own login location wins


def test_api_decisions_raw_body_and_auth_header(store: Store) -> None:
    """The decision route parses its own body and Authorization header: each bad form is refused clearly."""
    client = TestClient(create_app(store))
    token = create_token(store, name="engine", role=Role.SERVICE)
    body = {"customer": DE, "action": "deposit", "at": "2024-01-01"}
    assert (
        client.post("/v1/decisions", json=body, headers={"Authorization": f"bearer {token}"}).status_code
        == 200
    )
    for header in (f"Basic {token}", "Bearer", "Bearer ", token):
        r = client.post("/v1/decisions", json=body, headers={"Authorization": header})
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    truncated = client.post("/v1/decisions", content=b'{"customer": {', headers=headers)
    assert truncated.status_code == 400 and "(body)" in truncated.json()["detail"]
    assert client.post("/v1/decisions", content=b'"deposit"', headers=headers).status_code == 400
    # a JSON number is read as an exact decimal, also inside a batch
    raw = (
        b'{"requests": [{"customer": {"type": "natural", "nationalities": ["RU"], "residence": "RU"}, '
        b'"action": "deposit", "at": "2022-05-01", "holdings_eur": 9999.99, "amount_eur": 0.01}, '
        b'{"customer": {"type": "natural", "nationalities": ["RU"], "residence": "RU"}, '
        b'"action": "deposit", "at": "2022-05-01", "holdings_eur": 9999.99, "amount_eur": 0.02}]}'
    )
    got = client.post("/v1/decisions", content=raw, headers=headers).json()["decisions"]
    assert [d["decision"] for d in got] == ["allow", "deny"]


def test_policy_version_recorded_meanwhile_by_another_worker(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two server workers put the same version in force at once: the second's insert finds the row there and
    is not an error (both audit events stand)."""
    import sqlalchemy

    import vaspguard.policy._service as service_module

    events: list[Any] = []

    class Audit:
        def append(self, event: Any) -> None:
            events.append(event)

    first = PolicyService(store, log_decisions=False, audit=lambda s: Audit())
    second = PolicyService(store, log_decisions=False, audit=lambda s: Audit())
    assert first.register_version() is True
    real_select = sqlalchemy.select
    # the second worker checked before the first one's row was committed: its check saw nothing
    monkeypatch.setattr(service_module, "select", lambda *c: real_select(*c).where(sqlalchemy.false()))
    assert second.register_version() is True
    with store.connect() as conn:
        assert (
            conn.execute(sqlalchemy.select(sqlalchemy.func.count()).select_from(PolicyVersionRow)).scalar()
            == 1
        )
    assert [e.type for e in events] == ["policy.version", "policy.version"]
