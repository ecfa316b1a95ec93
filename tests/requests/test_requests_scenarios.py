"""The issue's "Must show" scenarios, end to end through the CLI, on both backends."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from lr_helpers import FOUNDATION, FOUNDATION_DONORS, TODAY, Ops, at, court_order, iso

from vaspguard.store import Store


def _new(cli: Any, db: str, path: Path, operator: str) -> dict[str, Any]:
    key = path.parent / "keys" / f"{operator}.pem"
    code, out, err = cli(
        "--db", db, "requests", "new", "--file", path, "--as", operator, "--key", key, "--json"
    )
    assert code == 0, err
    result: dict[str, Any] = json.loads(out)
    return result


def _audit_events(cli: Any, db: str, subject: str) -> list[dict[str, Any]]:
    code, out, err = cli("--db", db, "audit", "events", "--subject", subject, "--json", "--limit", "1000")
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def test_the_2021_scenario(
    registries: Ops, exchange: Store, cli: Any, write: Callable[..., Path], tmp_path: Path, data_dir: Path
) -> None:
    db = exchange.url
    ops = registries
    request = {
        "received_at": at(TODAY - timedelta(days=3)).isoformat(),
        "channel": "in_person",
        "agency": "RU-ROSFIN",
        "officer": "Deputy head, Rosfinmonitoring (meeting in Moscow)",
        "instrument": {"type": "informal_request"},
        "targets": [{"type": "counterparty_address", "value": FOUNDATION, "chain": "bitcoin"}],
        "data_categories": ["subscriber_info"],
        "offence": {"description": "financing of an extremist organisation", "statute": "RU:282.3"},
    }
    # The regional lead, who was handed the request at the meeting, files it.
    result = _new(cli, db, write("rosfin.json", request), "lead-cis")
    rid = result["request_id"]
    _assert_blocked_with_every_reason(result)
    _every_release_is_refused(cli, db, ops, rid, tmp_path)
    _every_attempt_is_on_record(cli, db, rid, tmp_path, data_dir)
    # Rejection, with a request to come back through lawful process, is what remains possible.
    code, _out, err = cli(
        "--db",
        db,
        "requests",
        "reject",
        rid,
        "--as",
        "legal1",
        "--key",
        ops.key("legal1"),
        "--reason",
        "informal request for a protected party's donors; no lawful process",
        "--return-to-process",
    )
    assert code == 0, err


def _assert_blocked_with_every_reason(result: dict[str, Any]) -> None:
    codes = {r["code"] for r in result["reasons"]}
    assert result["tier"] == "blocked"
    assert {
        "OUT_OF_BAND_CHANNEL",
        "INSTRUMENT_INSUFFICIENT",
        "REQUESTER_SECURITY_SERVICE",
        "DRAGNET",
        "PROTECTED_TARGET",
        "JURISDICTION_RISK",
        "FOREIGN_WITHOUT_MLAT",
        "POLITICAL_OFFENCE",
    } <= codes
    assert result["required_approvals"] == []
    assert result["reach"]["customers"] == len(FOUNDATION_DONORS)
    dragnet = next(r for r in result["reasons"] if r["code"] == "DRAGNET")
    assert f"would reach {len(FOUNDATION_DONORS)} customers" in dragnet["detail"]
    security = next(r for r in result["reasons"] if r["code"] == "REQUESTER_SECURITY_SERVICE")
    assert "RU-FSB" in security["detail"]
    assert result["policy_version"].startswith("sha256:")


def _every_release_is_refused(cli: Any, db: str, ops: Ops, rid: str, tmp_path: Path) -> None:
    """The regional lead's approval is refused; so is legal's, a narrowing, and disclosure."""
    code, _out, err = cli(
        "--db", db, "requests", "approve", rid, "--as", "lead-cis", "--key", ops.key("lead-cis")
    )
    assert code == 6 and "blocked" in err and err.count("\n") == 1
    code, _out, err = cli(
        "--db", db, "requests", "approve", rid, "--as", "legal1", "--key", ops.key("legal1")
    )
    assert code == 6 and "blocked" in err
    code, _out, err = cli(
        "--db",
        db,
        "requests",
        "narrow",
        rid,
        "--as",
        "legal1",
        "--key",
        ops.key("legal1"),
        "--from",
        iso(TODAY),
    )
    assert code == 6 and "blocked" in err
    out_dir = tmp_path / "leak"
    code, _out, err = cli("--db", db, "requests", "disclose", rid, "--output", out_dir, "--as", "lead-cis")
    assert code == 6 and "nothing can be disclosed" in err
    assert not out_dir.exists()


def _every_attempt_is_on_record(cli: Any, db: str, rid: str, tmp_path: Path, data_dir: Path) -> None:
    """Every attempt is in the audit log (and in a verified export of it), the request is on central legal's
    attention list, and it shows no approval and nothing disclosed."""
    events = _audit_events(cli, db, f"request:{rid}")
    types = [e["type"] for e in events]
    assert types[:2] == ["requests.intake", "requests.assess"]
    assert types.count("requests.approve.refused") == 2
    assert "requests.narrow.refused" in types and "requests.disclose.refused" in types
    refused_actors = {e["actor"] for e in events if e["type"] == "requests.approve.refused"}
    assert refused_actors == {"lead-cis", "legal1"}
    code, out, err = cli("--db", db, "requests", "list", "--attention", "--json")
    attention = {r["id"]: r["attention"] for r in json.loads(out)}
    assert rid in attention
    assert any(item.startswith("BLOCKED") for item in attention[rid])
    assert any("REFUSED_ATTEMPTS: 4" in item and "lead-cis" in item for item in attention[rid])

    # An export of the audit log verifies, and holds these events.
    bundle = tmp_path / "bundle"
    code, out, err = cli("--db", db, "audit", "export", bundle)
    assert code == 0, err
    code, out, err = cli("--db", db, "audit", "verify", bundle, "--key", data_dir / "audit" / "log.pub")
    assert code == 0, out + err
    exported = [json.loads(line) for line in (bundle / "entries.jsonl").read_text().splitlines()]
    about = [(e["type"], e["actor"]) for e in exported if f"request:{rid}" in e["subjects"]]
    assert ("requests.approve.refused", "lead-cis") in about
    assert ("requests.disclose.refused", "lead-cis") in about
    # The state shows no approval and nothing disclosed.
    code, out, err = cli("--db", db, "requests", "show", rid, "--json")
    shown = json.loads(out)
    assert shown["state"] == "assessed" and shown["approvals"] == [] and shown["disclosures"] == []
    assert [e["kind"] for e in shown["timeline"]][-4:] == [
        "approve.refused",
        "approve.refused",
        "narrow.refused",
        "disclose.refused",
    ]


def test_lawful_court_order(
    registries: Ops, exchange: Store, cli: Any, write: Callable[..., Path], tmp_path: Path
) -> None:
    db = exchange.url
    ops = registries
    result = _new(cli, db, write("order.json", court_order()), "intake1")
    rid = result["request_id"]
    assert result["tier"] == "low", result["reasons"]
    assert result["reasons"] == []
    assert result["required_approvals"] == ["legal"]
    assert result["reach"] == {"customers": 1, "accounts": 1, "account_id:A-D1": 1}

    code, out, err = cli("--db", db, "requests", "approve", rid, "--as", "legal1", "--key", ops.key("legal1"))
    assert code == 0, err
    assert "quorum reached: legal1" in out and "state approved" in out
    pkg = tmp_path / "package"
    code, out, err = cli("--db", db, "requests", "disclose", rid, "--output", pkg, "--as", "legal1")
    assert code == 0, err
    records, manifest = _package_holds_the_scope_only(pkg)
    code, out, err = cli(
        "--db",
        db,
        "requests",
        "verify-package",
        pkg,
        "--public-key",
        tmp_path / "var" / "requests" / "exchange.pub",
    )
    assert code == 0, err
    _notice_is_held_then_sent(cli, db, rid, tmp_path)
    _disclosure_is_on_record(cli, db, rid, records, manifest)


def _package_holds_the_scope_only(pkg: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Only the scope: account A-D1's transactions within the date range; not the funding account, not
    outside; the other customer of an internal transfer pseudonymised."""
    records: list[dict[str, Any]] = json.loads((pkg / "transaction_history.json").read_text())
    start, end = TODAY - timedelta(days=200), TODAY - timedelta(days=18)
    assert records, "the package is empty"
    assert {r["account_id"] for r in records} == {"A-D1"}
    assert all(start.isoformat() <= r["occurred_at"][:10] <= end.isoformat() for r in records)
    expected = [n for n in range(12) if start <= TODAY - timedelta(days=20 + n * 20) <= end]
    assert sorted(r["id"] for r in records if r["id"].startswith("T-D1-") and r["id"] != "T-D1-D2") == sorted(
        f"T-D1-{n}" for n in expected
    )
    assert sorted(p.name for p in pkg.iterdir()) == [
        "files.sha256",
        "manifest.json",
        "manifest.sig",
        "transaction_history.csv",
        "transaction_history.json",
    ]
    # The other customer in the internal transfer is pseudonymised.
    transfer = next(r for r in records if r["id"] == "T-D1-D2")
    assert transfer["counterparty_customer_id"].startswith("pseudonym:")
    rows = list(csv.DictReader(io.StringIO((pkg / "transaction_history.csv").read_text())))
    assert len(rows) == len(records)
    assert all(v != "D2" for r in [*records, *rows] for v in r.values())
    manifest = json.loads((pkg / "manifest.json").read_text())
    assert manifest["approvals"][0]["operator"] == "legal1"
    assert manifest["scope"]["targets"] == [{"type": "account_id", "value": "A-D1", "chain": None}]
    return records, manifest


