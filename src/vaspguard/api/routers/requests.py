"""HTTP routes of the requests capability."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["requests"])
