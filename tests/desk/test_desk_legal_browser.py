"""The legal desk in a real browser (issue 14): Playwright driving Debian's Chromium, every approval a real
passkey assertion from Chromium's virtual authenticator, over the demo exchange.

1. The 2021 scenario: an informal request, received in person, from a financial-monitoring agency linked to a
   security service, for everyone who paid a protected foundation's donation address: blocked, with its
   reasons and reach; the regional lead's passkey approval refused with the reason shown; no disclose control,
   a direct POST to disclose refused; the attempt on central legal's Attention page and in the audit log.
2. A court order: legal, then privacy approve with passkeys; the package downloaded passes
   ``vaspguard requests verify-package``; the customer notice becomes due when the gag order ends.
3. Narrowing voids the earlier approval, and the page shows it.
4. A tampered assertion (one byte of the stored signature) fails the quorum check and offline verification.

Screenshots go to docs/desk/ (``VASPGUARD_DESK_SCREENSHOTS=1``).
"""

from __future__ import annotations

import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import test_desk_browser
from desk_helpers import Demo
from legal_helpers import MEDIUM, SAMPLES, file_sample
from test_desk_browser import Person, _person

from vaspguard.audit import AuditLog
from vaspguard.cli import run
from vaspguard.errors import IntegrityViolation, QuorumRefused
from vaspguard.requests import Agency, AgencyClass, LawfulRequests, VerificationStatus
from vaspguard.store import utcnow

pytestmark = pytest.mark.slow
COURT_ORDER = "police-listed-wallet.json"
# The desk's browser fixtures: the server on a free port over the demo, and Chromium.
site = test_desk_browser.site
browser = test_desk_browser.browser


def _link(demo: Demo, name: str, operator: str) -> None:
    """Link desk user ``name`` to ``operator``: they approve as that operator with their passkey."""
    LawfulRequests(demo.store).link_desk_user(operator, name, actor="admin")


def _sign(person: Person, button: str) -> str:
    """Click a "… with passkey" button and wait for the answer: the page reloaded (empty string), or the
    refusal shown beside the button (returned)."""
    page = person.page

    def decision(response: object) -> bool:
        request = response.request  # type: ignore[attr-defined]
        return bool(request.method == "POST" and not request.url.endswith("/sign/options"))

    with page.expect_response(decision) as answer:
        page.get_by_role("button", name=button).click()
    if answer.value.ok:
        page.wait_for_function(
            "() => { const s = document.getElementById('status'); return !s || !s.textContent; }"
        )
        page.wait_for_load_state()
        return ""
    page.wait_for_function("() => !document.getElementById('status').textContent.startsWith('Waiting')")
    return page.locator("#status").inner_text()


def test_the_2021_scenario_is_blocked_and_the_regional_leads_approval_refused(
    site: str, browser: object, demo: Demo
) -> None:
    lawful = LawfulRequests(demo.store)
    lawful.add_agency(
        Agency(
            id="demo-ru-finmon",
            name="Demo Federal Financial Monitoring Service (fictional)",
            country="RU",
            agency_class=AgencyClass.FINANCIAL_INTELLIGENCE_UNIT,
            linked_ids=("demo-ru-security",),
            verification_status=VerificationStatus.UNVERIFIED,
        ),
        actor="admin",
    )
    donation = json.loads((SAMPLES / "dragnet-foundation-donors.json").read_text())["targets"][0]["value"]
    ina = _person(browser, site, demo, "Ina Take", "legal")
    _enter_the_2021_request(ina, site, donation)
    ina.shot("request-new")
    page = ina.page
    page.get_by_role("button", name="File and assess").click()
    page.wait_for_url(re.compile(r"/requests/LR-"))
    request_id = page.url.rsplit("/", 1)[1]
    main = page.inner_text("main")
    assert "blocked" in main and "Blocked: nothing can be approved" in main
    assert "PROTECTED_TARGET" in main and re.search(r"\d+ customers?, \d+ accounts?", main)
    ina.shot("request-blocked")

    region = lawful.policy().region_of("RU")
    rolf = _person(browser, site, demo, "Rolf Lead", "regional_lead")
    _add_operator(demo, "lead-cis", "regional_lead", region, "Rolf Lead")
    rolf.page.goto(f"{site}/requests/{request_id}")
    refusal = _sign(rolf, "Approve with passkey")
    assert "blocked" in refusal
    assert rolf.page.get_by_role("button", name=re.compile("Disclose")).count() == 0
    csrf = rolf.page.locator('meta[name="csrf-token"]').get_attribute("content")
    direct = rolf.page.request.post(f"{site}/requests/{request_id}/disclose", form={"csrf": csrf or ""})
    assert direct.status == 403  # a regional lead has no disclose route at all
    rolf.shot("request-refused")

    lea = _person(browser, site, demo, "Lea Gal", "legal")
    csrf = lea.page.locator('meta[name="csrf-token"]').get_attribute("content")
    direct = lea.page.request.post(f"{site}/requests/{request_id}/disclose", form={"csrf": csrf or ""})
    assert direct.status == 409 and "blocked" in direct.text()
    lea.page.goto(f"{site}/")
    attention = lea.page.inner_text("main")
    assert request_id in attention
    lea.shot("attention-legal")
    lea.page.get_by_role("navigation", name="Main").get_by_text("Legal").click()  # open the menu
    lea.page.get_by_role("link", name="Requests").click()
    lea.page.get_by_label("Tier").select_option("blocked")
    lea.page.get_by_role("button", name="Filter").click()
    assert request_id in lea.page.inner_text("main")
    lea.shot("requests")
    lea.page.get_by_role("link", name=request_id).click()
    assert "approve refused" in lea.page.inner_text("main")
    log = AuditLog.open(demo.store)
    assert log.events("requests.approve.refused", subject=f"request:{request_id}")
    assert log.events("requests.disclose.refused", subject=f"request:{request_id}")


