"""The route x role table is what the server enforces: every desk route is in it, and each role is refused
(403) exactly where the table does not admit it, for GET and POST alike."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from desk_helpers import sign_in
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from vaspguard.desk import ACCESS, PUBLIC, DeskRole, User

SAMPLE = {
    "alert_id": "1",
    "customer_id": "C0000022",
    "token": "x",
    "index": "0",
    "job_id": "x",
    "request_id": "LR-x",
}
# the legal registries and notices (the demo's records)
SAMPLE.update(
    {
        "agency_id": "demo-de-police",
        "party_id": "free-voices-foundation",
        "name": "demo-legal",
        "notice_id": "1",
    }
)


def test_every_desk_route_is_in_the_table() -> None:
    from vaspguard.desk import _oidc, _passkeys, guarded_routers

    guarded = {
        (m, r.path)
        for router in guarded_routers()
        for r in router.routes
        if isinstance(r, APIRoute)
        for m in r.methods
    }
    public = {
        (m, r.path)
        for router in (_passkeys.router, _oidc.router)
        for r in router.routes
        if isinstance(r, APIRoute)
        for m in r.methods
    }
    assert guarded == set(ACCESS)
    assert public == PUBLIC


@pytest.mark.parametrize("role", list(DeskRole))
def test_each_role_is_refused_where_the_table_says(
    client: TestClient, make_user: Callable[..., User], role: DeskRole
) -> None:
    csrf = sign_in(client, make_user(f"only-{role}", role.value))
    for (method, path), admitted in sorted(ACCESS.items()):
        url = re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m.group(1)], path)
        if method == "GET":
            response = client.get(url, follow_redirects=False)
        else:  # a valid CSRF token, so only the role decides; the body is deliberately incomplete
            response = client.post(url, data={"csrf": csrf}, follow_redirects=False)
        allowed = role in admitted or role is DeskRole.ADMIN
        if allowed:
            assert response.status_code != 403, (role, method, path, response.text[:300])
        else:
            assert response.status_code == 403, (role, method, path)
            assert "do not open" in response.text
    _wait_for_jobs(client)


def _wait_for_jobs(client: TestClient) -> None:
    """Background jobs the walk started (an evaluation) end before the database goes away."""
    import time

    deadline = time.monotonic() + 120
    jobs = getattr(client.app.state, "desk_jobs", {})  # type: ignore[attr-defined]
    while any(job.state == "running" for job in jobs.values()):
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_signed_out_pages_redirect_to_sign_in(client: TestClient) -> None:
    for method, path in ACCESS:
        if method == "GET":
            url = re.sub(r"\{(\w+)\}", lambda m: SAMPLE[m.group(1)], path)
            response = client.get(url, follow_redirects=False)
            assert (response.status_code, response.headers["location"]) == (303, "/signin"), path
    assert client.post("/alerts/1/confirm", data={}).status_code == 401


def test_the_docs_print_the_table() -> None:
    from pathlib import Path

    from vaspguard.desk._access import access_table

    docs = Path(__file__).resolve().parents[2] / "docs" / "desk.md"
    assert access_table() in docs.read_text(encoding="utf-8")
