"""Dispositions from the desk: false positives at once; a true match only when a second analyst confirms,
never its proposer; then the customer is frozen. The rule can be switched off (then one analyst decides)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from desk_helpers import Demo, sign_in
from fastapi.testclient import TestClient

from vaspguard import policy, screening
from vaspguard.desk import User


def _name_alert(demo: Demo) -> screening.Alert:
    return next(a for a in screening.list_alerts(demo.store, status="open", limit=500) if a.kind == "name")


def test_true_match_takes_two_analysts_and_freezes(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    alert = _name_alert(demo)
    first, second = make_user("first", "analyst"), make_user("second", "analyst")
    csrf = sign_in(client, first)
    body = {"decision": "true_match", "reason": "same date of birth and nationality", "csrf": csrf}
    assert (
        client.post(f"/alerts/{alert.id}/disposition", data=body, follow_redirects=False).status_code == 303
    )
    assert screening.get_alert(demo.store, alert.id).status == "open"  # only proposed
    assert "A second analyst must confirm" in client.get(f"/alerts/{alert.id}").text

    own = client.post(f"/alerts/{alert.id}/confirm", data={"csrf": csrf})
    assert own.status_code == 409 and "four-eyes" in own.text
    assert screening.get_alert(demo.store, alert.id).status == "open"

    csrf = sign_in(client, second)
    assert "Confirm true match" in client.get(f"/alerts/{alert.id}").text
    assert (
        client.post(f"/alerts/{alert.id}/confirm", data={"csrf": csrf}, follow_redirects=False).status_code
        == 303
    )
    assert screening.get_alert(demo.store, alert.id).status == "true_match"
    history = screening.dispositions(demo.store, alert.id)
    assert history[-1]["actor"] == "second" and "proposed by first" in history[-1]["reason"]
    assert policy.customer_state(demo.store, alert.customer_id)["state"] == "frozen"
    assert "frozen" in client.get(f"/customers/{alert.customer_id}").text
    again = client.post(f"/alerts/{alert.id}/confirm", data={"csrf": csrf})
    assert again.status_code == 409


def test_a_false_positive_takes_effect_at_once(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    alert = _name_alert(demo)
    csrf = sign_in(client, make_user("first", "analyst"))
    body = {"decision": "false_positive", "reason": "different person", "csrf": csrf}
    client.post(f"/alerts/{alert.id}/disposition", data=body)
    assert screening.get_alert(demo.store, alert.id).status == "false_positive"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"decision": "true_match", "reason": "  "}, "needs a reason"),
        ({"decision": "maybe", "reason": "x"}, "is not true_match or false_positive"),
    ],
)
def test_a_bad_disposition_is_one_line(
    client: TestClient, demo: Demo, make_user: Callable[..., User], body: dict[str, str], message: str
) -> None:
    alert = _name_alert(demo)
    csrf = sign_in(client, make_user("first", "analyst"))
    response = client.post(f"/alerts/{alert.id}/disposition", data={**body, "csrf": csrf})
    assert response.status_code == 400 and message in response.text and "Traceback" not in response.text


def test_without_four_eyes_one_analyst_decides(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    client.app.state.desk_settings.four_eyes = False  # type: ignore[attr-defined]
    alert = _name_alert(demo)
    csrf = sign_in(client, make_user("first", "analyst"))
    body = {"decision": "true_match", "reason": "same person", "csrf": csrf}
    client.post(f"/alerts/{alert.id}/disposition", data=body)
    assert screening.get_alert(demo.store, alert.id).status == "true_match"
    assert policy.customer_state(demo.store, alert.customer_id)["state"] == "frozen"


def test_the_queue_pages_by_keyset_without_repeats(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    sign_in(client, make_user("aud", "auditor"))
    seen: list[str] = []
    url = "/alerts?status="
    while url:
        html = client.get(url).text
        seen += [part.split('"')[0] for part in html.split('<a href="/alerts/')[1:]]
        nxt = html.split('class="next" href="')
        url = nxt[1].split('"')[0].replace("&amp;", "&") if len(nxt) > 1 else ""
    assert len(seen) == len(set(seen)) == sum(screening.count_alerts(demo.store).values())
    assert client.get("/alerts?after=%%%").status_code == 400
