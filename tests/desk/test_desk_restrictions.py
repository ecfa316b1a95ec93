"""The Restrictions page and exemption evidence: a withdraw-only customer (Art 5b) with a permanent
residence permit in a Member State becomes unrestricted at once, and the page shows it."""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
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


def test_notices_due_link_to_each_customer(
    client: TestClient, demo: Demo, evaluated: str, make_user: Callable[..., User]
) -> None:
    sign_in(client, make_user("ana", "analyst"))
    page = client.get("/restrictions").text
    due = page.split('id="notices"')[1].split('id="packs"')[0]
    latest = policy.notices(demo.store, limit=1)[0]["evaluation_id"]
    expected = policy.notices(demo.store, evaluation=latest, limit=1000)
    assert len(expected) > 25 and f"The latest 25 notices from evaluation {latest}" in due
    for notice in expected[:25]:
        cid = notice["customer_id"]
        assert f'<a href="/customers/{cid}">{cid}</a>' in due
    assert expected[25]["customer_id"] not in due
    first = expected[0]
    assert first["legal_basis"]["rule_id"] in due  # its rule, and how to prove an exemption
    assert html.escape(first["how_to_prove_exemption"][:60]) in due


def test_no_notice_due_before_any_evaluation(client: TestClient, make_user: Callable[..., User]) -> None:
    sign_in(client, make_user("ana", "analyst"))
    assert "No notice is due" in client.get("/restrictions").text


def _variant(pack: policy.RulePack, *, extra_rule: bool) -> policy.RulePack:
    data = yaml.safe_load((Path(policy.__file__).parent / "packs" / f"{pack.id}.yaml").read_bytes())
    data["description"] = (data.get("description") or "") + " (changed)"
    if extra_rule:
        data["rules"].append({**data["rules"][0], "id": "TEST-EXTRA-RULE"})
    return policy.parse_pack(yaml.safe_dump(data, allow_unicode=True).encode(), "variant")


def test_each_pack_shows_its_versions_and_what_changed(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    packs = policy.builtin_packs()
    target = next(p for p in packs if p.id == "listed-addresses")
    others = [p for p in packs if p.id != target.id]
    later = [[*others, _variant(target, extra_rule=True)], [*others, _variant(target, extra_rule=False)]]
    for version in (packs, *later):
        policy.PolicyService(demo.store, version, log_decisions=False).register_version()
    sign_in(client, make_user("aud", "auditor"))
    html = client.get("/restrictions").text
    section = html.split("<strong>listed-addresses</strong>")[1].split("</details>")[0]
    assert "3 versions" in section
    rows = section.split("<h3>Rules and citations</h3>")[0].split("<tr>")[2:]
    assert "rules removed: TEST-EXTRA-RULE" in rows[0] and "(in force)" not in rows[0]
    assert "rules added: TEST-EXTRA-RULE" in rows[1] and "(in force)" not in rows[1]
    assert "first version" in rows[2] and target.sha256[:12] in rows[2] and "(in force)" in rows[2]
    assert target.spec.rules[0].citation.act in section  # the rules in force with their citations
    other = html.split("<strong>eu-833-2014-art5b</strong>")[1].split("</details>")[0]
    assert "1 version" in other and "TEST-EXTRA-RULE" not in other
