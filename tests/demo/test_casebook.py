"""The demo's lawful requests (``vaspguard demo requests``, run by ``make run``): each open case of a legal
desk is there as the store tells it, the settled year gives the transparency report a trend by quarter, a
second run changes nothing, the audit log verifies, and the command refuses (one line, nothing filed) when
the demo exchange, its operators or their keys are missing or wrong."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from vaspguard.audit import AuditLog
from vaspguard.demo import operator_key
from vaspguard.requests import InstrumentType, LawfulRequests, RequestState, Tier, write_private_key
from vaspguard.store import Store

CliRunner = Callable[..., tuple[int, str, str]]


def _seed(cli: CliRunner, store: Store, *, seed: str = "1") -> None:
    code, _, err = cli(
        "--db", store.url, "demo", "seed", "--customers", "80", "--seed", seed, "--workers", "1"
    )
    assert code == 0, err


def _requests(cli: CliRunner, store: Store, *extra: str) -> tuple[int, str, str]:
    return cli("--db", store.url, "demo", "requests", *extra)


@pytest.fixture
def seeded(store: Store, cli: CliRunner) -> dict[str, list[str]]:
    _seed(cli, store)
    code, out, err = _requests(cli, store, "--if-empty", "--json")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def _codes(shown: dict[str, Any]) -> set[str]:
    return {r["code"] for r in shown["assessment"]["reasons"]}


def test_each_open_case_is_in_the_store(store: Store, seeded: dict[str, list[str]]) -> None:
    lawful = LawfulRequests(store)
    today = datetime.now(UTC).date()
    show = {case: lawful.show(ids[0]) for case, ids in seeded.items() if case != "history"}

    court = show["court_order"]
    assert court["state"] == RequestState.DISCLOSED and court["disclosures"]
    assert court["request"]["instrument"]["type"] == InstrumentType.COURT_ORDER
    standing = [a for a in court["approvals"] if a["decision"] == "approve" and not a["void"]]
    assert court["quorum"]["met"] and len(standing) >= 2  # a quorum of two: legal, then privacy
    assert any(n["status"] == "due" for n in court["notices"])

    blocked = show["blocked"]  # the 2021 scenario: in person, informal, a security service behind the agency
    assert blocked["tier"] == Tier.BLOCKED and blocked["state"] == RequestState.ASSESSED
    assert blocked["request"]["channel"] == "in_person"
    assert blocked["request"]["instrument"]["type"] == InstrumentType.INFORMAL_REQUEST
    assert {"PROTECTED_TARGET", "DRAGNET", "REQUESTER_SECURITY_SERVICE", "POLITICAL_OFFENCE"} <= _codes(
        blocked
    )
    agency = lawful.get_agency(blocked["request"]["agency_id"])
    assert agency.parent_id and lawful.get_agency(agency.parent_id).agency_class.value == "security_service"

    narrowed = show["narrowed"]
    assert narrowed["scope_version"] == 2 and narrowed["state"] == RequestState.DISCLOSED
    assert len(narrowed["scope"]["data_categories"]) < len(narrowed["request"]["data_categories"])
    assert any(a["void"] for a in narrowed["approvals"])  # the approval before the narrowing
    assert "narrow" in [e["kind"] for e in narrowed["timeline"]]

    pending = show["pending"]
    assert pending["state"] == RequestState.ASSESSED and not pending["quorum"]["met"]
    assert pending["quorum"]["counted"] and pending["quorum"]["missing"]
    assert "demo-legal" not in {
        a["operator"] for a in pending["approvals"]
    }  # the desk's legal user may approve

    emergency = next(
        e for e in lawful.deadlines()["emergencies"] if e["request_id"] == seeded["emergency"][0]
    )
    assert emergency["status"] == "pending" and emergency["due"] > today

    preservation = show["preservation"]
    assert preservation["state"] == RequestState.PRESERVED and preservation["preserve_until"] > today

    gag = next(g for g in lawful.gag_ledger() if g["request_id"] == seeded["gag"][0])
    assert gag["in_force"] and gag["until"] > today and gag["notices_held"] >= 1
    assert {(n["status"], n["due_on"]) for n in show["gag"]["notices"]} == {("held", gag["until"])}


def test_the_settled_year_shows_a_trend_and_every_outcome(store: Store, seeded: dict[str, list[str]]) -> None:
    lawful = LawfulRequests(store)
    today = datetime.now(UTC).date()
    report = lawful.report(today - timedelta(days=400), today)
    quarters = [q["received"] for q in report["by_quarter"].values() if q["received"]]
    assert len(quarters) >= 4 and quarters[-1] > quarters[0]
    assert report["requests"] == sum(len(ids) for ids in seeded.values())
    for outcome in (
        "disclosed",
        "preserved",
        "rejected",
        "rejected_human_rights",
        "blocked_pending_rejection",
    ):
        assert report["outcomes"][outcome] >= 1, outcome
    states = {r["id"]: r["state"] for r in lawful.list()}
    assert all(states[rid] in ("disclosed", "rejected") for rid in seeded["history"])


def test_a_second_run_changes_nothing_and_the_log_verifies(
    store: Store, cli: CliRunner, seeded: dict[str, list[str]], tmp_path: Path, _data_dir: Path
) -> None:
    size = AuditLog.open(store).size
    code, out, _ = _requests(cli, store, "--if-empty")
    assert code == 0 and "not seeding" in out
    assert AuditLog.open(store).size == size
    assert len(LawfulRequests(store).list()) == sum(len(ids) for ids in seeded.values())

    code, _, err = _requests(cli, store)  # without --if-empty: refused, nothing filed twice
    assert code == 2 and err.count("\n") == 1 and "filed already" in err
    assert AuditLog.open(store).size == size

    code, _, err = cli("--db", store.url, "audit", "export", tmp_path / "bundle")
    assert code == 0, err
    code, out, err = cli("audit", "verify", tmp_path / "bundle", "--key", _data_dir / "audit" / "log.pub")
    assert code == 0 and out.startswith("ok:"), err


def test_refused_without_the_demo_exchange(store: Store, cli: CliRunner) -> None:
    code, _, err = _requests(cli, store)
    assert code == 2 and err.count("\n") == 1 and "demo seed" in err
    assert LawfulRequests(store).list() == []


def test_refused_with_a_wrong_or_missing_key(store: Store, cli: CliRunner, _data_dir: Path) -> None:
    _seed(cli, store)
    size = AuditLog.open(store).size
    key = _data_dir / "demo-operators" / "demo-privacy.pem"
    key.unlink()
    code, _, err = _requests(cli, store)
    assert code == 2 and err.count("\n") == 1 and "demo-privacy.pem" in err

    write_private_key(operator_key(2, "demo-privacy"), key)  # another seed's key
    code, _, err = _requests(cli, store)
    assert code == 2 and err.count("\n") == 1 and "demo-privacy" in err and "registered" in err
    assert LawfulRequests(store).list() == [] and AuditLog.open(store).size == size


def test_refused_over_an_earlier_demos_packages(store: Store, cli: CliRunner, _data_dir: Path) -> None:
    _seed(cli, store)
    size = AuditLog.open(store).size
    left = _data_dir / "demo-disclosures" / "LR-2026-000001"
    left.mkdir(parents=True)
    code, _, err = _requests(cli, store)
    assert code == 2 and err.count("\n") == 1 and "earlier demo" in err
    assert LawfulRequests(store).list() == [] and AuditLog.open(store).size == size
