"""Helpers for the legal desk tests (imported as ``legal_helpers``): a software passkey, and the demo's lawful
requests filed and their operators linked to desk users.

``SoftPasskey`` is an ES256 authenticator like the one Chromium's virtual authenticator emulates: it answers
the desk's WebAuthn request options with an assertion (authenticator data, client data JSON, DER ECDSA
signature over ``authData || SHA-256(clientDataJSON)``), so the TestClient tests exercise the same checks as
the browser test without a browser.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient
from webauthn.helpers import encode_cbor

from vaspguard import demo as demo_package
from vaspguard.cli import run
from vaspguard.desk import User
from vaspguard.requests import LawfulRequests, Operator, OperatorRole, generate_key, public_hex
from vaspguard.store import Store

ORIGIN = "http://localhost:8000"
SAMPLES = Path(demo_package.__file__).resolve().parent / "requests"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftPasskey:
    def __init__(self, rp_id: str = "localhost", origin: str = ORIGIN) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = b64url(os.urandom(16))
        self.rp_id = rp_id
        self.origin = origin
        self.count = 0

    @property
    def cose(self) -> bytes:
        n = self.key.public_key().public_numbers()
        return encode_cbor({1: 2, 3: -7, -1: 1, -2: n.x.to_bytes(32, "big"), -3: n.y.to_bytes(32, "big")})

    def enrol(self, store: Store, user: User) -> None:
        """Store this passkey as ``user``'s (what enrolment stores after checking the attestation)."""
        from sqlalchemy import insert

        from vaspguard.desk._tables import DeskCredentialRow
        from vaspguard.store import utcnow

        with store.connect() as conn:
            conn.execute(
                insert(DeskCredentialRow).values(
                    credential_id=self.credential_id,
                    user_id=user.id,
                    public_key=self.cose,
                    sign_count=0,
                    created_at=utcnow(),
                )
            )

    def answer(self, options: dict[str, Any]) -> dict[str, Any]:
        """The credential JSON a browser sends back for ``options`` (user present and verified)."""
        self.count += 1
        auth = hashlib.sha256(self.rp_id.encode()).digest() + bytes([0x05]) + self.count.to_bytes(4, "big")
        client = json.dumps(
            {"type": "webauthn.get", "challenge": options["challenge"], "origin": self.origin}
        ).encode()
        signature = self.key.sign(auth + hashlib.sha256(client).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": self.credential_id,
            "rawId": self.credential_id,
            "type": "public-key",
            "clientExtensionResults": {},
            "response": {
                "authenticatorData": b64url(auth),
                "clientDataJSON": b64url(client),
                "signature": b64url(signature),
                "userHandle": None,
            },
        }


def file_sample(store: Store, data_dir: Path, name: str, **changes: Any) -> str:
    """File one of the demo's sample requests as demo-intake (through the CLI), with ``changes`` to its
    fields; returns its id."""
    key = data_dir / "demo-operators" / "demo-intake.pem"
    before = {r["id"] for r in LawfulRequests(store).list()}
    doc = {**json.loads((SAMPLES / name).read_text()), **changes}
    path = data_dir / f"filed-{len(before)}-{name}"
    path.write_text(json.dumps(doc))
    code = run(["requests", "new", "--file", str(path), "--as", "demo-intake", "--key", str(key)])
    assert code == 0
    (new,) = {r["id"] for r in LawfulRequests(store).list()} - before
    return str(new)


def operator_for(store: Store, user: User, *, role: str, region: str) -> str:
    """A new operator (with a key nobody uses here) linked to desk ``user``; returns its name."""
    lawful = LawfulRequests(store)
    name = f"op-{user.name}"
    lawful.add_operator(Operator(name, OperatorRole(role), region, public_hex(generate_key())), actor="test")
    lawful.link_desk_user(name, user.name, actor="test")
    return name


# The demo's court order, asking for IP logs too: medium tier, so legal and privacy (or security) approve.
MEDIUM = {"data_categories": ["subscriber_info", "transaction_history", "ip_logs"]}


def link(store: Store, operator: str, user: User) -> None:
    LawfulRequests(store).link_desk_user(operator, user.name, actor="test")


def sign(
    client: TestClient, csrf: str, passkey: SoftPasskey, request_id: str, decision: str, **fields: Any
) -> Any:
    """The whole ceremony through the desk: options, the passkey's answer, the decision POST."""
    body = {"decision": decision, **fields}
    options = client.post(f"/requests/{request_id}/sign/options", json=body, headers={"X-CSRF-Token": csrf})
    assert options.status_code == 200, options.text
    credential = passkey.answer(options.json())
    return client.post(
        f"/requests/{request_id}/{decision}",
        json={**body, "credential": credential},
        headers={"X-CSRF-Token": csrf},
    )
