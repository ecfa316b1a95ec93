"""OIDC single sign-on against a real OpenID provider on loopback (tests/desk/oidc_idp.py): authorization code
with PKCE; the state, nonce, verifier, issuer, audience, expiry and signature are each checked, and each
refusal is one line and an audit entry. Roles come from the configured claim; approvals still need a
passkey."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from desk_helpers import Demo, sign_in
from fastapi.testclient import TestClient
from oidc_idp import CLIENT_ID, IdP, Served

from vaspguard.audit import AuditLog
from vaspguard.desk import User
from vaspguard.errors import InvalidRequest

ANALYST = {"name": "Sso Analyst", "roles": ["vg-analysts", "staff"], "region": "kr"}


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    server = Served()
    yield server
    server.stop()


@pytest.fixture
def idp(served: Served) -> Iterator[IdP]:
    served.idp.claims = dict(ANALYST)
    served.idp.tamper = {}
    yield served.idp


@pytest.fixture
def sso(demo: Demo, idp: IdP, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    from vaspguard.api import create_app

    monkeypatch.setenv("VASPGUARD_DESK_OIDC_ISSUER", idp.issuer)
    monkeypatch.setenv("VASPGUARD_DESK_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("VASPGUARD_DESK_OIDC_ROLES", "vg-analysts=analyst,vg-auditors=auditor")
    with TestClient(create_app(demo.store), base_url="http://localhost:8000") as c:
        yield c


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _authorize(client: TestClient) -> str:
    """Start a sign-in at the desk and let the provider answer; returns the desk callback it redirects to."""
    start = client.get("/signin/oidc", follow_redirects=False)
    assert start.status_code == 303, start.text
    answer = httpx.get(start.headers["location"], follow_redirects=False)
    assert answer.status_code == 302, answer.text
    return _local(answer.headers["location"])


def _audit(demo: Demo, kind: str) -> list[dict[str, object]]:
    return [e.payload or {} for e in AuditLog.open(demo.store).events(kind)]


def test_sign_in_creates_the_user_with_roles_from_the_claim(sso: TestClient, demo: Demo, idp: IdP) -> None:
    done = sso.get(_authorize(sso))
    assert done.status_code == 200 and 'http-equiv="refresh"' in done.text
    home = sso.get("/")
    assert "Sso Analyst" in home.text and "analyst · KR" in home.text
    start = sso.get("/signin/oidc", follow_redirects=False)
    query = dict(p.split("=", 1) for p in urlsplit(start.headers["location"]).query.split("&"))
    assert query["code_challenge_method"] == "S256" and query["nonce"] and query["state"]
    assert idp.token_requests[-1]["code_verifier"]  # the verifier went to the token endpoint
    assert _audit(demo, "desk.signin")[-1] == {"method": "oidc", "issuer": idp.issuer}
    idp.claims = {**ANALYST, "roles": ["vg-auditors"], "region": "EU"}  # the provider is the authority
    sso.get(_authorize(sso))
    assert "Sso Analyst" in (page := sso.get("/").text) and "auditor · EU" in page
    users = sso.get("/account").text
    assert "single sign-on (OIDC)" in users


@pytest.mark.parametrize(
    ("tamper", "claims", "line"),
    [
        ({"nonce": "another"}, {}, "ID token was refused (Invalid claim: &#39;nonce&#39;)"),
        ({"aud": "someone-else"}, {}, "ID token was refused (Invalid claim: &#39;aud&#39;)"),
        ({"iss": "https://evil.example"}, {}, "ID token was refused (Invalid claim: &#39;iss&#39;)"),
        ({"exp": 1_000_000_000}, {}, "ID token was refused (The token is expired)"),
        ({"rogue_key": True}, {}, "signature does not verify"),
        ({"drop": ["roles"]}, {}, "no &#39;roles&#39; claim"),
        ({}, {"roles": ["staff"]}, "no value of the &#39;roles&#39; claim (staff) maps to a desk role"),
        ({"drop": ["region"]}, {}, "no usable &#39;region&#39; claim"),
    ],
)
def test_a_bad_id_token_is_refused_in_one_line_and_logged(
    sso: TestClient, demo: Demo, idp: IdP, tamper: dict[str, object], claims: dict[str, object], line: str
) -> None:
    idp.tamper = tamper
    idp.claims = {**ANALYST, **claims}
    refused = sso.get(_authorize(sso))
    assert refused.status_code == 401 and line in refused.text, refused.text[-900:]
    assert "single sign-on failed" in refused.text and "Traceback" not in refused.text
    assert sso.get("/", follow_redirects=False).status_code == 303  # not signed in
    assert line.replace("&#39;", "'") in str(_audit(demo, "desk.signin_failed")[-1]["reason"])


def test_the_state_must_be_this_browsers(sso: TestClient, demo: Demo) -> None:
    callback = _authorize(sso)
    forged = callback.replace("state=", "state=x")
    refused = sso.get(forged)
    assert (
        refused.status_code == 401 and "state in the answer is not the one this browser sent" in refused.text
    )
    again = sso.get(callback)  # the flow was used up by the refusal
    assert again.status_code == 401 and "no single sign-on is in progress" in again.text


def test_a_stolen_code_is_useless_without_its_verifier(sso: TestClient, demo: Demo, idp: IdP) -> None:
    """PKCE: the attacker's own sign-in (own state, own verifier) with a code issued to the victim's."""
    victim = TestClient(sso.app, base_url="http://localhost:8000")
    stolen = dict(p.split("=", 1) for p in urlsplit(_authorize(victim)).query.split("&"))["code"]
    mine = dict(p.split("=", 1) for p in urlsplit(_authorize(sso)).query.split("&"))
    refused = sso.get(f"/signin/oidc/callback?code={stolen}&state={mine['state']}")
    assert (
        refused.status_code == 401 and "refused the code" in refused.text and "invalid_grant" in refused.text
    )
    assert idp.token_requests[-1]["code"] == stolen


def test_approvals_need_a_passkey_and_the_account_page_enrols_one(sso: TestClient, demo: Demo) -> None:
    from vaspguard import screening

    sso.get(_authorize(sso))
    csrf = sso.get("/account").text.split('name="csrf-token" content="')[1].split('"')[0]
    alert = screening.list_alerts(demo.store, status="open", limit=1)[0]
    body = {"csrf": csrf, "decision": "false_positive", "reason": "not the person"}
    refused = sso.post(f"/alerts/{alert.id}/disposition", data=body)
    assert refused.status_code == 403 and "enrol one on your Account page" in refused.text
    assert screening.get_alert(demo.store, alert.id).status == "open"
    enrol = sso.post("/account/passkey", data={"csrf": csrf}, follow_redirects=False)
    assert enrol.status_code == 303 and enrol.headers["location"].startswith("/enrol/")
    assert "Sso Analyst" in sso.get(enrol.headers["location"]).text
    assert _audit(demo, "desk.self_invite")


def test_a_passkey_session_still_approves(
    client: TestClient, make_user: Callable[..., User], demo: Demo
) -> None:
    from vaspguard import screening

    csrf = sign_in(client, make_user("ana", "analyst"))
    alert = screening.list_alerts(demo.store, status="open", limit=1)[0]
    body = {"csrf": csrf, "decision": "false_positive", "reason": "not the person"}
    assert client.post(f"/alerts/{alert.id}/disposition", data=body).status_code in (200, 303)
    assert screening.get_alert(demo.store, alert.id).status == "false_positive"


def test_sso_is_off_unless_configured(client: TestClient) -> None:
    off = client.get("/signin/oidc")
    assert off.status_code == 404 and "single sign-on is not configured" in off.text
    assert "/signin/oidc" not in client.get("/signin").text


def test_a_bad_role_mapping_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from vaspguard.desk._oidc import OidcSettings

    monkeypatch.setenv("VASPGUARD_DESK_OIDC_ROLES", "vg-analysts=analyzer")
    with pytest.raises(InvalidRequest, match="unknown role 'analyzer'"):
        OidcSettings().role_map()
