"""Standard Webhooks signatures (https://www.standardwebhooks.com, "Signature scheme").

The spec, in its own terms: the content to sign is ``msg_id.timestamp.payload`` (the ``webhook-id``, the
``webhook-timestamp`` in integer seconds and the exact body, joined by full stops); the signature is the
base64 HMAC-SHA256 of it under the secret key, sent as ``v1,<signature>`` in ``webhook-signature``. Several
signatures are separated by spaces, which is how a secret is rotated: during the overlap each message is
signed with every current secret, and the receiver accepts any one. A symmetric secret is ``whsec_`` and the
base64 of 24 to 64 random bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets as _random
from collections.abc import Sequence

from vaspguard.errors import InvalidRequest

PREFIX = "whsec_"
_MIN_KEY, _MAX_KEY = 24, 64


def new_secret() -> str:
    """A fresh ``whsec_`` secret of 32 random bytes."""
    return PREFIX + base64.b64encode(_random.token_bytes(32)).decode()


def secret_key(secret: str) -> bytes:
    """The key bytes of a ``whsec_`` secret; a malformed one is refused with the reason."""
    if not secret.startswith(PREFIX):
        raise InvalidRequest("secret", f"a webhook secret starts with {PREFIX}")
    try:
        key = base64.b64decode(secret[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise InvalidRequest("secret", "the part after whsec_ is not base64") from None
    if not _MIN_KEY <= len(key) <= _MAX_KEY:
        raise InvalidRequest("secret", f"the key is {len(key)} bytes; {_MIN_KEY} to {_MAX_KEY} are accepted")
    return key


def signature_header(secrets: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """``webhook-signature``: one ``v1,<b64>`` per secret, space-separated (rotation)."""
    if not secrets:
        raise InvalidRequest("secret", "a webhook endpoint needs at least one secret")
    content = msg_id.encode() + b"." + str(timestamp).encode() + b"." + body
    return " ".join(
        "v1," + base64.b64encode(hmac.new(secret_key(s), content, hashlib.sha256).digest()).decode()
        for s in secrets
    )


def signed_headers(secrets: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(secrets, msg_id, timestamp, body),
    }
