"""The desk's main navigation: grouped into menus, it shows each role exactly the pages that role opens (every
link shown answers, every page left out refuses), marks the entry of the page being shown, fits one line at
1280 px, and at 390 px stays within the screen and works from the keyboard alone (Chromium, no script of
ours: the menus are ``<details>``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from desk_helpers import Demo, desk_served, free_port, sign_in
from fastapi.testclient import TestClient

from vaspguard.desk import DeskRole, User, invite
from vaspguard.desk._nav import MENUS

CHROMIUM = "/usr/bin/chromium"
EVERY_LINK = [href for _, links in MENUS for href, _, _ in links]


class MainNav(HTMLParser):
    """The links of the main navigation (href, current), and the menus (name, current) holding them."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside <nav aria-label="Main"> while > 0
        self.links: list[tuple[str, bool]] = []
        self.menus: list[tuple[str, bool]] = []
        self.summary: bool | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "nav":
            self.depth += 1 if a.get("aria-label") == "Main" or self.depth else 0
        elif self.depth and tag == "a":
            self.links.append((a.get("href") or "", a.get("aria-current") == "page"))
        elif self.depth and tag == "details":
            self.summary = "current" in (a.get("class") or "").split()
        elif self.depth and tag == "summary":
            self.menus.append(("", bool(self.summary)))

    def handle_data(self, data: str) -> None:
        if self.menus and self.menus[-1][0] == "" and data.strip():
            self.menus[-1] = (data.strip(), self.menus[-1][1])

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self.depth:
            self.depth -= 1


def main_nav(html: str) -> MainNav:
    parser = MainNav()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("role", [r.value for r in DeskRole])
def test_each_role_sees_exactly_the_pages_it_opens(
    role: str, client: TestClient, make_user: Callable[..., User]
) -> None:
    sign_in(client, make_user(f"Nav {role}", role))
    nav = main_nav(client.get("/").text)
    shown = [href for href, _ in nav.links]
    assert len(shown) == len(set(shown))
    for href in EVERY_LINK:
        status = client.get(href).status_code
        assert (href in shown) == (status == 200), (role, href, status)
    for name, links in MENUS:  # a menu only where it holds two links or more
        if name:
            held = [href for href, _, _ in links if href in shown]
            assert (name in [m for m, _ in nav.menus]) == (len(held) > 1), (role, name, held)


def test_the_entry_of_the_page_shown_is_marked(client: TestClient, make_user: Callable[..., User]) -> None:
    sign_in(client, make_user("Nav Admin", "admin"))
    for path, link, menu in [
        ("/", "/", None),
        ("/legal/protected", "/legal/authorities", "Legal"),
        ("/restrictions", "/restrictions", "Screening"),
        ("/audit", "/audit", None),
    ]:
        nav = main_nav(client.get(path).text)
        assert [h for h, current in nav.links if current] == [link], path
        assert [m for m, current in nav.menus if current] == ([menu] if menu else []), path


# -- in the browser ------------------------------------------------------------------------------------------


@pytest.fixture
def site(demo: Demo, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    port = free_port()
    origin = f"http://localhost:{port}"
    monkeypatch.setenv("VASPGUARD_DESK_ORIGIN", origin)
    with desk_served(demo.store, port):
        yield origin


@pytest.fixture
def admin_page(site: str, demo: Demo) -> Iterator[object]:
    """An admin (every entry of the navigation) signed in with a passkey, at 1280 px."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    _, link = invite(demo.store, name="Ada Min", roles=["admin", "analyst"], region="EU")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        options = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True}
        options |= {"hasUserVerification": True, "isUserVerified": True}
        cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})
        page.goto(link)
        page.get_by_role("button", name="Create passkey").click()
        page.wait_for_url(f"{site}/signin")
        page.get_by_role("button", name="Sign in with a passkey").click()
        page.wait_for_url(f"{site}/")
        yield page
        browser.close()


def _boxes(page: object, selector: str) -> list[dict[str, float]]:
    return page.eval_on_selector_all(  # type: ignore[attr-defined, no-any-return]
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect(); return {top: r.top, "
        "bottom: r.bottom, left: r.left, right: r.right, height: r.height}; })",
    )


@pytest.mark.slow
def test_one_line_at_1280_px(admin_page: object) -> None:
    page = admin_page
    entries = _boxes(page, "header.top nav ul.bar > li")
    assert len(entries) == 5  # Attention, Screening, Legal, Audit, Users
    parts = _boxes(page, "header.top > .brand, header.top > nav, header.top > .who")
    assert len(parts) == 3
    # One line: the brand, every entry and the signed-in box share a row; the header is one row high.
    row = parts[0]
    for box in entries + parts:
        assert box["top"] < row["bottom"] and box["bottom"] > row["top"], box
    header = _boxes(page, "header.top")[0]
    assert header["height"] < 2 * max(b["height"] for b in parts)


@pytest.mark.slow
def test_usable_at_390_px_by_keyboard(admin_page: object, site: str) -> None:
    page = admin_page
    page.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # type: ignore[attr-defined]
    nav = page.get_by_role("navigation", name="Main")  # type: ignore[attr-defined]
    assert not nav.get_by_role("link", name="Requests").is_visible()  # the menu is closed
    page.locator("header.top a.brand").focus()  # type: ignore[attr-defined]
    for _ in range(10):  # Tab until the Legal menu has the focus
        page.keyboard.press("Tab")  # type: ignore[attr-defined]
        if page.evaluate("document.activeElement.textContent.trim()") == "Legal":  # type: ignore[attr-defined]
            break
    else:
        pytest.fail("the Legal menu cannot be reached with Tab")
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    requests = nav.get_by_role("link", name="Requests")
    assert requests.is_visible()
    menu = _boxes(page, "details.menu[open] > ul")[0]
    assert menu["left"] >= 0 and menu["right"] <= 390, menu  # the open menu stays on the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # type: ignore[attr-defined]
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    assert page.evaluate("document.activeElement.textContent.trim()") == "Requests"  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url(f"{site}/requests")  # type: ignore[attr-defined]
    assert page.locator("h1").first.inner_text().strip() == "Lawful requests"  # type: ignore[attr-defined]
    assert nav.locator("[aria-current=page]").text_content() == "Requests"
