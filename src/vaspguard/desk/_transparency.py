"""The transparency report in the desk: any period's figures (RDR P11a) with bar charts by country and
outcome and a trend by quarter, and downloads as CSV and JSON.

A thin router: the figures are ``LawfulRequests.report`` (what ``vaspguard requests report --json`` gives)
and every rendering is ``vaspguard.requests``' own (``report_body``, ``report_csv``, ``report_json``), so the
page, the downloads and the CLI cannot disagree. The charts are inline SVG drawn on the server (no script, no
inline style, no other origin: the desk's CSP holds). A download is logged (``desk.transparency_export``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from vaspguard.desk._events import log_event
from vaspguard.desk._users import User
from vaspguard.desk._web import DeskRoute, guard, render, store_of
from vaspguard.errors import InvalidRequest

router = APIRouter(route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(guard)])


def _day(value: str, field: str, default: date) -> date:
    if not value.strip():
        return default
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidRequest(field, f"{value[:40]!r} is not a date (YYYY-MM-DD)") from None


def _band(value: str) -> int | None:
    if not value.strip():
        return None
    try:
        band = int(value.strip())
    except ValueError:
        raise InvalidRequest("band", f"{value[:40]!r} is not a whole number") from None
    if band < 1:
        raise InvalidRequest("band", f"a band is a whole number of 1 or more, not {band}")
    return band


def _report(request: Request, start: str, end: str, band: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The period asked for (default: this year to today) and its report."""
    from vaspguard.requests import LawfulRequests, check_period

    today = datetime.now(UTC).date()
    first = _day(start, "from", today.replace(month=1, day=1))
    last = _day(end, "to", today)
    check_period(first, last)
    banded = _band(band)
    query = {"from": first.isoformat(), "to": last.isoformat(), "band": "" if banded is None else str(banded)}
    return LawfulRequests(store_of(request)).report(first, last, band=banded), query


@router.get("/transparency")
def transparency_page(
    request: Request,
    start: str = Query("", alias="from"),
    end: str = Query("", alias="to"),
    band: str = "",
) -> HTMLResponse:
    from vaspguard.requests import report_body

    report, query = _report(request, start, end, band)
    return render(request, "transparency/index.html", body=report_body(report), query=query)


def _download_as(kind: str) -> Callable[..., Response]:
    """The route giving the report as CSV (one row per figure) or JSON (what ``requests report --json``
    prints), at ``/transparency.csv`` and ``/transparency.json``."""

    def download(
        request: Request,
        start: str = Query("", alias="from"),
        end: str = Query("", alias="to"),
        band: str = "",
        user: User = Depends(guard),
    ) -> Response:
        from vaspguard.requests import report_csv, report_json

        report, query = _report(request, start, end, band)
        log_event(store_of(request), "transparency_export", user, format=kind, **query)
        text = report_csv(report) if kind == "csv" else report_json(report)
        name = f"transparency-{query['from']}-{query['to']}.{kind}"
        return Response(
            text,
            media_type="text/csv; charset=utf-8" if kind == "csv" else "application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return download


for _kind in ("csv", "json"):
    router.add_api_route(f"/transparency.{_kind}", _download_as(_kind), methods=["GET"])
