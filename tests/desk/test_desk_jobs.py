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
