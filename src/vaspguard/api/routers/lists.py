"""HTTP routes of the lists capability."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["lists"])
