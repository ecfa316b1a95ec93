"""Who may open what: the desk's route x role table, enforced on the server for every route.

``ACCESS`` is the one source: each route (method and path as declared) names the roles admitted (``admin``
is admitted everywhere). ``docs/desk.md`` prints this table and ``tests/desk/test_desk_access.py`` walks all
of it, and checks that no desk route is missing from it. ``PUBLIC`` routes need no sign-in (sign-in and
enrolment themselves, and the assets).
"""

from __future__ import annotations

from vaspguard.desk._users import DeskRole

A = DeskRole
EVERYONE = frozenset(DeskRole)
_READ_CASES = frozenset({A.ANALYST, A.AUDITOR})
_SIGNERS = frozenset({A.LEGAL, A.PRIVACY, A.SECURITY, A.REGIONAL_LEAD, A.EXECUTIVE})
_LEGAL_READ = _SIGNERS | {A.AUDITOR}
_POLICY = frozenset({A.LEGAL, A.EXECUTIVE})  # the operator roles that install a request policy
_TRANSPARENCY = frozenset({A.LEGAL, A.PRIVACY, A.EXECUTIVE, A.AUDITOR})

ACCESS: dict[tuple[str, str], frozenset[DeskRole]] = {
    ("GET", "/"): EVERYONE,
    ("GET", "/alerts"): _READ_CASES,
    ("GET", "/alerts/{alert_id}"): _READ_CASES,
    ("POST", "/alerts/{alert_id}/disposition"): frozenset({A.ANALYST}),
    ("POST", "/alerts/{alert_id}/confirm"): frozenset({A.ANALYST}),
    ("GET", "/customers/{customer_id}"): frozenset({A.ANALYST, A.AUDITOR, A.LEGAL, A.PRIVACY}),
    ("POST", "/customers/{customer_id}/evidence"): frozenset({A.ANALYST}),
    ("GET", "/restrictions"): frozenset({A.ANALYST, A.AUDITOR, A.EXECUTIVE}),
    ("POST", "/restrictions/what-if"): frozenset({A.ANALYST, A.AUDITOR}),
    ("POST", "/restrictions/evaluate"): frozenset({A.ANALYST}),
    ("GET", "/jobs/{job_id}"): frozenset({A.ANALYST}),
    ("POST", "/screening/rescreen"): frozenset({A.ANALYST}),
    ("GET", "/audit"): frozenset({A.AUDITOR, A.SECURITY}),
    ("GET", "/audit/entries/{index}"): frozenset({A.AUDITOR, A.SECURITY}),
    ("GET", "/audit/bundle.zip"): frozenset({A.AUDITOR, A.SECURITY}),
    ("GET", "/lists"): frozenset({A.ANALYST, A.AUDITOR}),
    ("GET", "/search"): frozenset({A.ANALYST, A.AUDITOR, A.LEGAL, A.PRIVACY}),
    ("GET", "/users"): frozenset({A.ADMIN}),
    # the legal desk (issue 14): operators' roles read and sign; LawfulRequests enforces the quorum rules
    ("GET", "/requests"): _LEGAL_READ,
    ("GET", "/requests/new"): frozenset({A.LEGAL}),
    ("POST", "/requests/new"): frozenset({A.LEGAL}),
    ("GET", "/requests/{request_id}"): _LEGAL_READ,
    ("POST", "/requests/{request_id}/sign/options"): _SIGNERS,
    ("POST", "/requests/{request_id}/approve"): _SIGNERS,
    ("POST", "/requests/{request_id}/reject"): _SIGNERS,
    ("GET", "/requests/{request_id}/narrow"): _SIGNERS,
    ("POST", "/requests/{request_id}/narrow"): _SIGNERS,
    ("POST", "/requests/{request_id}/disclose"): frozenset({A.LEGAL}),
    ("GET", "/requests/policy/install"): _POLICY,
    ("POST", "/requests/policy/preview"): _POLICY,
    ("POST", "/requests/policy/sign/options"): _POLICY,
    ("POST", "/requests/policy/install"): _POLICY,
    # the legal desk's notices, gag ledger, registries and policy view
    ("GET", "/legal/notices"): _LEGAL_READ,
    ("POST", "/legal/notices/{notice_id}/send"): frozenset({A.LEGAL, A.PRIVACY}),
    ("POST", "/legal/gag/{request_id}/extend"): frozenset({A.LEGAL, A.EXECUTIVE}),
    ("GET", "/legal/authorities"): _LEGAL_READ,
    ("POST", "/legal/authorities"): frozenset({A.LEGAL}),
    ("GET", "/legal/authorities/{agency_id}"): _LEGAL_READ,
    ("POST", "/legal/authorities/{agency_id}/verification"): frozenset({A.LEGAL}),
    ("GET", "/legal/protected"): _LEGAL_READ,
    ("POST", "/legal/protected"): frozenset({A.LEGAL, A.PRIVACY}),
    ("GET", "/legal/protected/{party_id}"): _LEGAL_READ,
    ("GET", "/legal/operators"): _LEGAL_READ,
    ("POST", "/legal/operators"): frozenset({A.SECURITY}),
    ("GET", "/legal/operators/{name}"): _LEGAL_READ,
    ("POST", "/legal/operators/{name}/link"): frozenset({A.SECURITY}),
    ("POST", "/legal/operators/{name}/deactivate"): frozenset({A.SECURITY, A.LEGAL}),
    ("GET", "/legal/policy"): _LEGAL_READ,
    ("GET", "/transparency"): _TRANSPARENCY,
    ("GET", "/transparency.csv"): _TRANSPARENCY,
    ("GET", "/transparency.json"): _TRANSPARENCY,
    ("GET", "/account"): EVERYONE,
    ("POST", "/account/passkey"): EVERYONE,
}

PUBLIC: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/signin"),
        ("POST", "/signin/options"),
        ("POST", "/signin/verify"),
        ("GET", "/enrol/{token}"),
        ("POST", "/enrol/{token}/options"),
        ("POST", "/enrol/{token}/verify"),
        ("POST", "/signout"),  # ends the session it is sent with, if any
        ("GET", "/signin/oidc"),  # single sign-on, when configured (404 otherwise)
        ("GET", "/signin/oidc/callback"),
    }
)


# Approvals: a user signed in through OIDC single sign-on must sign in with a passkey for these (and is
# told to enrol one when they have none). Helpers adding approval routes add them here.
PASSKEY_REQUIRED: frozenset[tuple[str, str]] = frozenset(
    {
        ("POST", "/alerts/{alert_id}/disposition"),
        ("POST", "/alerts/{alert_id}/confirm"),
    }
)


def admitted(method: str, path: str) -> frozenset[DeskRole]:
    """The roles admitted to a route (``KeyError`` for a route missing from the table: a bug)."""
    return ACCESS[(method, path)] | {DeskRole.ADMIN}


def access_table() -> str:
    """The table as Markdown, as docs/desk.md prints it (a test keeps the two equal)."""
    roles = list(DeskRole)
    lines = ["| Route | " + " | ".join(r.value for r in roles) + " |", "|---|" + "---|" * len(roles)]
    for (method, path), admitted_roles in ACCESS.items():
        cells = ["✓" if r in admitted_roles or r is DeskRole.ADMIN else "403" for r in roles]
        lines.append(f"| `{method} {path}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
