"""The intake form (issue 14 part 1): every field of the request format, errors next to their fields, a new
agency added inline as unverified, the document's SHA-256 compared with the browser's, and the assessment
shown at once. The desk user who filed a request cannot approve it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from desk_helpers import Demo, sign_in
from fastapi.testclient import TestClient
from legal_helpers import SoftPasskey, link, sign

from vaspguard.desk import User
from vaspguard.requests import LawfulRequests

DOCUMENT = b"%PDF-1.4 fictional court order\n"
FORM = {
    "received_at": "2026-11-20T09:30",
    "channel": "portal",
    "officer": "KHK A. Beispiel (fictional)",
    "agency": "demo-de-police",
    "instrument.type": "court_order",
    "instrument.reference": "DEMO-AG-2026-Gs-9001",
    "instrument.issued_by": "Demo Local Court (fictional)",
    "instrument.issued_at": "2026-11-19",
    "instrument.legal_basis": "StPO s. 100a",
    "targets": "wallet_address bc1qqdfp0envdk87lazw5k5kde7g247al4e48wgdg8 bitcoin",
    "data_categories": ["subscriber_info", "transaction_history"],
    "date_range.from": "2026-01-01",
    "date_range.to": "2026-10-31",
    "non_disclosure.basis": "court order s. 101 StPO",
    "non_disclosure.until": "2027-03-01",
}


def _post(
    client: TestClient, csrf: str, form: dict[str, object], document: bytes | None = DOCUMENT
) -> object:
    files = {"document": ("order.pdf", document, "application/pdf")} if document is not None else None
    return client.post("/requests/new", data={**form, "csrf": csrf}, files=files, follow_redirects=False)


def test_filing_shows_the_assessment_at_once(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    csrf = sign_in(client, make_user("ina", "legal"))
    form = {**FORM, "document_sha256_browser": hashlib.sha256(DOCUMENT).hexdigest()}
    answer = _post(client, csrf, form)
    assert answer.status_code == 303, answer.text  # type: ignore[attr-defined]
    page = client.get(answer.headers["location"]).text  # type: ignore[attr-defined]
    assert "Assessment" in page and "Tier <strong>" in page and "customer" in page
    (filed,) = LawfulRequests(demo.store).list()
    shown = LawfulRequests(demo.store).show(filed["id"])
    assert shown["intake_operator"] == "desk:ina"
    assert shown["request"]["instrument"]["document_sha256"] == hashlib.sha256(DOCUMENT).hexdigest()
    assert shown["request"]["non_disclosure"]["until"] == "2027-03-01"


def test_errors_are_shown_next_to_their_fields_and_nothing_is_filed(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    csrf = sign_in(client, make_user("ina", "legal"))
    bad = {**FORM, "instrument.reference": "", "targets": "wallet_address", "data_categories": []}
    answer = _post(client, csrf, bad)
    assert answer.status_code == 400  # type: ignore[attr-defined]
    html = answer.text  # type: ignore[attr-defined]
    assert 'id="e-targets"' in html and "TYPE VALUE [CHAIN]" in html
    answer = _post(client, csrf, {**FORM, "instrument.reference": "", "data_categories": []})
    html = answer.text  # type: ignore[attr-defined]
    assert 'id="e-instrument.reference"' in html and "data categories" in html.lower()
    assert LawfulRequests(demo.store).list() == []


def test_a_document_hashed_differently_in_the_browser_is_refused(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    csrf = sign_in(client, make_user("ina", "legal"))
    answer = _post(client, csrf, {**FORM, "document_sha256_browser": "0" * 64})
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert "your browser hashed the document" in answer.text  # type: ignore[attr-defined]
    assert LawfulRequests(demo.store).list() == []


def test_a_new_agency_is_added_inline_as_unverified(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    csrf = sign_in(client, make_user("ina", "legal"))
    missing = _post(client, csrf, {**FORM, "agency": "__new__", "new_agency.name": "Demo Monitoring"})
    assert missing.status_code == 400 and 'id="f-new_agency.country"' in missing.text  # type: ignore[attr-defined]
    form = {
        **FORM,
        "agency": "__new__",
        "new_agency.name": "Demo <b>Monitoring</b> Service",
        "new_agency.country": "ru",
        "new_agency.class": "financial_intelligence_unit",
    }
    answer = _post(client, csrf, form)
    assert answer.status_code == 303  # type: ignore[attr-defined]
    lawful = LawfulRequests(demo.store)
    added = [a for a in lawful.list_agencies() if a.name.startswith("Demo <b>")]
    assert [a.verification_status.value for a in added] == ["unverified"]
    page = client.get(answer.headers["location"]).text  # type: ignore[attr-defined]
    assert "Demo &lt;b&gt;Monitoring" in page and "<b>Monitoring" not in page


def test_the_desk_user_who_filed_cannot_approve(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    ina = make_user("ina", "legal")
    csrf = sign_in(client, ina)
    answer = _post(client, csrf, FORM)
    request_id = answer.headers["location"].rsplit("/", 1)[1]  # type: ignore[attr-defined]
    link(demo.store, "demo-legal", ina)
    passkey = SoftPasskey()
    passkey.enrol(demo.store, ina)
    refused = sign(client, csrf, passkey, request_id, "approve")
    assert refused.status_code == 409 and "intake operator cannot approve" in refused.text


def test_only_legal_opens_the_intake_form(client: TestClient, make_user: Callable[..., User]) -> None:
    sign_in(client, make_user("pia", "privacy"))
    assert client.get("/requests/new").status_code == 403