def _notice_is_held_then_sent(cli: Any, db: str, rid: str, tmp_path: Path) -> None:
    """The customer's notice is held while the order runs, due by itself the day it ends, then sent."""
    ends = TODAY + timedelta(days=120)
    code, out, err = cli(
        "--db", db, "requests", "notices", "--due", "--on", iso(ends - timedelta(days=1)), "--json"
    )
    assert json.loads(out) == []
    code, out, err = cli("--db", db, "requests", "notices", "--due", "--on", iso(ends), "--json")
    due = json.loads(out)
    assert [(n["customer_id"], n["request_id"], n["status"]) for n in due] == [("D1", rid, "due")]
    assert due[0]["content"]["instrument_type"] == "court_order"
    assert due[0]["content"]["categories"] == ["transaction_history"]
    code, out, err = cli("--db", db, "requests", "list", "--attention", "--on", iso(ends), "--json")
    assert any("NOTICES_DUE: 1" in i for r in json.loads(out) for i in r["attention"] if r["id"] == rid)
    outbox = tmp_path / "outbox"
    code, out, err = cli(
        "--db", db, "requests", "notices", "--send-to", outbox, "--on", iso(ends), "--as", "legal1"
    )
    assert code == 0, err
    sent = json.loads(next(outbox.iterdir()).read_text())
    assert sent["to_customer"] == "D1" and sent["agency"] == "Amtsgericht Tiergarten"
    code, out, err = cli("--db", db, "requests", "notices", "--due", "--on", iso(ends), "--json")
    assert json.loads(out) == []