def _enter_the_2021_request(ina: Person, site: str, donation: str) -> None:
    """The intake form as the 2021 request arrived: in person, informal, every donor of the foundation."""
    page = ina.page
    page.goto(f"{site}/requests/new")
    page.get_by_label("Received at (UTC)").fill("2026-11-30T15:00")
    page.get_by_label("Channel").select_option("in_person")
    page.get_by_label("Officer (required)").fill("Colonel N. Demo (fictional), met at the regional office")
    page.get_by_label("Agency (from the registry)").select_option("demo-ru-finmon")
    page.get_by_label("Type (required)").select_option("informal_request")
    page.get_by_label("Reference").fill("none (oral request)")
    page.get_by_label("Issued by").fill("Demo Federal Financial Monitoring Service (fictional)")
    page.get_by_label("Issued on").fill("2026-11-30")
    page.get_by_label("Legal basis").fill("'countering extremism financing'")
    page.get_by_label("The instrument's document").set_input_files(
        files=[{"name": "meeting-notes.txt", "mimeType": "text/plain", "buffer": b"notes of the meeting"}]
    )
    page.wait_for_function("document.getElementById('document-sha256').value.length == 64")
    page.get_by_label(re.compile("^Targets")).fill(f"counterparty_address {donation} bitcoin")
    for category in ("subscriber info", "transaction history", "ip logs"):
        page.get_by_label(category, exact=True).check()


def _add_operator(demo: Demo, name: str, role: str, region: str, desk_user: str) -> None:
    from vaspguard.requests import Operator, OperatorRole, generate_key, public_hex

    lawful = LawfulRequests(demo.store)
    lawful.add_operator(Operator(name, OperatorRole(role), region, public_hex(generate_key())), actor="admin")
    lawful.link_desk_user(name, desk_user, actor="admin")


def _court_order(demo: Demo, **changes: object) -> str:
    return file_sample(demo.store, demo.data_dir, COURT_ORDER, **{**MEDIUM, **changes})


def _approved_by_legal_and_privacy(site: str, browser: object, demo: Demo, request_id: str) -> Person:
    """Legal, then privacy, approve with their passkeys; returns legal, on the request's page."""
    lea = _person(browser, site, demo, "Lea Gal", "legal")
    _link(demo, "Lea Gal", "demo-legal")
    lea.page.goto(f"{site}/requests/{request_id}")
    assert "privacy|security: needed" in lea.page.inner_text("main")
    lea.shot("request")
    _sign(lea, "Approve with passkey")
    assert "demo-legal ✓" in lea.page.inner_text(".quorum")
    pia = _person(browser, site, demo, "Pia Vacy", "privacy")
    _link(demo, "Pia Vacy", "demo-privacy")
    pia.page.goto(f"{site}/requests/{request_id}")
    _sign(pia, "Approve with passkey")
    assert "Met" in pia.page.inner_text(".quorum")
    lea.page.reload()
    return lea


