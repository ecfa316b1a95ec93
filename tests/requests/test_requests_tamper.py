"""The database is not the root of trust for a disclosure (issue 11, findings 1 and 4).

An insider who widens a request's stored scope after approval (leaving ``scope_sha256`` alone) gets no
package: disclosure recomputes the scope's hash and refuses, logged. A package with a file the signed
manifest does not name, a wrong hash in ``files.sha256``, or a manifest scope that does not hash to its
``scope_sha256`` does not verify."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lr_helpers import Desk, court_order
from sqlalchemy import update

from vaspguard.errors import IntegrityViolation, QuorumRefused
from vaspguard.requests import public_hex, verify_package
from vaspguard.requests._crypto import MANIFEST_DOMAIN, sign
from vaspguard.requests._tables import ApprovalRow, RequestRow
from vaspguard.store import Store


def _approved(store: Store) -> tuple[Desk, str]:
    desk = Desk(store)
    rid = desk.file(
        court_order(
            targets=[{"type": "customer_id", "value": "D1"}],
            data_categories=["subscriber_info", "transaction_history"],
            non_disclosure=None,
        )
    )
    desk.approve(rid, "legal1")
    return desk, rid


def test_a_scope_widened_in_the_database_after_approval_discloses_nothing(
    store: Store, tmp_path: Path
) -> None:
    desk, rid = _approved(store)
    with store.connect() as conn:
        doc = json.loads(conn.execute(RequestRow.__table__.select().where(RequestRow.id == rid)).one().scope)
        doc["data_categories"].append("kyc_documents")
        doc["targets"].append({"type": "customer_id", "value": "C1", "chain": None})
        conn.execute(update(RequestRow).where(RequestRow.id == rid).values(scope=json.dumps(doc)))
    out = tmp_path / "pkg"
    with pytest.raises(QuorumRefused, match="stored scope does not hash to the approved scope_sha256"):
        desk.svc.disclose(rid, out, actor="legal1")
    assert not out.exists() or not any(out.iterdir())
    refused = [e for e in desk.svc.audit.events("requests.disclose.refused", None)]
    assert refused and "scope_sha256" in json.dumps(refused[-1].to_dict())


@pytest.fixture
def package(store: Store, tmp_path: Path) -> tuple[Path, str, Desk]:
    desk, rid = _approved(store)
    out = tmp_path / "pkg"
    desk.svc.disclose(rid, out, actor="legal1")
    return out, public_hex(desk.svc.exchange_key()), desk


def _copy(src: Path, tmp_path: Path, name: str) -> Path:
    return Path(shutil.copytree(src, tmp_path / name))


def test_a_file_the_manifest_does_not_name_fails(package: tuple[Path, str, Desk], tmp_path: Path) -> None:
    path = _copy(package[0], tmp_path, "extra")
    assert verify_package(path, public_key=package[1])["records"] > 0
    (path / "kyc_documents.json").write_text('[{"customer_id": "D1", "passport": "..."}]')
    with pytest.raises(IntegrityViolation, match=r"not part of the signed package: kyc_documents\.json"):
        verify_package(path, public_key=package[1])


def test_a_wrong_hash_in_files_sha256_fails(package: tuple[Path, str, Desk], tmp_path: Path) -> None:
    path = _copy(package[0], tmp_path, "zeroed")
    lines = (path / "files.sha256").read_text().splitlines()
    lines[0] = "0" * 64 + lines[0][64:]
    (path / "files.sha256").write_text("\n".join(lines) + "\n")
    with pytest.raises(IntegrityViolation, match=r"does not match its hash in files\.sha256"):
        verify_package(path, public_key=package[1])


def test_a_manifest_scope_that_is_not_the_approved_one_fails(
    package: tuple[Path, str, Desk], tmp_path: Path
) -> None:
    """Even signed by the exchange's own key (an insider with the key), a manifest whose scope does not hash
    to the scope_sha256 the approvals signed does not verify."""
    path, key, desk = package
    path = _copy(path, tmp_path, "rescoped")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["scope"]["data_categories"].append("kyc_documents")
    (path / "manifest.json").write_text(json.dumps(manifest))
    (path / "manifest.sig").write_text(sign(desk.svc.exchange_key(), MANIFEST_DOMAIN, manifest, plain=True))
    with pytest.raises(IntegrityViolation, match="the scope was changed after approval"):
        verify_package(path, public_key=key)


def test_a_blocked_request_rewritten_to_low_in_the_database_is_not_approved(store: Store) -> None:
    """Finding 2: the tier and assessment a request is approved under are the ones the audit log holds."""
    desk = Desk(store)
    doc = court_order(channel="in_person", instrument={"type": "informal_request"}, non_disclosure=None)
    rid = desk.file(doc)
    with store.connect() as conn:
        row = conn.execute(RequestRow.__table__.select().where(RequestRow.id == rid)).one()
        assessment = json.loads(row.assessment)
        assert assessment["tier"] == "blocked"
        forged = {**assessment, "tier": "low", "reasons": [], "required_approvals": [["legal"]]}
        conn.execute(
            update(RequestRow).where(RequestRow.id == rid).values(tier="low", assessment=json.dumps(forged))
        )
    with pytest.raises(
        QuorumRefused, match=r"stored assessment \(tier low\) is not the logged one \(tier blocked\)"
    ):
        desk.approve(rid, "legal1")
    refused = desk.svc.audit.events("requests.approve.refused", None)
    assert refused and "tier blocked" in json.dumps(refused[-1].to_dict())


def test_approvals_by_a_key_reported_compromised_stop_counting(store: Store, tmp_path: Path) -> None:
    """Finding 3: an operator deactivated because their key is compromised no longer counts toward the
    quorum of a request not yet disclosed, even if the database is edited back."""
    desk, rid = _approved(store)
    assert desk.svc.quorum_status(rid).counted == ("legal1",)
    desk.svc.deactivate_operator("legal1", actor="admin", reason="key compromised", compromised=True)
    status = desk.svc.quorum_status(rid)
    assert status.counted == () and not status.met
    with pytest.raises(QuorumRefused):
        desk.svc.disclose(rid, tmp_path / "a", actor="legal2")
    # an insider un-voids the approval and marks the request approved again: the audit log still says no
    with store.connect() as conn:
        conn.execute(
            update(ApprovalRow).where(ApprovalRow.request_id == rid).values(void=False, void_reason=None)
        )
        conn.execute(update(RequestRow).where(RequestRow.id == rid).values(state="approved"))
    with pytest.raises(QuorumRefused, match="approved with a key reported compromised: legal1"):
        desk.svc.disclose(rid, tmp_path / "b", actor="legal2")


def test_an_operator_who_left_keeps_their_past_approvals(store: Store, tmp_path: Path) -> None:
    desk, rid = _approved(store)
    desk.svc.deactivate_operator("legal1", actor="admin", reason="left the company")
    assert desk.svc.quorum_status(rid).counted == ("legal1",)
    assert desk.svc.disclose(rid, tmp_path / "pkg", actor="legal2")