def _disclosure_is_on_record(
    cli: Any, db: str, rid: str, records: list[dict[str, Any]], manifest: dict[str, Any]
) -> None:
    """What left is in the audit log, and on the request's timeline with an audit index at every step."""
    events = _audit_events(cli, db, f"request:{rid}")
    disclosed = next(e for e in events if e["type"] == "requests.disclose")
    assert disclosed["payload"]["record_counts"] == {"transaction_history": len(records)}
    assert disclosed["payload"]["merkle_root"] == manifest["merkle_root"]
    assert disclosed["payload"]["notices"] == {"held": 1, "pending": 0}
    code, out, err = cli("--db", db, "requests", "show", rid, "--json")
    assert code == 0, err
    shown = json.loads(out)
    assert shown["state"] == "disclosed"
    assert [e["kind"] for e in shown["timeline"]] == [
        "intake",
        "assess",
        "approve",
        "quorum",
        "disclose",
        "notice.sent",
    ]
    assert all(e["audit_index"] is not None for e in shown["timeline"])


@pytest.mark.slow
def test_emergency_request(
    registries: Ops, exchange: Store, cli: Any, write: Callable[..., Path], tmp_path: Path
) -> None:
    db = exchange.url
    ops = registries
    request = {
        "received_at": at(TODAY).isoformat(),
        "channel": "email",
        "agency": "DE-LKA-BERLIN",
        "officer": "KHK S. Braun",
        "instrument": {
            "type": "emergency_disclosure_request",
            "reference": "LKA 13-2026-0077",
            "issued_by": "Landeskriminalamt Berlin",
            "issued_at": iso(TODAY),
            "legal_basis": "§ 34 StGB (necessity); § 100j StPO to follow",
            "document_sha256": "cd" * 32,
        },
        "emergency": {
            "nature": "danger_to_life",
            "persons_at_risk": "the account holder, reported missing with a suicide note",
            "why_normal_process_insufficient": "a court order takes days; the last login locates the person",
        },
        "callback": {
            "number": "+4930466400",
            "by": "intake1",
            "at": at(TODAY, 13).isoformat(),
            "outcome": "confirmed",
        },
        "targets": [{"type": "email", "value": "lena@example.de"}],
        "data_categories": ["subscriber_info", "ip_logs"],
        "date_range": {"from": iso(TODAY - timedelta(days=7)), "to": iso(TODAY)},
    }
    result = _new(cli, db, write("edr.json", request), "intake1")
    rid = result["request_id"]
    assert result["reasons"] == []
    assert result["tier"] == "medium"
    assert result["required_approvals"] == ["legal", "privacy|security"]
    cli("--db", db, "requests", "approve", rid, "--as", "legal1", "--key", ops.key("legal1"))
    code, out, err = cli(
        "--db", db, "requests", "approve", rid, "--as", "security-us", "--key", ops.key("security-us")
    )
    assert code == 0 and "quorum reached" in out, out + err
    pkg = tmp_path / "edr"
    code, out, err = cli("--db", db, "requests", "disclose", rid, "--output", pkg)
    assert code == 0, err
    # Minimal data: the subject's subscriber info and the last week's logins only.
    assert [r["customer_id"] for r in json.loads((pkg / "subscriber_info.json").read_text())] == ["D3"]
    assert [r["ip"] for r in json.loads((pkg / "ip_logs.json").read_text())] == ["203.0.113.7"]

    # No legal process follows: pending within the window, flagged after it.
    code, out, err = cli(
        "--db", db, "requests", "list", "--attention", "--on", iso(TODAY + timedelta(days=5)), "--json"
    )
    items = next(r["attention"] for r in json.loads(out) if r["id"] == rid)
    assert any(i.startswith("EMERGENCY_FOLLOW_UP_PENDING") for i in items)
    code, out, err = cli(
        "--db", db, "requests", "list", "--attention", "--on", iso(TODAY + timedelta(days=15)), "--json"
    )
    items = next(r["attention"] for r in json.loads(out) if r["id"] == rid)
    assert any(i.startswith("EMERGENCY_FOLLOW_UP_OVERDUE") for i in items)
    # Notice within 90 days of the disclosure.
    code, out, err = cli(
        "--db", db, "requests", "notices", "--due", "--on", iso(TODAY + timedelta(days=89)), "--json"
    )
    assert json.loads(out) == []
    code, out, err = cli(
        "--db", db, "requests", "notices", "--due", "--on", iso(TODAY + timedelta(days=90)), "--json"
    )
    assert [n["customer_id"] for n in json.loads(out)] == ["D3"]

    # A court order ratifying it within the window clears the flag.
    follow = court_order(
        received_at=at(TODAY).isoformat(),
        follow_up_of=rid,
        targets=[{"type": "customer_id", "value": "D3"}],
        data_categories=["subscriber_info", "ip_logs"],
        date_range={"from": iso(TODAY - timedelta(days=7)), "to": iso(TODAY)},
    )
    _new(cli, db, write("ratify.json", follow), "intake1")
    code, out, err = cli(
        "--db", db, "requests", "list", "--attention", "--on", iso(TODAY + timedelta(days=15)), "--json"
    )
    items = next((r["attention"] for r in json.loads(out) if r["id"] == rid), [])
    assert not any(i.startswith("EMERGENCY_FOLLOW_UP") for i in items)


