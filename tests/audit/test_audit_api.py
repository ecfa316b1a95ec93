"""The audit API: checkpoint, proofs, entries and events by role, notes, witness cosignatures."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from audit_helpers import approval
from fastapi.testclient import TestClient

from vaspguard.api import Role, create_app, create_token
from vaspguard.audit import (
    AuditLog,
    Receipt,
    SigningKey,
    verify_consistency,
    verify_receipt_offline,
)
from vaspguard.audit._note import COSIGNATURE_V1


@pytest.fixture
def client(audit: AuditLog) -> TestClient:
    app = create_app(audit.store)
    app.state.audit_log = audit
    return TestClient(app)


def _auth(audit: AuditLog, role: Role, name: str = "user") -> dict[str, str]:
    return {"Authorization": f"Bearer {create_token(audit.store, name=name, role=role)}"}


def test_verifier_endpoints(audit: AuditLog, client: TestClient) -> None:
    audit.append_many([approval(actor=f"a{i}") for i in range(10)])
    auditor = _auth(audit, Role.AUDITOR)
    cp = client.get("/v1/audit/checkpoint", headers=auditor).json()
    assert cp["size"] == 10 and cp["public_key"] == audit.public_key.vkey
    receipt = Receipt.from_json(client.get("/v1/audit/proofs/inclusion/3", headers=auditor).json())
    assert verify_receipt_offline(receipt, audit.public_key).actor == "a3"
    audit.append(approval(actor="late"))
    proof = client.get("/v1/audit/proofs/consistency", params={"first": 10}, headers=auditor).json()
    assert proof["second"] == 11
    verify_consistency(
        10,
        11,
        base64.b64decode(cp["root"]),
        audit.root(),
        [base64.b64decode(h) for h in proof["proof"]],
    )
    entries = client.get("/v1/audit/entries", params={"start": 9, "limit": 5}, headers=auditor).json()
    assert entries["size"] == 11 and len(entries["entries"]) == 2
    assert client.get("/v1/audit/proofs/inclusion/99", headers=auditor).status_code == 400


def test_roles_and_notes(audit: AuditLog, client: TestClient) -> None:
    assert client.get("/v1/audit/checkpoint").status_code == 401
    reader = _auth(audit, Role.READER, "desk")
    assert client.get("/v1/audit/events", headers=reader).status_code == 403
    legal = _auth(audit, Role.LEGAL, "legal-officer-7")
    made = client.post(
        "/v1/audit/notes", json={"message": "called the DPO", "subjects": ["request:R9"]}, headers=legal
    )
    assert made.status_code == 201
    events = client.get("/v1/audit/events", params={"subject": "request:R9"}, headers=legal).json()["items"]
    assert [(e["actor"], e["actor_role"], e["payload"]) for e in events] == [
        ("legal-officer-7", "legal", {"message": "called the DPO"})
    ]
    assert client.post("/v1/audit/notes", json={"message": ""}, headers=legal).status_code == 422


def test_witness_cosignature_submission(
    audit: AuditLog, client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit.append(approval())
    witness = SigningKey.generate("auditor.example", COSIGNATURE_V1)
    stranger = SigningKey.generate("stranger.example", COSIGNATURE_V1)
    (tmp_path / "witnesses").write_text(f"# external auditor\n{witness.verifier.vkey}\n")
    monkeypatch.setenv("VASPGUARD_AUDIT_KEY_DIR", str(tmp_path))
    headers = _auth(audit, Role.AUDITOR)
    body = audit.checkpoint().checkpoint.body
    bad = client.post(
        "/v1/audit/cosignatures", json={"size": 1, "line": stranger.signature_line(body)}, headers=headers
    )
    assert bad.status_code == 400 and "not a configured witness" in bad.json()["detail"]
    ok = client.post(
        "/v1/audit/cosignatures", json={"size": 1, "line": witness.signature_line(body)}, headers=headers
    )
    assert ok.status_code == 201
    latest = audit.latest_checkpoint()
    assert latest is not None
    assert latest.verify(audit.public_key, witnesses=[witness.verifier], quorum=1)
    forged = client.post(
        "/v1/audit/cosignatures",
        json={"size": 1, "line": witness.signature_line(body.replace("\n1\n", "\n2\n"))},
        headers=headers,
    )
    assert forged.status_code == 409
