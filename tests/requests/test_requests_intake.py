"""Intake and registry validation: one clear line naming every bad field, non-zero exit, nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lr_helpers import AGENCIES, court_order
from sqlalchemy import func, select

from vaspguard.errors import InvalidFields
from vaspguard.requests import parse_agency, parse_request
from vaspguard.requests._tables import AgencyRow, RequestRow
from vaspguard.store import Store


def _fields(exc: InvalidFields) -> set[str]:
    return {p.field for p in exc.problems}


def test_every_bad_field_is_named() -> None:
    doc = court_order(
        received_at="2026-01-01T10:00:00",  # no time zone
        channel="fax",
        instrument={
            "type": "court_order",
            "reference": "X",
            "issued_by": "Y",
            "issued_at": "01/02/2026",
            "legal_basis": "Z",
            "document_sha256": "nothex",
        },
        targets=[{"type": "email", "value": "not-an-email"}, {"type": "wallet_address", "value": "bc1q"}],
        data_categories=["subscriber_info", "browsing_history"],
        date_range={"from": "2026-05-01", "to": "2026-01-01"},
        extra="?",
    )
    with pytest.raises(InvalidFields) as info:
        parse_request(doc, origin="REQ.json")
    assert _fields(info.value) == {
        "received_at",
        "channel",
        "instrument.issued_at",
        "instrument.document_sha256",
        "targets[0].value",
        "targets[1].chain",
        "data_categories[1]",
        "date_range",
        "extra",
    }
    text = str(info.value)
    assert text.startswith("REQ.json: field ") and "field 'received_at': " in text and "\n" not in text


def test_emergency_and_preservation_need_their_fields() -> None:
    edr = court_order(instrument={**court_order()["instrument"], "type": "emergency_disclosure_request"})
    with pytest.raises(InvalidFields) as info:
        parse_request(edr)
    assert _fields(info.value) == {"emergency"}
    pres = court_order(
        instrument={**court_order()["instrument"], "type": "preservation_request"}, offence=None
    )
    pres.pop("offence")
    with pytest.raises(InvalidFields) as info:
        parse_request(pres)
    assert _fields(info.value) == {"offence"}


def test_missing_everything() -> None:
    with pytest.raises(InvalidFields) as info:
        parse_request({})
    assert {
        "received_at",
        "channel",
        "officer",
        "agency",
        "instrument",
        "targets",
        "data_categories",
    } <= _fields(info.value)


def test_agency_validation() -> None:
    bad = {
        **AGENCIES[2],
        "country": "Germany",
        "class": "court_of_appeal",
        "domains": ["not a domain"],
        "callback_numbers": [{"number": "+4930123456", "source": "the request letterhead"}],
        "public_keys": ["00"],
        "verified_on": None,
    }
    with pytest.raises(InvalidFields) as info:
        parse_agency(bad)
    assert _fields(info.value) == {
        "country",
        "class",
        "domains[0]",
        "callback_numbers[0].source",
        "public_keys[0]",
        "verified_on",
    }


def test_cli_bad_request_writes_nothing(
    ops: object, exchange: Store, cli: Any, write: Callable[[str, Any], Path]
) -> None:
    path = write("bad.json", court_order(channel="fax", data_categories=[]))
    code, _out, err = cli(
        "--db",
        exchange.url,
        "requests",
        "new",
        "--file",
        path,
        "--as",
        "intake1",
        "--key",
        path.parent / "keys" / "intake1.pem",
    )
    assert code == 2
    assert err.count("\n") == 1
    assert "bad.json: field 'channel': unknown value 'fax'" in err and "field 'data_categories'" in err
    with exchange.connect() as conn:
        assert conn.execute(select(func.count()).select_from(RequestRow)).scalar_one() == 0
    (path.parent / "broken.json").write_text('{"received_at": ')
    code, _out, err = cli(
        "--db",
        exchange.url,
        "requests",
        "new",
        "--file",
        path.parent / "broken.json",
        "--as",
        "intake1",
        "--key",
        path.parent / "keys" / "intake1.pem",
    )
    assert code == 2 and "not valid JSON" in err


def test_cli_registry_errors(
    ops: object, exchange: Store, cli: Any, write: Callable[[str, Any], Path], tmp_path: Path
) -> None:
    db = exchange.url
    orphan = {**AGENCIES[1], "linked": ["RU-FSB"]}  # FSB not registered yet
    code, out, err = cli("--db", db, "authorities", "add", "--file", write("orphan.json", orphan))
    assert code == 2 and "agency 'RU-FSB' is not registered" in err
    with exchange.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AgencyRow)).scalar_one() == 0
    code, out, err = cli(
        "--db",
        db,
        "operators",
        "add",
        "--name",
        "x",
        "--role",
        "boss",
        "--region",
        "EU",
        "--public-key",
        tmp_path / "keys" / "legal1.pem.pub",
    )
    assert code == 2 and "unknown role 'boss'" in err
    code, out, err = cli(
        "--db",
        db,
        "operators",
        "add",
        "--name",
        "x",
        "--role",
        "legal",
        "--region",
        "EU",
        "--public-key",
        tmp_path / "keys" / "legal1.pem.pub",
    )
    assert code == 2 and "already belongs to another operator" in err
    code, out, err = cli("operators", "keygen", "--out", tmp_path / "keys" / "legal1.pem")
    assert code == 2 and "refusing to overwrite" in err
    code, out, err = cli(
        "--db",
        db,
        "requests",
        "new",
        "--file",
        write("ok.json", court_order()),
        "--as",
        "nobody",
        "--key",
        tmp_path / "keys" / "intake1.pem",
    )
    assert code == 2 and "operator 'nobody' not found" in err
    code, out, err = cli("--db", db, "operators", "list", "--json")
    assert {o["name"] for o in json.loads(out)} >= {"legal1", "lead-cis"}


def test_rules_across_fields_are_reported_beside_field_errors() -> None:
    """A rule spanning fields (an emergency request needs its emergency part; a new agency needs a name
    and country; a formal instrument its reference) is reported in the same pass as a malformed field,
    not only once that field is fixed."""
    doc = court_order(
        channel="fax",
        agency={"country": "DE"},
        instrument={**court_order()["instrument"], "type": "emergency_disclosure_request", "reference": " "},
        targets=[{"type": "wallet_address", "value": "bc1q", "extra": 1}],
    )
    doc.pop("emergency", None)
    with pytest.raises(InvalidFields) as info:
        parse_request(doc)
    assert {(p.field, p.reason) for p in info.value.problems} >= {
        ("channel", "unknown value 'fax'; one of portal, email, post, in_person, api"),
        ("agency.name", "is required"),
        ("instrument.reference", "is required"),
        ("targets[0].extra", "is not a known field"),
        ("targets[0].chain", "is required for a wallet_address target"),
        ("emergency", "is required for an emergency_disclosure_request (nature, persons at risk, why)"),
    }


def test_every_part_refuses_unknown_keys_and_wrong_shapes() -> None:
    agency = {
        **AGENCIES[2],
        "callback_numbers": [{"number": "+4930123456", "source": "directory", "via": "x"}],
    }
    with pytest.raises(InvalidFields) as info:
        parse_agency(agency)
    assert _fields(info.value) == {"callback_numbers[0].via"}
    with pytest.raises(InvalidFields) as info:
        parse_request(court_order(instrument=None, date_range="2026", targets=[7]))
    assert {(p.field, p.reason) for p in info.value.problems} == {
        ("instrument", "is required"),
        ("date_range", "must be an object"),
        ("targets[0]", "must be an object"),
    }
    with pytest.raises(InvalidFields) as info:
        parse_request([])
    assert [(p.field, p.reason) for p in info.value.problems] == [("(request)", "must be an object")]