@pytest.mark.slow
def test_unverified_emergency_is_flagged(
    registries: Ops, exchange: Store, cli: Any, write: Callable[..., Path]
) -> None:
    """A forged-EDR pattern: email, no callback, vague nature, asks for everything."""
    request = {
        "received_at": at(TODAY).isoformat(),
        "channel": "email",
        "agency": {"name": "Police Department of Springfield", "country": "US"},
        "officer": "Sgt. J. Smith",
        "instrument": {
            "type": "emergency_disclosure_request",
            "reference": "EDR-1",
            "issued_by": "Springfield PD",
            "issued_at": iso(TODAY),
            "legal_basis": "18 U.S.C. 2702(c)(4)",
            "document_sha256": "ef" * 32,
        },
        "emergency": {
            "nature": "urgent",
            "persons_at_risk": "unknown",
            "why_normal_process_insufficient": "time",
        },
        "targets": [{"type": "customer_id", "value": "D1"}],
        "data_categories": ["subscriber_info", "kyc_documents", "transaction_history"],
        "date_range": {"from": iso(TODAY - timedelta(days=30)), "to": iso(TODAY)},
    }
    result = _new(cli, exchange.url, write("forged.json", request), "intake1")
    codes = {r["code"] for r in result["reasons"]}
    assert {
        "EMERGENCY_UNVERIFIED",
        "OUT_OF_BAND_CHANNEL",
        "REQUESTER_UNVERIFIED",
        "OVERBROAD_CATEGORIES",
    } <= codes
    assert result["tier"] in ("high", "blocked")


