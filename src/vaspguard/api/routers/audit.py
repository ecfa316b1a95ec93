"""HTTP routes of the audit capability."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["audit"])
