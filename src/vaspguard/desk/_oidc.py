"""OIDC single sign-on for the desk (optional; off unless ``VASPGUARD_DESK_OIDC_ISSUER`` and ``..._CLIENT_ID``
are set): the authorization code flow with PKCE (RFC 7636, S256), through Authlib.

- ``GET /signin/oidc``: reads the provider's discovery document, makes one random secret for this sign-in
  and derives from it the ``state``, the ``nonce`` and the PKCE ``code_verifier`` (HMAC-SHA-256, so the
  database keeps one value: in a short-lived flow session named by a ``SameSite=Lax`` cookie, which the
  provider's redirect back carries where the desk's ``Strict`` session cookie is withheld), then sends the
  browser to the provider.
- ``GET /signin/oidc/callback``: the flow is used once (its session ends whatever happens); the ``state``
  must match; the code is exchanged with the verifier; the ID token's signature is checked against the
  provider's JWKS (``joserfc``), then its issuer, audience (and ``azp``), expiry, issue time and nonce
  (Authlib's ``CodeIDToken``). Roles come from a configured claim through a configured mapping to
  ``DeskRole``; the region from a claim or a default. No role or no region: refused.
- The user is found (or created) by issuer and subject, never by name; roles and region follow the provider
  at every sign-in. The session is rotated as at a passkey sign-in and remembers it came from OIDC: an
  approval needs a passkey (``_sessions.passkey_refusal``); ``/account`` lets a user enrol one.

Every sign-in, refusal and sign-out is in the audit log (``desk.signin`` / ``desk.signin_failed`` with
``method: oidc``); a refusal is one line on the page.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from datetime import timedelta
from typing import Any, cast

import httpx
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic_settings import BaseSettings, SettingsConfigDict

from vaspguard.desk import _sessions, _users
from vaspguard.desk._events import log_event
from vaspguard.desk._users import DeskRole, User
from vaspguard.desk._web import (
    Denied,
    DeskRoute,
    error_page,
    guard,
    render,
    session_of,
    settings_of,
    start_session,
    store_of,
)

router = APIRouter(route_class=DeskRoute, include_in_schema=False)
account_router = APIRouter(route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(guard)])
FLOW_MINUTES = 10


class OidcSettings(BaseSettings):
    """``VASPGUARD_DESK_OIDC_*``: see docs/desk.md, "Single sign-on"."""

    model_config = SettingsConfigDict(env_prefix="VASPGUARD_DESK_OIDC_", extra="ignore")

    issuer: str = ""
    client_id: str = ""
    client_secret: str = ""  # empty: a public client (PKCE alone)
    scopes: str = "openid profile email"
    role_claim: str = "roles"  # a dotted path reaches into objects: realm_access.roles
    roles: str = ""  # claim value=desk role, comma-separated; empty: values that are role names
    region_claim: str = "region"
    default_region: str = ""
    name_claim: str = "name"
    label: str = "single sign-on"
    leeway_seconds: int = 60
    timeout_seconds: float = 10.0

    @property
    def enabled(self) -> bool:
        return bool(self.issuer and self.client_id)

    def role_map(self) -> dict[str, DeskRole]:
        out: dict[str, DeskRole] = {}
        for pair in self.roles.split(","):
            if not pair.strip():
                continue
            value, _, role = pair.partition("=")
            (out[value.strip()],) = _users.parse_roles([role])
        return out


class Refusal(Exception):
    """A single sign-on refused, with one line saying why."""


# -- the provider ----------------------------------------------------------------------------------------


class Provider:
    """The identity provider's discovery document and keys, fetched on first use and kept 10 minutes (the
    keys are fetched again at once when a token names a key they lack: the provider rotated)."""

    TTL = 600.0

    def __init__(self, settings: OidcSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._meta: tuple[float, dict[str, Any]] | None = None
        self._keys: tuple[float, dict[str, Any]] | None = None

    def _get(self, url: str, what: str) -> dict[str, Any]:
        try:
            response = httpx.get(url, timeout=self.settings.timeout_seconds)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise Refusal(
                f"the identity provider's {what} could not be read ({type(exc).__name__})"
            ) from None
        if not isinstance(data, dict):
            raise Refusal(f"the identity provider's {what} is not a JSON object")
        return data

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._meta is None or time.monotonic() - self._meta[0] > self.TTL:
                issuer = self.settings.issuer.rstrip("/")
                meta = self._get(f"{issuer}/.well-known/openid-configuration", "discovery document")
                if meta.get("issuer") != self.settings.issuer:  # OpenID Connect Discovery 1.0, section 4.3
                    raise Refusal("the identity provider's discovery document names another issuer")
                for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(meta.get(key), str):
                        raise Refusal(f"the identity provider's discovery document has no {key}")
                self._meta = (time.monotonic(), meta)
            return self._meta[1]

    def keys(self, *, fresh: bool = False) -> dict[str, Any]:
        with self._lock:
            if fresh or self._keys is None or time.monotonic() - self._keys[0] > self.TTL:
                assert self._meta is not None
                self._keys = (time.monotonic(), self._get(self._meta[1]["jwks_uri"], "keys (JWKS)"))
            return self._keys[1]


def _provider(request: Request) -> tuple[OidcSettings, Provider]:
    found: Provider | None = getattr(request.app.state, "desk_oidc", None)
    if found is None:
        raise Denied(404, "single sign-on is not configured on this desk; sign in with a passkey")
    return found.settings, found


def install(app: Any) -> None:
    """Turn single sign-on on for ``app`` when configured (a bad role mapping stops the start: one line)."""
    settings = OidcSettings()
    settings.role_map()
    app.state.desk_oidc = Provider(settings) if settings.enabled else None
    app.state.desk_oidc_label = settings.label if settings.enabled else ""


# -- the flow --------------------------------------------------------------------------------------------


def _derive(secret: str) -> tuple[str, str, str]:
    """state, nonce and PKCE code_verifier of one sign-in, from its secret."""

    def part(label: str) -> str:
        digest = hmac.new(secret.encode(), label.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    return part("state"), part("nonce"), part("code_verifier")


def _flow_cookie(request: Request) -> str:
    return "__Host-vg_oidc" if settings_of(request).https else "vg_oidc"


def _client(request: Request, settings: OidcSettings) -> Any:
    from authlib.integrations.httpx_client import OAuth2Client

    return OAuth2Client(
        client_id=settings.client_id,
        client_secret=settings.client_secret or None,
        token_endpoint_auth_method="client_secret_basic" if settings.client_secret else "none",
        scope=settings.scopes,
        redirect_uri=f"{settings_of(request).site()}/signin/oidc/callback",
        code_challenge_method="S256",
        timeout=settings.timeout_seconds,
    )


@router.get("/signin/oidc")
def oidc_start(request: Request) -> Response:
    from vaspguard.desk._passkeys import _limit

    settings, provider = _provider(request)
    _limit(request)
    store = store_of(request)
    try:
        meta = provider.metadata()
    except Refusal as exc:
        log_event(store, "signin_failed", None, method="oidc", reason=str(exc))
        raise Denied(502, f"single sign-on is unavailable: {exc}") from None
    secret = secrets.token_urlsafe(32)
    value, flow = _sessions.create(store)
    _sessions.set_challenge(store, flow.key, f"oidc:{secret}")
    state, nonce, verifier = _derive(secret)
    with _client(request, settings) as client:
        url, _ = client.create_authorization_url(
            meta["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
        )
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        _flow_cookie(request),
        value,
        max_age=FLOW_MINUTES * 60,
        path="/",
        secure=settings_of(request).https,
        httponly=True,
        samesite="lax",
    )
    return response


def _id_token(request: Request, settings: OidcSettings, provider: Provider, code: str, verifier: str) -> str:
    from authlib.common.errors import AuthlibBaseError

    meta = provider.metadata()
    try:
        with _client(request, settings) as client:
            token = client.fetch_token(
                meta["token_endpoint"], grant_type="authorization_code", code=code, code_verifier=verifier
            )
    except AuthlibBaseError as exc:
        raise Refusal(f"the identity provider refused the code: {str(exc)[:120]}") from None
    except httpx.HTTPError as exc:
        raise Refusal(f"the identity provider's token endpoint failed ({type(exc).__name__})") from None
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise Refusal("the identity provider sent no ID token")
    return id_token


def verify_id_token(settings: OidcSettings, provider: Provider, id_token: str, nonce: str) -> dict[str, Any]:
    """The claims of an ID token whose signature, issuer, audience, expiry and nonce hold; else Refusal."""
    from authlib.oidc.core import CodeIDToken
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    algorithms = ["RS256", "PS256", "ES256", "EdDSA"]
    decoded = None
    for fresh in (False, True):
        try:
            keys = KeySet.import_key_set(cast(Any, provider.keys(fresh=fresh)))  # a JWKS, checked here
            decoded = jwt.decode(id_token, keys, algorithms)
            break
        except (JoseError, ValueError) as exc:
            if fresh:
                why = getattr(exc, "description", None) or getattr(exc, "error", None) or type(exc).__name__
                raise Refusal(
                    f"the ID token's signature does not verify with the provider's keys ({why})"
                ) from None
    assert decoded is not None
    claims = CodeIDToken(
        decoded.claims,
        decoded.header,
        options={
            "iss": {"essential": True, "value": settings.issuer},
            "aud": {"essential": True, "value": settings.client_id},
        },
        params={"nonce": nonce, "client_id": settings.client_id},
    )
    try:
        claims.validate(now=int(time.time()), leeway=settings.leeway_seconds)
    except JoseError as exc:
        raise Refusal(f"the ID token was refused ({exc.description or exc.error})") from None
    return dict(claims)


def _claim(claims: dict[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def identity(settings: OidcSettings, claims: dict[str, Any]) -> tuple[str, frozenset[DeskRole], str]:
    """(name, roles, region) from verified claims; Refusal names what is missing."""
    raw = _claim(claims, settings.role_claim)
    if raw is None:
        raise Refusal(f"the ID token has no {settings.role_claim!r} claim, so no desk role")
    values = (
        [raw]
        if isinstance(raw, str)
        else [v for v in raw if isinstance(v, str)]
        if isinstance(raw, list)
        else []
    )
    mapping = settings.role_map()
    roles = {mapping[v] for v in values if v in mapping}
    if not mapping:
        roles = {DeskRole(v) for v in values if v in DeskRole.__members__.values()}
    if not roles:
        shown = ", ".join(v[:40] for v in values[:5]) or "none"
        raise Refusal(f"no value of the {settings.role_claim!r} claim ({shown}) maps to a desk role")
    region = _claim(claims, settings.region_claim)
    region = region.strip().upper() if isinstance(region, str) and region.strip() else settings.default_region
    if not region or len(region) > 16:
        raise Refusal(
            f"the ID token has no usable {settings.region_claim!r} claim and no default region is set"
        )
    for key in (settings.name_claim, "preferred_username", "email", "sub"):
        name = claims.get(key)
        if isinstance(name, str) and name.strip():
            return name.strip()[:100], frozenset(roles), region.upper()
    raise Refusal("the ID token names nobody")  # unreachable: sub is essential


def _signed_in_page(request: Request) -> HTMLResponse:
    return render(request, "oidc_done.html")


@router.get("/signin/oidc/callback")
def oidc_callback(request: Request, code: str = "", state: str = "", error: str = "") -> Response:
    from vaspguard.desk._passkeys import _limit

    settings, provider = _provider(request)
    _limit(request)
    store = store_of(request)
    flow = _sessions.load(
        store, request.cookies.get(_flow_cookie(request)), idle=timedelta(minutes=FLOW_MINUTES)
    )
    challenge = _sessions.take_challenge(store, flow.key)[0] if flow is not None else None
    if flow is not None:
        _sessions.end(store, flow.key)  # a flow is used once, whatever follows
    try:
        if error:
            raise Refusal(f"the identity provider answered {error[:60]!r}")
        if challenge is None or not challenge.startswith("oidc:"):
            raise Refusal("no single sign-on is in progress in this browser (or it took over 10 minutes)")
        expected_state, nonce, verifier = _derive(challenge.removeprefix("oidc:"))
        if not secrets.compare_digest(state.encode(), expected_state.encode()):
            raise Refusal("the state in the answer is not the one this browser sent")
        if not code:
            raise Refusal("the identity provider sent no code")
        claims = verify_id_token(
            settings, provider, _id_token(request, settings, provider, code, verifier), nonce
        )
        name, roles, region = identity(settings, claims)
        user = _users.oidc_user(
            store, issuer=settings.issuer, subject=str(claims["sub"]), name=name, roles=roles, region=region
        )
    except Refusal as exc:
        log_event(store, "signin_failed", None, method="oidc", reason=str(exc))
        response: Response = error_page(
            request, 401, f"single sign-on failed: {exc}; start again from Sign in"
        )
    else:
        start_session(request, user, "oidc")
        log_event(store, "signin", user, method="oidc", issuer=settings.issuer)
        response = _signed_in_page(request)
    response.delete_cookie(_flow_cookie(request), path="/", secure=settings_of(request).https, httponly=True)
    return response


# -- the user's own account: how they signed in, their passkeys, a link to enrol one ------------------------


@account_router.get("/account")
def account(request: Request, user: User = Depends(guard)) -> HTMLResponse:
    return render(request, "account.html", method=session_of(request).method, me=user)


@account_router.post("/account/passkey")
def enrol_own_passkey(request: Request, user: User = Depends(guard)) -> Response:
    """A one-time enrolment link for the signed-in user, followed at once (logged as ``desk.self_invite``)."""
    link = _users.reinvite(store_of(request), user, settings_of(request))
    log_event(store_of(request), "self_invite", user)
    return RedirectResponse("/enrol/" + link.rsplit("/", 1)[1], status_code=303)
