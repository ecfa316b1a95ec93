"""Audit fixtures: ``audit`` is an ``AuditLog`` on the per-backend ``store`` with a fresh Ed25519 key."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vaspguard.audit import AuditLog
from vaspguard.store import Store


@pytest.fixture
def audit(store: Store) -> AuditLog:
    return AuditLog(store, signer=Ed25519PrivateKey.generate(), origin="test.example/audit")
