"""Packages sealed to the agency's age key, and pseudonyms under a key that lives with the keys."""

from __future__ import annotations

import io
import json
import stat
import tarfile
from pathlib import Path
from typing import Any

import pyrage
import pytest
from lr_helpers import AGENCIES, Desk, court_order
from pyrage import x25519
from sqlalchemy import select

from vaspguard.errors import IntegrityViolation, InvalidFields
from vaspguard.requests import parse_agency, public_hex, verify_package
from vaspguard.requests._tables import DisclosureRow
from vaspguard.store import Store

BERLIN = next(a for a in AGENCIES if a["id"] == "DE-AG-BERLIN")


def _sealed_disclosure(store: Store, tmp_path: Path) -> tuple[Desk, str, Path, x25519.Identity]:
    desk = Desk(store)
    agency_key = x25519.Identity.generate()
    desk.svc.add_agency(
        parse_agency({**BERLIN, "encryption_recipients": [str(agency_key.to_public())]}), actor="admin"
    )
    rid = desk.file(court_order(non_disclosure=None))
    desk.approve(rid, "legal1")
    out = tmp_path / "pkg"
    result = desk.svc.disclose(rid, out, actor="legal1")
    assert result["sealed_to"] == [str(agency_key.to_public())]
    return desk, rid, out, agency_key


def test_a_package_for_an_agency_with_a_key_is_readable_only_with_its_identity(
    store: Store, tmp_path: Path, cli: Any
) -> None:
    desk, rid, out, agency_key = _sealed_disclosure(store, tmp_path)
    assert sorted(p.name for p in out.iterdir()) == ["package.tar.age"]
    sealed = (out / "package.tar.age").read_bytes()
    assert b"transaction_history" not in sealed and b"A-D1" not in sealed

    # What the agency does with standard tools (age -d | tar -x), then the check.
    plain = tmp_path / "opened"
    plain.mkdir()
    with tarfile.open(fileobj=io.BytesIO(pyrage.decrypt(sealed, [agency_key]))) as tar:
        tar.extractall(plain, filter="data")
    exchange = public_hex(desk.svc.exchange_key())
    assert verify_package(plain, public_key=exchange)["request_id"] == rid
    assert json.loads((plain / "manifest.json").read_text())["request_id"] == rid

    identity = tmp_path / "agency.txt"
    identity.write_text(f"# the agency's key\n{agency_key}\n")
    code, out_text, err = cli("requests", "verify-package", out, "--identity", identity, "--json")
    assert code == 0, err
    assert json.loads(out_text)["sealed"] is True

    # Refusals: no identity, somebody else's identity, an identity file that is not one.
    code, _out, err = cli("requests", "verify-package", out)
    assert code == 2 and "--identity" in err and err.count("\n") == 1
    other = tmp_path / "other.txt"
    other.write_text(f"{x25519.Identity.generate()}\n")
    with pytest.raises(IntegrityViolation, match="cannot be decrypted"):
        verify_package(out, identity=other)
    code, _out, err = cli(
        "requests", "verify-package", out, "--identity", tmp_path / "opened" / "files.sha256"
    )
    assert code == 2 and "no age identity" in err
    # The audit log says to whom it was sealed.
    disclosed = desk.svc.audit.events("requests.disclose", subject=f"request:{rid}")
    assert [e.payload["sealed_to"] for e in disclosed] == [[str(agency_key.to_public())]]


def test_an_agency_key_must_be_an_age_recipient() -> None:
    with pytest.raises(InvalidFields) as info:
        parse_agency({**BERLIN, "encryption_recipients": ["ssh-ed25519 AAAA"]})
    assert [p.field for p in info.value.problems] == ["encryption_recipients[0]"]


def test_pseudonyms_come_from_a_key_file_not_the_database(
    store: Store, tmp_path: Path, data_dir: Path
) -> None:
    desk = Desk(store)
    rid = desk.file(court_order(non_disclosure=None))
    desk.approve(rid, "legal1")
    desk.svc.disclose(rid, tmp_path / "pkg", actor="legal1")
    records = json.loads((tmp_path / "pkg" / "transaction_history.json").read_text())
    transfer = next(r for r in records if r["id"] == "T-D1-D2")
    # The exchange can say who the pseudonym is (when a court orders it); the package alone cannot.
    assert transfer["counterparty_customer_id"] == desk.svc.pseudonym(rid, "D2")
    assert desk.svc.pseudonym(rid, "D2") != desk.svc.pseudonym("LR-2099-000001", "D2")
    key = data_dir / "requests" / "pseudonym.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    with store.connect() as conn:
        stored = conn.execute(select(DisclosureRow.pseudonym_salt)).scalar_one()
    assert stored.startswith("derived:") and desk.svc.pseudonym_salt(rid) not in stored
