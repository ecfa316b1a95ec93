"""The desk in a real browser: Playwright driving Debian's Chromium, passkeys through Chromium's virtual
authenticator (DevTools ``WebAuthn`` domain). The server runs in a thread on a free port over the demo.

Flows: invite, enrol, sign in, sign out; a wrong role gets 403 on each protected page; the four-eyes
``true_match`` ending with the customer frozen; exemption evidence lifting withdraw-only; an auditor's bundle
download that ``audit verify`` accepts; a disposition by keyboard alone and an Arabic name right to left; a
``<script>`` name shown as text; axe-core finding no serious or critical violation on any page, and no page
wider than a 390 px phone. Screenshots of each page go to docs/desk/ (``VASPGUARD_DESK_SCREENSHOTS=1``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from desk_helpers import Demo, desk_served, free_port

from vaspguard import policy, screening
from vaspguard.desk import ACCESS, invite

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "desk"

if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (make test installs it)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture
def site(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    port = free_port()
    origin = f"http://localhost:{port}"
    monkeypatch.setenv("VASPGUARD_DESK_ORIGIN", origin)
    with desk_served(demo.store, port):
        yield origin


@pytest.fixture
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Person:
    """One person at their own browser profile, with their own passkey device (a virtual authenticator)."""

    def __init__(self, browser: object, site: str, **context: object) -> None:
        self.site = site
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, **context)  # type: ignore[attr-defined]
        self.page = self.context.new_page()
        cdp = self.context.new_cdp_session(self.page)
        cdp.send("WebAuthn.enable")
        cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                }
            },
        )

    def enrol(self, link: str) -> None:
        self.page.goto(link)
        self.page.get_by_role("button", name="Create passkey").click()
        self.page.wait_for_url(f"{self.site}/signin")

    def sign_in(self) -> None:
        self.page.goto(f"{self.site}/signin")
        self.page.get_by_role("button", name="Sign in with a passkey").click()
        self.page.wait_for_url(f"{self.site}/")

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_url(f"{self.site}/signin")

    def shot(self, name: str) -> None:
        if os.environ.get("VASPGUARD_DESK_SCREENSHOTS") == "1":
            SHOTS.mkdir(exist_ok=True)
            self.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _person(browser: object, site: str, demo: Demo, name: str, *roles: str, **context: object) -> Person:
    _, link = invite(demo.store, name=name, roles=roles, region="EU")
    person = Person(browser, site, **context)
    person.enrol(link)
    person.sign_in()
    return person


def test_invite_enrol_sign_in_sign_out(site: str, browser: object, demo: Demo) -> None:
    from vaspguard.audit import AuditLog

    _, link = invite(demo.store, name="Ana Lyst", roles=["analyst"], region="EU")
    ana = Person(browser, site)
    ana.page.goto(link)
    assert "This link enrols Ana Lyst" in ana.page.inner_text("main")
    ana.shot("enrol")
    ana.page.get_by_role("button", name="Create passkey").click()
    ana.page.wait_for_url(f"{site}/signin")
    ana.shot("signin")
    ana.page.goto(link)  # the link works once
    assert "not valid" in ana.page.inner_text("main")
    before = {c["name"]: c for c in ana.context.cookies()}["vg_desk"]
    ana.sign_in()
    after = {c["name"]: c for c in ana.context.cookies()}["vg_desk"]
    assert after["value"] != before["value"]  # a new session at sign-in
    assert after["httpOnly"] and after["sameSite"] == "Strict"
    assert "Ana Lyst" in ana.page.inner_text("header")
    ana.shot("attention")
    ana.sign_out()
    ana.page.goto(f"{site}/alerts")
    assert ana.page.url == f"{site}/signin"  # signed out for real
    kinds = [e.type for e in AuditLog.open(demo.store).events("desk")]
    assert kinds == ["desk.enrol", "desk.signin", "desk.signout"]


def test_a_wrong_role_gets_403_on_each_protected_page(site: str, browser: object, demo: Demo) -> None:
    outsider = _person(browser, site, demo, "Exe Cutive", "executive")
    samples = {"alert_id": "1", "customer_id": "C0000022", "index": "0", "job_id": "x"}
    for (method, path), admitted in ACCESS.items():
        if method != "GET" or "executive" in admitted:
            continue
        url = site + re.sub(r"\{(\w+)\}", lambda m: samples[m.group(1)], path)
        response = outsider.page.goto(url)
        assert response is not None and response.status == 403, path
        assert "Not for your role" in outsider.page.inner_text("main")
    outsider.shot("forbidden")


def test_four_eyes_true_match_freezes_the_customer(site: str, browser: object, demo: Demo) -> None:
    alert = next(a for a in screening.list_alerts(demo.store, status="open", limit=500) if a.kind == "name")
    first = _person(browser, site, demo, "First Analyst", "analyst")
    first.page.get_by_role("navigation", name="Main").get_by_text("Screening").click()  # open the menu
    first.page.get_by_role("link", name="Alerts").click()
    first.shot("alerts")
    first.page.goto(f"{site}/alerts/{alert.id}")
    first.page.get_by_label("True match").check()
    first.page.get_by_label("Reason").fill("Same date of birth and nationality as the listed person")
    first.shot("alert")
    first.page.get_by_role("button", name="Record disposition").click()
    assert "A second analyst must confirm it" in first.page.inner_text("main")
    assert first.page.get_by_role("button", name=re.compile("Confirm")).count() == 0

    second = _person(browser, site, demo, "Second Analyst", "analyst")
    second.page.goto(f"{site}/alerts/{alert.id}")
    second.shot("alert-confirm")
    second.page.get_by_role("button", name=re.compile("Confirm true match")).click()
    assert "true_match" in second.page.inner_text("h1")
    second.page.get_by_role("link", name=alert.customer_id).first.click()
    assert "frozen" in second.page.inner_text("main")
    second.shot("customer")
    assert policy.customer_state(demo.store, alert.customer_id)["state"] == "frozen"


def test_a_script_name_is_shown_as_text(site: str, browser: object, demo: Demo) -> None:
    name = "<script>window.pwned=1</script><img src=x>"
    admin = _person(browser, site, demo, name, "admin")
    admin.page.goto(f"{site}/users")
    assert name in admin.page.inner_text("main")
    assert admin.page.evaluate("window.pwned") is None
    assert admin.page.locator("main img").count() == 0
    admin.shot("users")


def test_exemption_evidence_lifts_withdraw_only(site: str, browser: object, demo: Demo) -> None:
    from vaspguard.store import utcnow

    service = policy.PolicyService(demo.store, log_decisions=False)
    policy.evaluate(demo.store, service.engine, utcnow().date())
    customer = policy.restricted(demo.store, state="withdraw-only", rule="EU-833-5B2-2025-2033")[0][
        "customer_id"
    ]
    ana = _person(browser, site, demo, "Ana Lyst", "analyst")
    ana.page.get_by_role("navigation", name="Main").get_by_text("Screening").click()  # open the menu
    ana.page.get_by_role("link", name="Restrictions").click()
    ana.page.get_by_label("Customer id").fill(customer)
    ana.page.get_by_role("button", name="Decide").click()
    ana.page.locator("#what-if-result p").first.wait_for()  # htmx put the answer into the page
    assert ana.page.url == f"{site}/restrictions"
    assert "deny" in ana.page.inner_text("#what-if-result")
    ana.page.get_by_role("button", name="Run an evaluation").click()  # long work: polled, never blocking
    ana.page.get_by_text("changed state").wait_for(timeout=60_000)
    assert ana.page.url == f"{site}/restrictions"
    ana.shot("restrictions")
    ana.page.goto(f"{site}/customers/{customer}")
    assert "withdraw-only" in ana.page.inner_text("#restriction")
    ana.page.get_by_text("Record exemption evidence").click()
    ana.page.get_by_label("Issuing country").fill("DE")
    ana.page.get_by_label("Valid from").fill("2020-01-01")
    ana.page.get_by_label("Document seen").fill("DE-PERMIT-0001")
    ana.page.get_by_role("button", name="Record and re-evaluate").click()
    ana.page.wait_for_url(re.compile(r"#restriction$"))
    assert "unrestricted" in ana.page.inner_text("#restriction .big")
    ana.shot("customer-exempted")
    ana.page.get_by_role("navigation", name="Main").get_by_text("Screening").click()  # open the menu
    ana.page.get_by_role("link", name="Search").click()
    ana.page.get_by_label(re.compile("^Name")).fill("Волковский")
    ana.page.get_by_label(re.compile("^Name")).press("Enter")
    assert "found" in ana.page.inner_text("main")
    ana.shot("search")
    assert policy.customer_state(demo.store, customer)["state"] == "unrestricted"


def test_an_auditor_downloads_a_bundle_that_verifies(
    site: str, browser: object, demo: Demo, tmp_path: Path
) -> None:
    import zipfile

    from vaspguard.cli import run

    auditor = _person(browser, site, demo, "Audrey Tor", "auditor")
    auditor.page.get_by_role("link", name="Audit").click()
    auditor.shot("audit")
    with auditor.page.expect_download() as download:
        auditor.page.get_by_role("link", name="Download the bundle (zip)").click()
    archive = tmp_path / "bundle.zip"
    download.value.save_as(archive)
    zipfile.ZipFile(archive).extractall(tmp_path)
    bundle = tmp_path / "bundle"
    assert run(["audit", "verify", str(bundle), "--key", str(bundle / "log.pub"), "--workers", "1"]) == 0
    auditor.page.get_by_role("link", name="1", exact=True).click()
    assert "proof verified" in auditor.page.inner_text("main")
    auditor.shot("audit-entry")


def test_keyboard_only_disposition_and_right_to_left_names(site: str, browser: object, demo: Demo) -> None:
    """A false positive recorded with the keyboard alone; an Arabic name runs right to left in its own
    isolate inside the left-to-right page."""
    alert = next(a for a in screening.list_alerts(demo.store, status="open", limit=500) if a.kind == "name")
    ana = _person(browser, site, demo, "Kay Board", "analyst")
    page = ana.page
    page.goto(f"{site}/alerts/{alert.id}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_label("False positive").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # a radio group is one tab stop: on to the reason
    assert page.evaluate("document.activeElement.id") == "reason"
    page.keyboard.type("Different date of birth and nationality")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Record disposition"
    page.keyboard.press("Enter")
    page.locator("h1", has_text="false_positive").wait_for()
    assert screening.get_alert(demo.store, alert.id).status == "false_positive"

    page.goto(f"{site}/customers/C0000164")
    assert "أحمد المنصوري" in page.inner_text("main")
    directions = page.evaluate(
        "[...document.querySelectorAll('main bdi')].filter(b => /[\\u0600-\\u06FF]/.test(b.textContent))"
        ".map(b => getComputedStyle(b).direction)"
    )
    assert directions and set(directions) == {"rtl"}
    assert page.evaluate("getComputedStyle(document.querySelector('main')).direction") == "ltr"


AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def _serious_violations(page: object) -> list[str]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    violations = page.evaluate(  # type: ignore[attr-defined]
        "async () => (await axe.run(document)).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    return list(violations)


def test_no_serious_accessibility_violation_on_any_page(site: str, browser: object, demo: Demo) -> None:
    """axe-core (injected, so this context bypasses the CSP that forbids inline scripts) on every page."""
    alert = next(a for a in screening.list_alerts(demo.store, status="open", limit=500) if a.kind == "name")
    _, link = invite(demo.store, name="Newcomer", roles=["analyst"], region="EU")
    person = _person(browser, site, demo, "Axe Admin", "admin", "analyst", bypass_csp=True)
    pages = ["/", "/alerts", f"/alerts/{alert.id}", f"/customers/{alert.customer_id}", "/restrictions"]
    pages += ["/lists?q=volkovsky&old=1&new=1", "/audit", "/audit/entries/1", "/search?q=Volkovskiy"]
    pages += ["/users", "/alerts/999999"]
    found = {}
    for path in pages:
        person.page.goto(site + path)
        found[path] = _serious_violations(person.page)
        if path.startswith("/lists"):
            person.shot("lists")
    person.page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing wider than the screen
    for path in pages:
        person.page.goto(site + path)
        width = person.page.evaluate("document.documentElement.scrollWidth")
        widest = person.page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 391)"
            ".slice(0, 3).map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().right))"
        )
        assert width <= 390, (path, width, widest)
    person.page.goto(f"{site}/alerts/{alert.id}")
    person.shot("alert-390px")
    stranger = Person(browser, site, bypass_csp=True)
    for url in (f"{site}/signin", link):
        stranger.page.goto(url)
        found[url] = _serious_violations(stranger.page)
    assert {k: v for k, v in found.items() if v} == {}
    # The check sees what it looks for: an image without a text alternative is a critical violation.
    stranger.page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    assert any(v.startswith("image-alt") for v in _serious_violations(stranger.page))
