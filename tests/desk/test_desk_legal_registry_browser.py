"""The legal desk's registries and notices in a real browser (the machinery of test_desk_browser.py: Debian's
Chromium, passkeys through the virtual authenticator, the server in a thread over the demo).

Legal counsel adds an authority inline (unverified), verifies it, marks a due notice sent and sees it sent
(with its ``requests.notice_sent`` event in the outbox), and records a gag-order extension with its
instrument as the operator she is linked to. Each legal page passes axe-core with no serious or critical
violation and fits a 390 px phone. Screenshots go to docs/desk/ (``VASPGUARD_DESK_SCREENSHOTS=1``).
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
import test_desk_browser as desk_browser
from desk_helpers import Demo
from legal_registry_helpers import disclose_court_order, key_of

from vaspguard.desk import invite
from vaspguard.events import EventType, events_after
from vaspguard.requests import LawfulRequests, VerificationStatus, default_policy
from vaspguard.store import utcnow

pytestmark = pytest.mark.slow
site = desk_browser.site
browser = desk_browser.browser
Person = desk_browser.Person

LEGAL_PAGES = [
    "/legal/notices",
    "/legal/authorities",
    "/legal/authorities/demo-ru-security",
    "/legal/protected",
    "/legal/protected/free-voices-foundation",
    "/legal/operators",
    "/legal/operators/demo-legal",
    "/legal/policy",
]

SHOTS = {
    "/legal/authorities": "legal-authorities",
    "/legal/protected": "legal-protected-list",
    "/legal/operators/demo-legal": "legal-operator",
    "/legal/protected/free-voices-foundation": "legal-protected",
    "/legal/operators": "legal-operators",
    "/legal/policy": "legal-policy",
}


def _lena(browser: object, site: str, demo: Demo) -> Person:
    """Legal counsel in the EU, acting in the desk as the demo legal operator."""
    from vaspguard.desk._legal_registry_links import link

    user, enrolment = invite(demo.store, name="Lena Legal", roles=["legal"], region="EU")
    link(demo.store, "demo-legal", user, by=user)
    lena = Person(browser, site)
    lena.enrol(enrolment)
    lena.sign_in()
    return lena


def test_legal_adds_an_authority_marks_a_notice_sent_and_extends_a_gag(
    site: str, browser: object, demo: Demo, tmp_path: Path
) -> None:
    today = utcnow().date()
    due_request = disclose_court_order(demo, tmp_path)
    gagged = disclose_court_order(demo, tmp_path, ndo_until=today + timedelta(days=30))
    lena = _lena(browser, site, demo)
    page = lena.page

    page.get_by_role("navigation", name="Main").get_by_text("Legal").click()  # open the menu
    page.get_by_role("link", name="Registries").click()
    page.get_by_label("Id (required)").fill("DE-BKA")
    page.get_by_label("Name (required)").fill("Bundeskriminalamt")
    page.get_by_label("Country (alpha-2) (required)").fill("DE")
    page.get_by_label("Class").select_option("police")
    page.get_by_label("Callback number").fill("+49 611 55 0")
    page.get_by_label("Where the number was sourced").fill("bka.de contact page, 2026-12-01")
    page.get_by_role("button", name="Add as unverified").click()
    page.wait_for_url(re.compile(r".*/legal/authorities/DE-BKA(#add)?$"))
    assert "unverified" in page.inner_text("main")
    assert "bka.de contact page, 2026-12-01" in page.inner_text("main")
    page.get_by_label("Set status").select_option("verified")
    page.get_by_role("button", name="Record").click()
    page.wait_for_load_state()
    assert f"verified on {today}" in page.inner_text("main")
    lena.shot("legal-authority")
    svc = LawfulRequests(demo.store)
    assert svc.get_agency("DE-BKA").verification_status is VerificationStatus.VERIFIED

    page.get_by_role("link", name="Notices and gag ledger").click()
    notice = next(n for n in svc.notices() if n["request_id"] == due_request)
    lena.shot("legal-notices")
    page.get_by_role("button", name=f"Mark notice {notice['id']} to {notice['customer_id']} sent").click()
    page.wait_for_url(f"{site}/legal/notices?sent={notice['id']}#due")
    status = page.get_by_role("status").inner_text()
    assert f"Notice #{notice['id']} to {notice['customer_id']} marked sent" in status
    assert "requests.notice_sent" in status
    sent = [e.data for e in events_after(demo.store) if e.type is EventType.REQUEST_NOTICE_SENT]
    assert sent == [
        {"request_id": due_request, "notice_id": notice["id"], "customer_id": notice["customer_id"]}
    ]

    new_end = today + timedelta(days=180)
    page.locator(f"#u-{gagged}").fill(new_end.isoformat())
    page.locator(f"#b-{gagged}").fill("Order of the Amtsgericht, 351 Gs 99/26")
    page.get_by_role("button", name="Record").click()
    page.wait_for_load_state()
    ledger = page.locator("#gag").inner_text()
    assert f"until {new_end} by Order of the Amtsgericht, 351 Gs 99/26 (demo-legal" in ledger
    lena.shot("legal-gag")


def test_legal_pages_are_accessible_and_fit_a_phone(
    site: str, browser: object, demo: Demo, tmp_path: Path
) -> None:
    disclose_court_order(demo, tmp_path, ndo_until=utcnow().date() + timedelta(days=30))
    longer = default_policy().text.replace("max_extensions: 1", "max_extensions: 2")
    LawfulRequests(demo.store).install_policy(
        longer,
        operator="demo-legal",
        key=key_of(demo, "demo-legal"),
        accept_weakening=True,
        reason="preservations outlast the court backlog",
    )
    _, enrolment = invite(demo.store, name="Axe Legal", roles=["legal", "security"], region="EU")
    person = Person(browser, site, bypass_csp=True)
    person.enrol(enrolment)
    person.sign_in()
    found = {}
    for path in LEGAL_PAGES:
        person.page.goto(site + path)
        found[path] = desk_browser._serious_violations(person.page)
        if path in SHOTS:
            person.shot(SHOTS[path])
    assert found == {p: [] for p in LEGAL_PAGES}
    person.page.set_viewport_size({"width": 390, "height": 844})
    for path in LEGAL_PAGES:
        person.page.goto(site + path)
        width = person.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    person.page.goto(site + "/legal/notices")
    person.shot("legal-notices-390px")
