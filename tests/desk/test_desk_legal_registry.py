"""The legal desk's registries: authorities, protected parties, operators (with their desk users) and the
request policy view. Each action is audited, refused for the wrong roles with nothing stored, answers a bad
field beside the field (400, nothing stored), and shows user text escaped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from desk_helpers import Demo, sign_in
from fastapi.testclient import TestClient
from legal_registry_helpers import key_of

from vaspguard.audit import AuditLog
from vaspguard.desk import User
from vaspguard.errors import NotFound
from vaspguard.requests import LawfulRequests, VerificationStatus, default_policy
from vaspguard.store import utcnow

SCRIPT = '<script>alert("x")</script>'
KEY = "ab" * 32


def _audit(demo: Demo, kind: str) -> list[Any]:
    return list(AuditLog.open(demo.store).events(kind))


def test_legal_adds_an_authority_as_unverified_and_it_is_logged(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    csrf = sign_in(client, make_user("Lena Legal", "legal"))
    form = {
        "csrf": csrf,
        "id": "DE-FIU",
        "name": f"Financial Intelligence Unit {SCRIPT}",
        "country": "de",
        "class": "financial_intelligence_unit",
        "linked": "demo-de-police",
        "callback_number": "+49 228 99 406 0",
        "callback_source": "zoll.de contact page, 2026-11-30",
    }
    added = client.post("/legal/authorities", data=form, follow_redirects=False)
    assert (added.status_code, added.headers["location"]) == (303, "/legal/authorities/DE-FIU")
    agency = LawfulRequests(demo.store).get_agency("DE-FIU")
    assert agency.verification_status is VerificationStatus.UNVERIFIED
    assert agency.linked_ids == ("demo-de-police",)
    entry = _audit(demo, "requests.authority.add")[-1]
    assert entry.entry.actor == "desk:Lena Legal"

    page = client.get("/legal/authorities/DE-FIU")
    assert SCRIPT not in page.text and "&lt;script&gt;" in page.text
    assert "zoll.de contact page, 2026-11-30" in page.text
    assert "linked to" in page.text and "Demo State Criminal Police Office" in page.text
    listing = client.get("/legal/authorities")
    assert SCRIPT not in listing.text and "unverified" in listing.text


def test_a_bad_authority_is_answered_beside_its_fields_and_not_stored(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    csrf = sign_in(client, make_user("Lena Legal", "legal"))
    form = {"csrf": csrf, "id": "X-1", "name": "X", "country": "Germany", "class": "police", "parent": "nope"}
    answer = client.post("/legal/authorities", data=form)
    assert answer.status_code == 400
    assert 'id="e-country"' in answer.text
    assert 'value="Germany"' in answer.text  # what was typed stays in the form
    with_unknown_parent = client.post("/legal/authorities", data={**form, "country": "DE"})
    assert with_unknown_parent.status_code == 400
    assert 'id="e-parent"' in with_unknown_parent.text and "is not registered" in with_unknown_parent.text
    over = client.post(
        "/legal/authorities", data={**form, "id": "demo-nl-fiu", "country": "NL", "parent": ""}
    )
    assert over.status_code == 400 and "demo-nl-fiu is registered already" in over.text
    assert (
        LawfulRequests(demo.store).get_agency("demo-nl-fiu").verification_status
        is VerificationStatus.VERIFIED
    )
    try:
        LawfulRequests(demo.store).get_agency("X-1")
        raise AssertionError("a refused agency was stored")
    except NotFound:
        pass


def test_verification_is_legal_only_and_logged(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    for role in ("privacy", "regional_lead", "executive", "auditor", "security"):
        csrf = sign_in(client, make_user(f"Someone {role}", role))
        url = "/legal/authorities/demo-ru-security/verification"
        assert client.post(url, data={"csrf": csrf, "status": "verified"}).status_code == 403, role
        add = client.post("/legal/authorities", data={"csrf": csrf, "id": "Z", "name": "Z", "country": "DE"})
        assert add.status_code == 403, role
    svc = LawfulRequests(demo.store)
    assert svc.get_agency("demo-ru-security").verification_status is VerificationStatus.UNVERIFIED

    csrf = sign_in(client, make_user("Lena Legal", "legal"))
    bad = client.post("/legal/authorities/demo-ru-security/verification", data={"csrf": csrf, "status": "ok"})
    assert bad.status_code == 400 and "is not one of" in bad.text
    done = client.post(
        "/legal/authorities/demo-ru-security/verification", data={"csrf": csrf, "status": "suspended"}
    )
    assert done.status_code == 200 and "suspended" in done.text  # followed to the authority's page
    assert svc.get_agency("demo-ru-security").verification_status is VerificationStatus.SUSPENDED
    assert (
        _audit(demo, "requests.authority.update")[-1].payload["agency"]["verification_status"] == "suspended"
    )
    client.post("/legal/authorities/demo-nl-fiu/verification", data={"csrf": csrf, "status": "verified"})
    assert svc.get_agency("demo-nl-fiu").verified_on == utcnow().date()


def test_protected_party_with_addresses(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    csrf = sign_in(client, make_user("Pia Privacy", "privacy"))
    form = {
        "csrf": csrf,
        "id": "press-freedom",
        "name": f"Press Freedom {SCRIPT}",
        "kind": "ngo",
        "country": "lt",
        "addresses": "bc1qpressfreedom0000000000000000000000000 bitcoin donations\n"
        "0x52908400098527886E0F7030069857D2E4169EE7 ethereum",
    }
    assert client.post("/legal/protected", data=form).status_code == 200  # followed to the party's page
    party = LawfulRequests(demo.store).get_party("press-freedom")
    assert [(a.chain, a.label) for a in party.addresses] == [("bitcoin", "donations"), ("ethereum", None)]
    page = client.get("/legal/protected/press-freedom")
    assert "bc1qpressfreedom0000000000000000000000000" in page.text
    assert SCRIPT not in page.text and "&lt;script&gt;" in client.get("/legal/protected").text
    assert _audit(demo, "requests.protected.add")[-1].entry.actor == "desk:Pia Privacy"

    bad = client.post("/legal/protected", data={**form, "id": "p2", "kind": "club"})
    assert bad.status_code == 400 and 'id="e-kind"' in bad.text
    over = client.post("/legal/protected", data={**form, "id": "free-voices-foundation"})
    assert over.status_code == 400 and 'id="e-id"' in over.text
    csrf = sign_in(client, make_user("Rita Lead", "regional_lead"))
    assert client.post("/legal/protected", data={**form, "csrf": csrf, "id": "p3"}).status_code == 403
    assert [p.id for p in LawfulRequests(demo.store).list_parties()] == [
        "free-voices-foundation",
        "press-freedom",
    ]


def test_operators_are_added_by_security_and_linked_to_matching_desk_users(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    legal_us = make_user("Uma Legal", "legal", region="US")
    privacy_eu = make_user("Pia Privacy", "privacy")
    csrf = sign_in(client, make_user("Sam Security", "security"))
    bad = client.post(
        "/legal/operators",
        data={"csrf": csrf, "name": "op x/1", "role": "boss", "region": "EU", "public_key": "zz"},
    )
    assert bad.status_code == 400 and 'id="e-role"' in bad.text and 'id="e-public_key"' in bad.text
    assert 'id="e-name"' in bad.text
    form = {"csrf": csrf, "name": "legal-eu-2", "role": "legal", "region": "eu", "public_key": KEY}
    assert client.post("/legal/operators", data=form, follow_redirects=False).status_code == 303
    again = client.post("/legal/operators", data=form)
    assert again.status_code == 400 and "already exists" in again.text
    assert LawfulRequests(demo.store).get_operator("legal-eu-2").region == "EU"

    link = "/legal/operators/legal-eu-2/link"
    wrong_region = client.post(link, data={"csrf": csrf, "user": legal_us.name})
    assert wrong_region.status_code == 400 and "region US" in wrong_region.text
    wrong_role = client.post(link, data={"csrf": csrf, "user": str(privacy_eu.id)})
    assert wrong_role.status_code == 400 and "does not hold the desk role legal" in wrong_role.text
    lena = make_user("Lena Legal", "legal")
    assert (
        client.post(link, data={"csrf": csrf, "user": "Lena Legal"}, follow_redirects=False).status_code
        == 303
    )
    assert "Lena Legal" in client.get("/legal/operators").text
    twice = client.post("/legal/operators/demo-legal/link", data={"csrf": csrf, "user": str(lena.id)})
    assert twice.status_code == 409 and "already acts as operator legal-eu-2" in twice.text
    assert [e.payload["operator"] for e in _audit(demo, "requests.operator.link")] == ["legal-eu-2"]

    csrf = sign_in(client, lena)
    add = client.post(
        "/legal/operators", data={**form, "csrf": csrf, "name": "sneaky", "public_key": "cd" * 32}
    )
    assert add.status_code == 403
    assert client.post(link, data={"csrf": csrf, "user": "Lena Legal"}).status_code == 403


def test_deactivation_needs_a_reason_and_the_right_role(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    svc = LawfulRequests(demo.store)
    csrf = sign_in(client, make_user("Pia Privacy", "privacy"))
    url = "/legal/operators/demo-legal-us/deactivate"
    assert client.post(url, data={"csrf": csrf, "reason": "left"}).status_code == 403
    csrf = sign_in(client, make_user("Lena Legal", "legal"))
    assert client.post(url, data={"csrf": csrf, "reason": " "}).status_code == 400
    assert svc.get_operator("demo-legal-us").active
    done = client.post(url, data={"csrf": csrf, "reason": "key on a lost laptop", "compromised": "yes"})
    assert done.status_code == 200 and "can file, approve, reject or narrow nothing more" in done.text
    assert not svc.get_operator("demo-legal-us").active
    assert svc.compromised_operators() == {"demo-legal-us"}
    csrf = sign_in(client, make_user("Sam Security", "security"))
    link = client.post("/legal/operators/demo-legal-us/link", data={"csrf": csrf, "user": "Lena Legal"})
    assert link.status_code == 409 and "deactivated" in link.text


def test_the_policy_page_shows_versions_and_their_weakenings(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    svc = LawfulRequests(demo.store)
    weaker = default_policy().text.replace("max_extensions: 1", "max_extensions: 3")
    svc.install_policy(
        weaker,
        operator="demo-legal",
        key=key_of(demo, "demo-legal"),
        accept_weakening=True,
        reason=f"court backlog {SCRIPT}",
    )
    sign_in(client, make_user("Ada Auditor", "auditor"))
    page = client.get("/legal/policy")
    assert page.status_code == 200
    assert svc.policy().version in page.text and "(in force)" in page.text
    assert "preservation.max_extensions: 1 -&gt; 3" in page.text
    assert SCRIPT not in page.text and "court backlog &lt;script&gt;" in page.text
    assert "vaspguard requests policy install" in page.text and "/requests/policy/install" not in page.text
    sign_in(client, make_user("Lena Legal", "legal"))
    assert 'href="/requests/policy/install"' in client.get("/legal/policy").text  # legal may install
    sign_in(client, make_user("Ann Analyst", "analyst"))
    assert client.get("/legal/policy").status_code == 403