@pytest.mark.slow
def test_listed_security_service_is_sanctioned(
    shared_data: Path, registries: Ops, exchange: Store, cli: Any, write: Callable[..., Path]
) -> None:
    """With OFAC's SDN list imported, the FSB (listed under CYBER2 and others) is REQUESTER_SANCTIONED."""
    sdn = shared_data / "lists" / "ofac_sdn_csv" / "jackdwyer_gitscrape_2024-05-03" / "sdn.csv"
    code, out, err = cli("--db", exchange.url, "lists", "import", sdn)
    assert code == 0, err
    fsb = {
        "id": "RU-FSB-2",
        "name": "Federal Security Service",
        "country": "RU",
        "class": "security_service",
        "verification_status": "verified",
        "verified_on": iso(TODAY - timedelta(days=30)),
    }
    code, out, err = cli("--db", exchange.url, "authorities", "add", "--file", write("fsb2.json", fsb))
    assert code == 0, err
    assert "SANCTIONED: 'Federal Security Service' matches 'FEDERAL SECURITY SERVICE'" in out
    request = court_order(
        agency="RU-FSB-2", instrument={**court_order()["instrument"], "type": "mlat_request"}
    )
    result = _new(cli, exchange.url, write("fsb-req.json", request), "intake1")
    sanctioned = [r for r in result["reasons"] if r["code"] == "REQUESTER_SANCTIONED"]
    assert sanctioned and "ofac_sdn:21344" in sanctioned[0]["detail"]
    assert result["tier"] == "blocked"


@pytest.mark.slow
def test_cli_text_outputs(
    registries: Ops, exchange: Store, cli: Any, write: Callable[..., Path], tmp_path: Path
) -> None:
    """Every human-readable path of the CLI runs and says what matters (the JSON paths are tested above)."""
    db = exchange.url
    ops = registries
    order = court_order(data_categories=["transaction_history", "ip_logs"])
    code, out, err = cli(
        "--db",
        db,
        "requests",
        "new",
        "--file",
        write("o.json", order),
        "--as",
        "intake1",
        "--key",
        ops.key("intake1"),
    )
    assert code == 0, err
    rid = out.split(":")[0]
    assert "tier medium" in out and "required approvals: legal, privacy|security" in out
    code, out, err = cli(
        "--db",
        db,
        "requests",
        "narrow",
        rid,
        "--as",
        "legal1",
        "--key",
        ops.key("legal1"),
        "--category",
        "transaction_history",
        "--from",
        iso(TODAY - timedelta(days=100)),
    )
    assert code == 0 and "tier low" in out, err
    code, out, err = cli(
        "--db",
        db,
        "requests",
        "narrow",
        rid,
        "--as",
        "legal1",
        "--key",
        ops.key("legal1"),
        "--category",
        "kyc_documents",
    )
    assert code == 2 and "cannot be added by narrowing" in err
    code, out, err = cli(
        "--db", db, "requests", "approve", rid, "--as", "legal2", "--key", ops.key("legal2"), "--json"
    )
    assert code == 0 and json.loads(out)["quorum"]["met"] is True, err
    code, out, err = cli("--db", db, "requests", "disclose", rid, "--output", tmp_path / "p", "--json")
    assert code == 0 and json.loads(out)["notices"] == 1, err
    code, out, err = cli(
        "--db",
        db,
        "requests",
        "gag",
        rid,
        "--until",
        iso(TODAY + timedelta(days=200)),
        "--basis",
        "extension order",
        "--as",
        "legal1",
        "--key",
        ops.key("legal1"),
    )
    assert code == 0 and "1 notice(s) held" in out, err
    for args, expect in [
        (("requests", "show", rid), "state disclosed"),
        (("requests", "assess", rid), "tier low"),
        (("requests", "list"), rid),
        (("requests", "notices"), "held"),
        (("requests", "policy", "show"), "sha256:"),
        (("requests", "policy", "history"), "(packaged default)"),
        (("requests", "report", "--from", iso(TODAY - timedelta(days=10)), "--to", iso(TODAY)), "1 requests"),
        (("requests", "verify-package", tmp_path / "p"), "compare with the exchange's published key"),
        (("authorities", "list"), "RU-ROSFIN"),
        (("protected", "list"), "FBK"),
        (("operators", "list"), "lead-cis"),
    ]:
        code, out, err = cli("--db", db, *args)
        assert code == 0 and expect in out, (args, out, err)
    code, out, err = cli("--db", db, "operators", "deactivate", "legal2", "--reason", "left the company")
    assert code == 0, err
    code, out, err = cli("--db", db, "operators", "list")
    assert "legal2" in out and "inactive" in out
