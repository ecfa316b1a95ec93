"""Installing a request policy from the desk (issue 14 part 5): the weakenings are shown before it is
confirmed, and the confirmation is a passkey signature over the message the CLI signs. A passkey answer for
another policy, weakenings not accepted, and a role that does not install policy are refused."""

from __future__ import annotations

from collections.abc import Callable

from desk_helpers import Demo, sign_in
from fastapi.testclient import TestClient
from legal_helpers import SoftPasskey, link

from vaspguard.audit import AuditLog
from vaspguard.desk import User
from vaspguard.requests import LawfulRequests, default_policy

WEAKER = default_policy().text.replace("risk_jurisdictions: [RU, BY,", "risk_jurisdictions: [BY,")


def _legal(client: TestClient, demo: Demo, make_user: Callable[..., User]) -> tuple[str, SoftPasskey]:
    lea = make_user("lea", "legal")
    link(demo.store, "demo-legal", lea)
    passkey = SoftPasskey()
    passkey.enrol(demo.store, lea)
    return sign_in(client, lea), passkey


def _install(client: TestClient, csrf: str, passkey: SoftPasskey, text: str, **fields: object) -> object:
    headers = {"X-CSRF-Token": csrf}
    options = client.post("/requests/policy/sign/options", json={"text": text}, headers=headers)
    assert options.status_code == 200, options.text
    credential = passkey.answer(options.json())
    body = {"text": text, "credential": credential, **fields}
    return client.post("/requests/policy/install", json=body, headers=headers)


def test_the_weakenings_are_shown_before_the_passkey_confirms_them(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    csrf, passkey = _legal(client, demo, make_user)
    page = client.post("/requests/policy/preview", data={"csrf": csrf, "text": WEAKER})
    assert page.status_code == 200 and "risk_jurisdictions: RU removed" in page.text
    assert "Install with passkey" in page.text
    refused = _install(client, csrf, passkey, WEAKER)
    assert refused.status_code == 409 and "weakens 1 safeguard" in refused.text  # type: ignore[attr-defined]
    done = _install(client, csrf, passkey, WEAKER, accept_weakening=True, reason="RU handled by MLAT desk")
    assert done.status_code == 200  # type: ignore[attr-defined]
    lawful = LawfulRequests(demo.store)
    assert lawful.policy().text == WEAKER
    (entry,) = AuditLog.open(demo.store).events("requests.policy.install")
    assert entry.actor == "demo-legal" and entry.payload["method"] == "webauthn"
    assert entry.payload["weakenings"] == ["risk_jurisdictions: RU removed"]


def test_a_passkey_answer_for_another_policy_is_refused(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    csrf, passkey = _legal(client, demo, make_user)
    headers = {"X-CSRF-Token": csrf}
    options = client.post(
        "/requests/policy/sign/options", json={"text": default_policy().text}, headers=headers
    )
    credential = passkey.answer(options.json())
    body = {"text": WEAKER, "credential": credential, "accept_weakening": True, "reason": "x"}
    answer = client.post("/requests/policy/install", json=body, headers=headers)
    assert answer.status_code == 409 and "does not sign this policy" in answer.text
    assert LawfulRequests(demo.store).policy().text == default_policy().text
    assert AuditLog.open(demo.store).events("requests.policy.refused")


def test_privacy_does_not_install_policy(client: TestClient, make_user: Callable[..., User]) -> None:
    csrf = sign_in(client, make_user("pia", "privacy"))
    assert client.get("/requests/policy/install").status_code == 403
    answer = client.post("/requests/policy/preview", data={"csrf": csrf, "text": WEAKER})
    assert answer.status_code == 403