def test_a_court_order_approved_by_passkeys_is_disclosed_and_verifies(
    site: str, browser: object, demo: Demo, tmp_path: Path
) -> None:
    gag_ends = utcnow().date() + timedelta(days=30)
    request_id = _court_order(demo, non_disclosure={"basis": "court order", "until": gag_ends.isoformat()})
    lea = _approved_by_legal_and_privacy(site, browser, demo, request_id)
    lea.shot("request-approved")
    assert lea.page.get_by_role("button", name="Approve with passkey").count() == 0
    lea.page.set_viewport_size({"width": 390, "height": 844})
    assert lea.page.evaluate("document.documentElement.scrollWidth") <= 390
    lea.shot("request-390px")
    lea.page.set_viewport_size({"width": 1280, "height": 900})
    with lea.page.expect_download() as download:
        lea.page.get_by_role("button", name="Disclose and download the package").click()
    archive = tmp_path / "package.zip"
    download.value.save_as(archive)
    zipfile.ZipFile(archive).extractall(tmp_path)
    assert run(["requests", "verify-package", str(tmp_path / request_id)]) == 0
    lea.page.goto(f"{site}/requests/{request_id}")
    assert "disclosed" in lea.page.inner_text("h1")
    lea.shot("request-disclosed")
    lawful = LawfulRequests(demo.store)
    due = {n["request_id"] for n in lawful.notices(due_only=True, on=gag_ends)}
    before = {n["request_id"] for n in lawful.notices(due_only=True, on=gag_ends - timedelta(days=1))}
    assert request_id in due and request_id not in before
    (left,) = AuditLog.open(demo.store).events("desk.disclosure")
    assert left.payload["request_id"] == request_id


def test_narrowing_voids_the_earlier_approval_on_the_page(site: str, browser: object, demo: Demo) -> None:
    request_id = _court_order(demo)
    lea = _person(browser, site, demo, "Lea Gal", "legal")
    _link(demo, "Lea Gal", "demo-legal")
    lea.page.goto(f"{site}/requests/{request_id}")
    _sign(lea, "Approve with passkey")
    pia = _person(browser, site, demo, "Pia Vacy", "privacy")
    _link(demo, "Pia Vacy", "demo-privacy")
    pia.page.goto(f"{site}/requests/{request_id}")
    pia.page.get_by_label("ip logs").uncheck()
    pia.page.get_by_role("button", name="Preview the narrowed scope").click()
    assert "Narrowed (version 2)" in pia.page.inner_text("main")
    pia.shot("request-narrow")
    _sign(pia, "Sign the narrowing with passkey")
    pia.page.wait_for_url(f"{site}/requests/{request_id}")
    main = pia.page.inner_text("main")
    assert "voided" in main and "scope narrowed to version 2 by demo-privacy" in main
    assert "Scope, version 2" in main
    pia.shot("request-narrowed")


def test_a_tampered_assertion_fails_the_quorum_check_and_offline_verification(
    site: str, browser: object, demo: Demo, tmp_path: Path
) -> None:
    from sqlalchemy import update

    from vaspguard.requests._disclose import check_approvals
    from vaspguard.requests._tables import ApprovalRow

    request_id = _court_order(demo)
    _approved_by_legal_and_privacy(site, browser, demo, request_id)
    lawful = LawfulRequests(demo.store)
    proof = lawful.prove_quorum(request_id)
    manifest = {"request_id": request_id, "approvals": proof, **_scope_of(lawful, request_id)}
    check_approvals(manifest)  # the real assertions verify offline from their keys alone
    first = proof[0]
    tampered = bytearray(bytes.fromhex(first["signature"]))
    tampered[10] ^= 0x01
    first["signature"] = tampered.hex()
    with pytest.raises(IntegrityViolation, match=f"approval by {first['operator']} does not verify"):
        check_approvals(manifest)
    with demo.store.connect() as conn:
        conn.execute(
            update(ApprovalRow)
            .where(ApprovalRow.request_id == request_id, ApprovalRow.operator == first["operator"])
            .values(signature=tampered.hex())
        )
    with pytest.raises(QuorumRefused):
        lawful.prove_quorum(request_id)
    assert not lawful.quorum_status(request_id).met


def _scope_of(lawful: LawfulRequests, request_id: str) -> dict[str, object]:
    shown = lawful.show(request_id)
    return {"scope_sha256": shown["scope_sha256"], "scope_version": shown["scope_version"]}


def test_no_serious_accessibility_violation_on_the_legal_pages(
    site: str, browser: object, demo: Demo
) -> None:
    """axe-core (as test_desk_browser injects it) on every legal page, and none wider than a phone."""
    from test_desk_browser import _serious_violations

    court = _court_order(demo)
    dragnet = file_sample(demo.store, demo.data_dir, "dragnet-foundation-donors.json")
    lea = _person(browser, site, demo, "Axe Legal", "legal", bypass_csp=True)
    _link(demo, "Axe Legal", "demo-legal")
    target = LawfulRequests(demo.store).show(court)["scope"]["targets"][0]["value"]
    pages = ["/requests", "/requests/new", f"/requests/{court}", f"/requests/{dragnet}"]
    pages += [f"/requests/{court}/narrow?keep={target}&category=subscriber_info", "/requests/policy/install"]
    found = {}
    for path in pages:
        lea.page.goto(site + path)
        found[path] = _serious_violations(lea.page)
    lea.page.set_viewport_size({"width": 390, "height": 844})
    for path in pages:
        lea.page.goto(site + path)
        assert lea.page.evaluate("document.documentElement.scrollWidth") <= 390, path
    assert {k: v for k, v in found.items() if v} == {}
