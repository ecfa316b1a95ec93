"""Long work from the desk: an evaluation runs in the background and the page polls its progress."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from desk_helpers import Demo, sign_in
from fastapi.testclient import TestClient

from vaspguard import policy
from vaspguard.desk import User


def test_an_evaluation_runs_in_the_background(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    csrf = sign_in(client, make_user("ana", "analyst"))
    assert policy.restriction_counts(demo.store) == {}
    started = client.post("/restrictions/evaluate", data={"csrf": csrf}, headers={"HX-Request": "true"})
    assert started.status_code == 200 and 'hx-trigger="every 1s"' in started.text
    job = re.search(r'hx-get="/jobs/([^"]+)"', started.text)
    assert job is not None
    deadline = time.monotonic() + 120  # a wait for the thread, not a timing
    while "done" not in (page := client.get(f"/jobs/{job.group(1)}").text):
        assert time.monotonic() < deadline and "failed" not in page
        time.sleep(0.2)
    assert "every 1s" not in page and "changed state" in page
    assert sum(policy.restriction_counts(demo.store).values()) > 0
    assert client.get("/jobs/nope").status_code == 404


def _finish(client: TestClient, started: str) -> str:
    job = re.search(r'hx-get="/jobs/([^"]+)"', started)
    assert job is not None
    deadline = time.monotonic() + 120  # a wait for the thread, not a timing
    while "every 1s" in (page := client.get(f"/jobs/{job.group(1)}").text):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    return page


def test_a_rescreen_runs_in_the_background_and_is_audited(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    from vaspguard.audit import AuditLog
    from vaspguard.screening import last_run

    csrf = sign_in(client, make_user("ana", "analyst"))
    assert "Start the rescreen" in client.get("/alerts").text
    before = last_run(demo.store)
    started = client.post("/screening/rescreen", data={"csrf": csrf, "scope": "full"})
    assert started.status_code == 200 and "Rescreen of every customer" in started.text
    page = _finish(client, started.text)
    assert "done" in page and "(full): 300 customers screened" in page and 'href="/alerts"' in page
    after = last_run(demo.store)
    assert after is not None and before is not None and after[0] > before[0]
    kinds = [e.type for e in AuditLog.open(demo.store).events("desk")]
    assert kinds[-2:] == ["desk.rescreen_started", "desk.rescreen"]
    again = _finish(client, client.post("/screening/rescreen", data={"csrf": csrf}).text)
    assert "(incremental)" in again and "Rescreen of what changed" in again


def test_a_rescreen_refuses_an_unknown_scope_and_other_roles(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    csrf = sign_in(client, make_user("ana", "analyst"))
    bad = client.post("/screening/rescreen", data={"csrf": csrf, "scope": "everything"})
    assert bad.status_code == 400 and "scope" in bad.text and "is not one of changes, full" in bad.text
    assert "Traceback" not in bad.text
    csrf = sign_in(client, make_user("aud", "auditor"))
    assert "Start the rescreen" not in client.get("/alerts").text
    assert client.post("/screening/rescreen", data={"csrf": csrf}).status_code == 403
