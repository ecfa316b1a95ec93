"""The Restrictions page and exemption evidence: a withdraw-only customer (Art 5b) with a permanent
residence permit in a Member State becomes unrestricted at once, and the page shows it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from desk_helpers import Demo, sign_in
from fastapi.testclient import TestClient

from vaspguard import policy
from vaspguard.desk import User
from vaspguard.store import utcnow


@pytest.fixture
def evaluated(demo: Demo) -> str:
    """Evaluate the demo today; returns a withdraw-only customer under Art 5b."""
    service = policy.PolicyService(demo.store, log_decisions=False)
    policy.evaluate(demo.store, service.engine, utcnow().date())
    return str(
        policy.restricted(demo.store, state="withdraw-only", rule="EU-833-5B2-2025-2033")[0]["customer_id"]
    )


def test_the_page_shows_states_rules_changes_and_packs(
    client: TestClient, evaluated: str, make_user: Callable[..., User]
) -> None:
    sign_in(client, make_user("aud", "auditor"))
    html = client.get("/restrictions").text
    assert "EU-833-5B2-2025-2033" in html and "withdraw-only" in html and "Policy version" in html
    only = client.get("/restrictions?state=withdraw-only&rule=EU-833-5B2-2025-2033").text
    assert evaluated in only and "OFAC-IRAN" not in only.split("Restricted customers")[1].split("Latest")[0]
    assert client.get("/restrictions?state=gone").status_code == 400


def test_what_would_happen(client: TestClient, evaluated: str, make_user: Callable[..., User]) -> None:
    csrf = sign_in(client, make_user("ana", "analyst"))
    form = {"csrf": csrf, "customer_id": evaluated, "action": "deposit", "at": utcnow().date().isoformat()}
    answer = client.post("/restrictions/what-if", data=form, headers={"HX-Request": "true"}).text
    assert "<strong>deny</strong>" in answer and "EU-833-5B2-2025-2033" in answer and "<html" not in answer
    wrong = client.post("/restrictions/what-if", data={**form, "action": "fly"}).text
    assert "unknown action" in wrong


def test_exemption_evidence_lifts_withdraw_only(
    client: TestClient, demo: Demo, evaluated: str, make_user: Callable[..., User]
) -> None:
    csrf = sign_in(client, make_user("ana", "analyst"))
    body = {
        "csrf": csrf,
        "country": "DE",
        "permit_kind": "permanent",
        "valid_from": "2020-01-01",
        "document": "DE-1",
    }
    bad = client.post(f"/customers/{evaluated}/evidence", data={**body, "valid_from": "soon"})
    assert bad.status_code == 400 and "valid_from" in bad.text
    assert policy.customer_state(demo.store, evaluated)["state"] == "withdraw-only"
    done = client.post(f"/customers/{evaluated}/evidence", data=body, follow_redirects=False)
    assert done.status_code == 303
    assert policy.customer_state(demo.store, evaluated)["state"] == "unrestricted"
    page = client.get(f"/customers/{evaluated}").text
    assert 'withdraw-only</span> → <span class="badge state-unrestricted">unrestricted' in page
