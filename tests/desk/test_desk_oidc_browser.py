"""Single sign-on and a rescreen in a real browser (Playwright driving Debian's Chromium): the test OpenID
provider (tests/desk/oidc_idp.py) on 127.0.0.1, the desk on localhost (another site, so the provider's
redirect back is cross-site and the desk's SameSite=Strict cookie is withheld on it, as in production).

Flow: an analyst signs in through the provider and lands on the desk signed in; starts a rescreen on the
Alerts page and watches its progress while the page stays usable; is refused an approval for want of a
passkey, enrols one from the Account page (Chromium's virtual authenticator), signs in with it and then
records the disposition. Screenshots (``VASPGUARD_DESK_SCREENSHOTS=1``): signin-sso, rescreen, account.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from desk_helpers import Demo, desk_served, free_port
from oidc_idp import CLIENT_ID, Served

from vaspguard import screening
from vaspguard.audit import AuditLog

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "desk"

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (make test installs it)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def provider() -> Iterator[Served]:
    served = Served()
    served.idp.claims = {"name": "Sso Analyst", "roles": ["vg-analysts"], "region": "EU", "sub": "sso-1"}
    yield served
    served.stop()


@pytest.fixture
def site(demo: Demo, provider: Served, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    port = free_port()
    origin = f"http://localhost:{port}"
    monkeypatch.setenv("VASPGUARD_DESK_ORIGIN", origin)
    monkeypatch.setenv("VASPGUARD_DESK_OIDC_ISSUER", provider.idp.issuer)
    monkeypatch.setenv("VASPGUARD_DESK_OIDC_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("VASPGUARD_DESK_OIDC_ROLES", "vg-analysts=analyst")
    monkeypatch.setenv("VASPGUARD_DESK_OIDC_LABEL", "Example SSO")
    with desk_served(demo.store, port):
        yield origin


def _shot(page: Any, name: str) -> None:
    if os.environ.get("VASPGUARD_DESK_SCREENSHOTS") == "1":
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _sso_sign_in(page: Any, context: Any, site: str) -> None:
    """To the provider (127.0.0.1) and back (localhost), signed in."""
    page.goto(f"{site}/signin")
    _shot(page, "signin-sso")
    page.get_by_role("link", name="Sign in with Example SSO").click()
    page.wait_for_url(f"{site}/")
    assert "Sso Analyst" in page.inner_text("header")
    desk_cookie = {c["name"]: c for c in context.cookies()}["vg_desk"]
    assert desk_cookie["sameSite"] == "Strict" and desk_cookie["httpOnly"]
    assert "vg_oidc" not in {c["name"] for c in context.cookies()}  # the flow cookie is gone


def _rescreen(page: Any, site: str) -> None:
    """A rescreen from the Alerts page, with progress, while the page stays usable."""
    page.get_by_role("navigation", name="Main").get_by_text("Screening").click()  # open the menu
    page.get_by_role("link", name="Alerts").click()
    page.get_by_label("Every customer against every entry").check()
    page.get_by_role("button", name="Start the rescreen").click()
    status = page.locator("#rescreen-slot [role=status]")
    status.wait_for()
    assert "Rescreen of every customer" in status.inner_text()
    assert page.url.startswith(f"{site}/alerts")  # no navigation: the page polls the job
    _shot(page, "rescreen")
    page.locator("#rescreen-slot", has_text="customers screened").wait_for(timeout=120_000)
    assert "(full): 300 customers screened" in status.inner_text()


def _dispose(page: Any, site: str, alert_id: int) -> None:
    page.goto(f"{site}/alerts/{alert_id}")
    page.get_by_label("False positive").check()
    page.get_by_label("Reason").fill("Different date of birth")
    page.get_by_role("button", name="Record disposition").click()


def _enrol_and_sign_in_with_a_passkey(page: Any, site: str) -> None:
    page.goto(f"{site}/account")
    assert "single sign-on (OIDC)" in page.inner_text("main")
    _shot(page, "account")
    page.get_by_role("button", name="Enrol a passkey on this device").click()
    page.get_by_role("button", name="Create passkey").click()
    page.wait_for_url(f"{site}/")  # still the single sign-on session: sign out, then in with the passkey
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{site}/signin")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url(f"{site}/")


def test_sso_sign_in_rescreen_progress_and_a_passkey_for_approvals(site: str, demo: Demo) -> None:
    alert = next(a for a in screening.list_alerts(demo.store, status="open", limit=500) if a.kind == "name")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        options = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True}
        cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {"options": {**options, "hasUserVerification": True, "isUserVerified": True}},
        )
        _sso_sign_in(page, context, site)
        _rescreen(page, site)
        _dispose(page, site, alert.id)  # an approval needs a passkey: refused
        assert "enrol one on your Account page" in page.inner_text("main")
        assert screening.get_alert(demo.store, alert.id).status == "open"
        _enrol_and_sign_in_with_a_passkey(page, site)
        _dispose(page, site, alert.id)
        assert screening.get_alert(demo.store, alert.id).status == "false_positive"
        browser.close()
    kinds = [e.type for e in AuditLog.open(demo.store).events("desk")]
    assert kinds[0] == "desk.signin" and "desk.rescreen" in kinds and "desk.self_invite" in kinds
    assert kinds[-3:] == ["desk.enrol", "desk.signout", "desk.signin"]
