"""Signatures by passkey: a WebAuthn assertion whose challenge is the digest of the exact signed message.

A decision signed in the desk is the same message the CLI signs with an operator's Ed25519 key
(``approval_message``: request id, decision, scope hash, scope version, operator), under the same domain
(``APPROVAL_DOMAIN``). With a passkey, the authenticator cannot sign arbitrary bytes, so the WebAuthn
challenge is ``SHA-256(DOMAIN || 0x0A || canonical JSON of the message)`` and the authenticator signs
``authenticatorData || SHA-256(clientDataJSON)`` (W3C WebAuthn Level 3, §7.2 "Verifying an Authentication
Assertion", steps 11-21). ``verify_signed`` checks either kind from the stored public key alone: no database,
no desk, no session, so the quorum check and an offline verifier of a disclosure package run the same code.

What a passkey signature holds (``Signed.assertion``, JSON-native): ``rp_id``, ``credential_id``,
``authenticator_data`` and ``client_data_json`` (base64url, the exact bytes the authenticator produced);
``Signed.public_key`` is the credential's COSE public key (hex) and ``Signed.signature`` the signature (hex).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from vaspguard.requests import _crypto

ED25519 = "ed25519"
WEBAUTHN = "webauthn"
_FLAG_USER_PRESENT = 0x01
_FLAG_USER_VERIFIED = 0x04


@dataclass(frozen=True, slots=True)
class Signed:
    """One signature over one message: Ed25519 (``public_key`` raw hex) or a WebAuthn assertion
    (``public_key`` COSE hex, with the ``assertion`` it was made in)."""

    method: str
    public_key: str
    signature: str
    assertion: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The fields an audit entry or a package manifest carries (an Ed25519 one as before: key and
        signature; a passkey one adds its method and assertion)."""
        out: dict[str, Any] = {"signature": self.signature, "public_key": self.public_key}
        if self.method != ED25519:
            out |= {"method": self.method, "assertion": dict(self.assertion)}
        return out


def challenge_for(domain: bytes, message: Any) -> bytes:
    """The WebAuthn challenge that binds ``message``: SHA-256 of exactly what Ed25519 would sign."""
    return hashlib.sha256(_crypto.signing_input(domain, message)).digest()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def assertion_problem(signed: Signed, domain: bytes, message: Any) -> str | None:
    """Why a WebAuthn assertion does not sign ``message`` (None: it does), from its stored key alone."""
    from cryptography.exceptions import InvalidSignature
    from webauthn.helpers import (
        decode_credential_public_key,
        decoded_public_key_to_cryptography,
        verify_signature,
    )
    from webauthn.helpers.exceptions import WebAuthnException

    a = signed.assertion
    try:
        auth_data = unb64url(str(a["authenticator_data"]))
        client_json = unb64url(str(a["client_data_json"]))
        client = json.loads(client_json)
        signature = bytes.fromhex(signed.signature)
        decoded = decode_credential_public_key(bytes.fromhex(signed.public_key))
        key = decoded_public_key_to_cryptography(decoded)
    except (KeyError, ValueError, TypeError, binascii.Error) as exc:
        return f"the assertion cannot be read: {exc}"
    except (WebAuthnException, LookupError) as exc:  # a malformed or unsupported COSE key
        return f"the passkey's public key cannot be read: {exc}"
    if not isinstance(client, dict) or client.get("type") != "webauthn.get":
        return "the client data is not of a WebAuthn assertion (type webauthn.get)"
    if client.get("challenge") != b64url(challenge_for(domain, message)):
        return "the assertion's challenge is not the digest of this message"
    if len(auth_data) < 37 or auth_data[:32] != hashlib.sha256(str(a.get("rp_id", "")).encode()).digest():
        return "the authenticator data is not for this relying party"
    if not auth_data[32] & _FLAG_USER_PRESENT or not auth_data[32] & _FLAG_USER_VERIFIED:
        return "the authenticator did not verify the user"
    try:
        verify_signature(
            public_key=key,
            signature_alg=decoded.alg,
            signature=signature,
            data=auth_data + hashlib.sha256(client_json).digest(),
        )
    except (InvalidSignature, WebAuthnException, ValueError, TypeError):
        return "the passkey signature does not verify with the stored public key"
    return None


def verify_signed(signed: Signed, domain: bytes, message: Any) -> bool:
    """Whether ``signed`` is a valid signature over ``message`` under ``domain``, either kind."""
    if signed.method == ED25519:
        return _crypto.verify(signed.public_key, signed.signature, domain, message)
    if signed.method == WEBAUTHN:
        return assertion_problem(signed, domain, message) is None
    return False


def signed_from(entry: dict[str, Any], *, default_key: str = "") -> Signed:
    """A ``Signed`` from what an audit entry, an approval row or a manifest holds."""
    assertion = entry.get("assertion") or {}
    if isinstance(assertion, str):
        assertion = json.loads(assertion)
    return Signed(
        method=str(entry.get("method") or ED25519),
        public_key=str(entry.get("public_key") or default_key),
        signature=str(entry.get("signature", "")),
        assertion=dict(assertion),
    )
