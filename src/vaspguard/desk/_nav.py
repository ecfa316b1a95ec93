"""The desk's main navigation: a few entries, the pages of each capability grouped under one menu, so the bar
stays one line at 1280 px and short at 390 px.

A user sees the links their roles open (a courtesy: ``guard`` enforces on the server); a menu with one link
left becomes that link, and a menu with none goes. The entry holding the page being shown is marked current
(the link with ``aria-current="page"``, its menu with ``current``). The menus are ``<details>`` elements in
``base.html``: keyboard-operable without a script, and nothing inline for the CSP to refuse.
"""

from __future__ import annotations

from dataclasses import dataclass

from vaspguard.desk._access import admitted
from vaspguard.desk._users import User

# (menu label, or "" for links on the bar itself; its links as (href, label, other paths it covers)).
MENUS: tuple[tuple[str, tuple[tuple[str, str, tuple[str, ...]], ...]], ...] = (
    ("", (("/", "Attention", ()),)),
    (
        "Screening",
        (
            ("/alerts", "Alerts", ("/customers", "/jobs")),
            ("/restrictions", "Restrictions", ()),
            ("/lists", "Lists", ()),
            ("/search", "Search", ()),
        ),
    ),
    (
        "Legal",
        (
            ("/requests", "Requests", ()),
            ("/legal/notices", "Notices", ("/legal/gag",)),
            ("/legal/authorities", "Registries", ("/legal/protected", "/legal/operators", "/legal/policy")),
            ("/transparency", "Transparency", ()),
        ),
    ),
    ("", (("/audit", "Audit", ()), ("/users", "Users", ()))),
)


@dataclass(frozen=True, slots=True)
class NavLink:
    href: str
    label: str
    current: bool = False


@dataclass(frozen=True, slots=True)
class NavEntry:
    """A link on the bar (``menu`` empty, one link) or a menu of links."""

    menu: str
    links: tuple[NavLink, ...]

    @property
    def current(self) -> bool:
        return any(link.current for link in self.links)


def _covers(href: str, others: tuple[str, ...], path: str) -> bool:
    if href == "/":
        return path == "/"
    return any(path == p or path.startswith(p + "/") for p in (href, *others))


def nav_for(user: User | None, path: str = "") -> list[NavEntry]:
    """The entries of the main navigation for ``user`` on the page at ``path``."""
    if user is None:
        return []
    entries: list[NavEntry] = []
    for menu, links in MENUS:
        shown = tuple(
            NavLink(href, label, _covers(href, others, path))
            for href, label, others in links
            if user.roles & admitted("GET", href)
        )
        if menu and len(shown) > 1:
            entries.append(NavEntry(menu, shown))
        else:
            entries += [NavEntry("", (link,)) for link in shown]
    return entries
