"""HTTP routes of the screening capability."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["screening"])
