"""The roles an API token (and, later, a desk user) holds. Kept apart from the API so the CLI can name them
without loading the web stack."""

from __future__ import annotations

import enum

__all__ = ["Role"]


class Role(enum.StrEnum):
    ADMIN = "admin"  # everything, including token management
    COMPLIANCE = "compliance"  # screening, alerts, dispositions, policy
    LEGAL = "legal"  # lawful requests
    AUDITOR = "auditor"  # read-only, including the audit log
    SERVICE = "service"  # machine callers on the hot path: decisions, screening
    READER = "reader"  # read-only registry
