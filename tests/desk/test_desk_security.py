"""Security properties of the desk that need no browser: headers, escaping, CSRF, sessions, rate limit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from desk_helpers import Demo, sign_in
from fastapi.testclient import TestClient
from sqlalchemy import update

from vaspguard.desk import User
from vaspguard.desk._passkeys import RateLimit
from vaspguard.desk._tables import DeskSessionRow
from vaspguard.store import utcnow


def test_security_headers_on_pages_and_assets(client: TestClient) -> None:
    for url in ("/signin", "/desk-static/desk.css", "/desk-static/htmx/htmx.min.js", "/", "/nope"):
        headers = client.get(url, follow_redirects=False).headers
        csp = headers["content-security-policy"]
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, url
        assert "frame-ancestors 'none'" in csp
        assert "http" not in csp  # no origin but the app's own ('self')
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_pages_have_no_inline_script_or_style(client: TestClient, make_user: Callable[..., User]) -> None:
    sign_in(client, make_user("ana", "admin"))
    for url in ("/", "/alerts", "/alerts/1", "/customers/C0000022", "/users", "/signin"):
        html = client.get(url).text
        assert "<script>" not in html and "style=" not in html and " on" + "click=" not in html, url


def test_a_script_name_is_shown_as_text(client: TestClient, make_user: Callable[..., User]) -> None:
    sign_in(client, make_user("<script>alert('x')</script>", "admin"))
    html = client.get("/users").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html


def test_a_post_without_the_csrf_token_is_refused(client: TestClient, make_user: Callable[..., User]) -> None:
    csrf = sign_in(client, make_user("ana", "analyst"))
    body = {"decision": "false_positive", "reason": "different person"}
    refused = client.post("/alerts/1/disposition", data=body)
    assert refused.status_code == 403 and "security token" in refused.text
    assert client.post("/alerts/1/disposition", data={**body, "csrf": "forged"}).status_code == 403
    done = client.post("/alerts/1/disposition", data={**body, "csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303


def test_an_idle_session_ends(client: TestClient, demo: Demo, make_user: Callable[..., User]) -> None:
    sign_in(client, make_user("ana", "analyst"))
    assert client.get("/alerts", follow_redirects=False).status_code == 200
    with demo.store.connect() as conn:
        conn.execute(update(DeskSessionRow).values(last_seen=utcnow() - timedelta(minutes=31)))
    assert client.get("/alerts", follow_redirects=False).headers["location"] == "/signin"


def test_a_deactivated_user_is_signed_out(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    from vaspguard.desk import deactivate

    user = make_user("ana", "analyst")
    sign_in(client, user)
    deactivate(demo.store, "ana")
    assert client.get("/alerts", follow_redirects=False).status_code == 303


def test_sign_in_is_rate_limited(client: TestClient) -> None:
    client.get("/signin")
    csrf = client.get("/signin").text.split('name="csrf-token" content="')[1].split('"')[0]
    codes = [client.post("/signin/options", headers={"X-CSRF-Token": csrf}).status_code for _ in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_rate_limit_window_forgets() -> None:
    limit = RateLimit(2, 0.0)
    assert limit.hit("a") and limit.hit("a")
    limit = RateLimit(2, 3600)
    assert limit.hit("a") and limit.hit("a") and not limit.hit("a") and limit.hit("b")


def test_sign_in_with_an_unknown_passkey_fails_and_is_logged(client: TestClient, demo: Demo) -> None:
    from vaspguard.audit import AuditLog

    page = client.get("/signin").text
    csrf = page.split('name="csrf-token" content="')[1].split('"')[0]
    client.post("/signin/options", headers={"X-CSRF-Token": csrf})
    response = client.post("/signin/verify", headers={"X-CSRF-Token": csrf}, json={"id": "AAAA"})
    assert response.status_code == 401
    assert [e.type for e in AuditLog.open(demo.store).events("desk")] == ["desk.signin_failed"]


@pytest.mark.parametrize("link", ["/enrol/unknown-token"])
def test_an_unknown_enrolment_link_is_refused(client: TestClient, link: str) -> None:
    response = client.get(link)
    assert response.status_code == 409 and "not valid" in response.text


def test_a_deactivated_users_passkey_no_longer_signs_in(client: TestClient, demo: Demo) -> None:
    from vaspguard.desk import deactivate, invite
    from vaspguard.desk._users import add_passkey, open_invite, passkey

    user, link = invite(demo.store, name="Gone Soon", roles=["analyst"], region="EU")
    _, invite_digest = open_invite(demo.store, link.rsplit("/", 1)[1])
    add_passkey(
        demo.store,
        user_id=user.id,
        invite_sha256=invite_digest,
        credential_id="cred-1",
        public_key=b"k",
        sign_count=0,
    )
    assert passkey(demo.store, "cred-1") is not None
    deactivate(demo.store, "Gone Soon")
    assert passkey(demo.store, "cred-1") is None
    csrf = client.get("/signin").text.split('name="csrf-token" content="')[1].split('"')[0]
    client.post("/signin/options", headers={"X-CSRF-Token": csrf})
    response = client.post("/signin/verify", headers={"X-CSRF-Token": csrf}, json={"id": "cred-1"})
    assert response.status_code == 401 and "deactivated" in response.text


def test_an_invite_enrols_once(demo: Demo) -> None:
    from vaspguard.desk import invite
    from vaspguard.desk._users import add_passkey, open_invite
    from vaspguard.errors import Refused

    user, link = invite(demo.store, name="Once", roles=["analyst"], region="EU")
    _, digest = open_invite(demo.store, link.rsplit("/", 1)[1])
    add_passkey(
        demo.store, user_id=user.id, invite_sha256=digest, credential_id="a", public_key=b"k", sign_count=0
    )
    with pytest.raises(Refused):
        add_passkey(
            demo.store,
            user_id=user.id,
            invite_sha256=digest,
            credential_id="b",
            public_key=b"k",
            sign_count=0,
        )
