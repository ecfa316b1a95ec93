"""Disclosure packages: verification, tampering of every kind, the Merkle root against its definition."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st
from lr_helpers import Desk, court_order

from vaspguard.audit import leaf_hash, merkle_root, node_hash
from vaspguard.errors import IntegrityViolation, InvalidRequest
from vaspguard.requests import public_hex, verify_package
from vaspguard.requests._crypto import MANIFEST_DOMAIN, canonical, sign
from vaspguard.store import Store


def _mth(leaves: list[bytes]) -> bytes:
    """RFC 9162 §2.1.1, recursively, as written."""
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(_mth(leaves[:k]), _mth(leaves[k:]))


@given(st.lists(st.binary(max_size=8), max_size=70))
def test_merkle_root_matches_the_recursive_definition(items: list[bytes]) -> None:
    leaves = [leaf_hash(x) for x in items]
    assert merkle_root(leaves) == _mth(leaves)


@pytest.fixture
def package(store: Store, tmp_path: Path) -> tuple[Path, str]:
    desk = Desk(store)
    rid = desk.file(
        court_order(
            targets=[{"type": "customer_id", "value": "D1"}],
            data_categories=["subscriber_info", "transaction_history", "balances"],
            non_disclosure=None,
        )
    )
    desk.approve(rid, "legal1")
    out = tmp_path / "pkg"
    desk.svc.disclose(rid, out, actor="legal1")
    return out, public_hex(desk.svc.exchange_key())


def _copy(src: Path, tmp_path: Path, name: str) -> Path:
    dst = tmp_path / name
    shutil.copytree(src, dst)
    return dst


def test_package_verifies_and_holds_only_scope(package: tuple[Path, str]) -> None:
    path, key = package
    result = verify_package(path, public_key=key)
    assert result["record_counts"]["subscriber_info"] == 1
    subscriber = json.loads((path / "subscriber_info.json").read_text())
    assert subscriber[0]["customer_id"] == "D1"
    assert {r["customer_id"] for r in json.loads((path / "transaction_history.json").read_text())} == {"D1"}
    assert {r["account_id"] for r in json.loads((path / "balances.json").read_text())} == {"A-D1", "A-D1-F"}


def test_tampered_record_is_detected(package: tuple[Path, str], tmp_path: Path) -> None:
    path = _copy(package[0], tmp_path, "t1")
    records = json.loads((path / "transaction_history.json").read_text())
    records[0]["amount"] = "1000000"
    (path / "transaction_history.json").write_text(json.dumps(records))
    with pytest.raises(IntegrityViolation, match="record 0 does not match its leaf hash"):
        verify_package(path, public_key=package[1])


def test_removed_record_is_detected(package: tuple[Path, str], tmp_path: Path) -> None:
    path = _copy(package[0], tmp_path, "t2")
    records = json.loads((path / "transaction_history.json").read_text())
    (path / "transaction_history.json").write_text(json.dumps(records[1:]))
    with pytest.raises(IntegrityViolation, match="records, the manifest says"):
        verify_package(path, public_key=package[1])


def test_tampered_csv_is_detected(package: tuple[Path, str], tmp_path: Path) -> None:
    path = _copy(package[0], tmp_path, "t3")
    text = (path / "subscriber_info.csv").read_text()
    (path / "subscriber_info.csv").write_text(text.replace("Jonas", "Jones"))
    with pytest.raises(IntegrityViolation, match=r"subscriber_info\.csv does not match"):
        verify_package(path, public_key=package[1])


def test_tampered_manifest_is_detected(package: tuple[Path, str], tmp_path: Path) -> None:
    path = _copy(package[0], tmp_path, "t4")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["scope"]["data_categories"].append("kyc_documents")
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IntegrityViolation, match="signature does not verify"):
        verify_package(path, public_key=package[1])


def test_resigned_by_another_key_is_detected(package: tuple[Path, str], tmp_path: Path) -> None:
    path = _copy(package[0], tmp_path, "t5")
    forger = Ed25519PrivateKey.generate()
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["exchange_public_key"] = public_hex(forger)
    (path / "manifest.json").write_text(json.dumps(manifest))
    (path / "manifest.sig").write_text(sign(forger, MANIFEST_DOMAIN, manifest))
    with pytest.raises(IntegrityViolation, match="not the exchange's key"):
        verify_package(path, public_key=package[1])
    # Without pinning, the package is self-consistent; the caller is told which key signed it.
    assert verify_package(path)["exchange_public_key"] == public_hex(forger)
    assert canonical(manifest)  # the forged manifest is still canonical JSON


def test_cli_verify_package_reports_tampering(package: tuple[Path, str], tmp_path: Path, cli: object) -> None:
    path = _copy(package[0], tmp_path, "t6")
    (path / "balances.json").write_text("[]")
    code, _out, err = cli("requests", "verify-package", path)  # type: ignore[operator]
    assert code == 5 and "balances.json has 0 records" in err and err.count("\n") == 1


def test_disclose_refuses_a_non_empty_output(store: Store, tmp_path: Path) -> None:
    desk = Desk(store)
    rid = desk.file(court_order(non_disclosure=None))
    desk.approve(rid, "legal1")
    out = tmp_path / "busy"
    out.mkdir()
    (out / "other.txt").write_text("x")
    with pytest.raises(InvalidRequest, match="not empty"):
        desk.svc.disclose(rid, out, actor="legal1")
    assert sorted(p.name for p in out.iterdir()) == ["other.txt"]
    assert desk.svc.show(rid)["state"] == "approved"


def test_kyc_documents_carry_permits_and_visas_of_the_target_only(store: Store) -> None:
    """The KYC category reads each customer's residence permits and visas (country, kind, validity) from
    their own tables, and nothing of any other customer."""
    from datetime import date

    from vaspguard.registry import Customer, Name, PermitKind, PersonType, Registry, ResidencePermit, Visa
    from vaspguard.requests._disclose import assemble
    from vaspguard.requests._model import DataCategory, DateRange, Scope, Target, TargetType

    permit = ResidencePermit("DE", PermitKind.TEMPORARY, date(2024, 1, 1), date(2027, 1, 1))
    visa = Visa("FR", "schengen", date(2025, 3, 1), None)
    Registry(store).add_customers(
        [
            Customer(
                "K1",
                PersonType.NATURAL,
                (Name("Anna Kern"),),
                ("RU",),
                residence_permits=(permit,),
                visas=(visa,),
            ),
            Customer("K2", PersonType.NATURAL, (Name("Olga Kern"),), ("RU",), visas=(Visa("IT"),)),
        ]
    )
    scope = Scope(
        (Target(TargetType.CUSTOMER_ID, "K1"),), (DataCategory.KYC_DOCUMENTS,), DateRange(None, None)
    ).normalised()
    with store.connect() as conn:
        package = assemble(conn, "LR-TEST", scope, salt="00" * 32)
    (record,) = package.records["kyc_documents"]
    assert record["customer_id"] == "K1"
    assert record["residence_permits"] == [
        {
            "country": "DE",
            "kind": "temporary",
            "valid_from": "2024-01-01",
            "valid_until": "2027-01-01",
        }
    ]
    assert record["visas"] == [
        {"country": "FR", "kind": "schengen", "valid_from": "2025-03-01", "valid_until": None}
    ]
