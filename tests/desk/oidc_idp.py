"""A small OpenID Connect provider for the desk's single sign-on tests, served for real on loopback (uvicorn
in a thread): discovery, JWKS, an authorization endpoint that signs the test's person in at once, and a
token endpoint that checks the code, the client, the redirect URI and the PKCE verifier (S256) and answers
with an RS256-signed ID token.

``IdP.claims`` are the person's claims; ``IdP.tamper`` changes the next ID token (``nonce``, ``aud``,
``iss``, ``exp`` overrides, ``drop`` a claim, ``rogue_key`` to sign with a key the JWKS does not hold under
the same ``kid``).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from desk_helpers import free_port
from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "vaspguard-desk"


@dataclass
class IdP:
    issuer: str
    claims: dict[str, Any] = field(default_factory=dict)
    tamper: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    key: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    )
    rogue: RSAKey = field(
        default_factory=lambda: RSAKey.generate_key(2048, parameters={"kid": "k1"}, private=True)
    )
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": "sub-0001",
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **self.claims,
        }
        for name in ("nonce", "aud", "iss", "exp"):
            if name in self.tamper:
                claims[name] = self.tamper[name]
        for name in self.tamper.get("drop", ()):
            claims.pop(name, None)
        key = self.rogue if self.tamper.get("rogue_key") else self.key
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        def discovery() -> dict[str, Any]:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }

        @app.get("/jwks")
        def jwks() -> dict[str, Any]:
            return KeySet([self.key]).as_dict(private=False)

        @app.get("/authorize")
        def authorize(request: Request) -> Any:
            q = request.query_params
            wanted = {"response_type": "code", "client_id": CLIENT_ID, "code_challenge_method": "S256"}
            if any(q.get(k) != v for k, v in wanted.items()) or "openid" not in q.get("scope", "").split():
                return JSONResponse({"error": "invalid_request"}, status_code=400)
            code = secrets.token_urlsafe(16)
            self.codes[code] = {
                "challenge": q["code_challenge"],
                "nonce": q.get("nonce", ""),
                "redirect_uri": q["redirect_uri"],
            }
            return RedirectResponse(
                f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q.get('state', '')})}",
                status_code=302,
            )

        @app.post("/token")
        def token(
            grant_type: str = Form(""),
            code: str = Form(""),
            redirect_uri: str = Form(""),
            client_id: str = Form(""),
            code_verifier: str = Form(""),
        ) -> Any:
            self.token_requests.append({"code": code, "code_verifier": code_verifier, "client_id": client_id})
            issued = self.codes.pop(code, None)  # a code is used once
            challenge = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest()).rstrip(b"=")
            if (
                grant_type != "authorization_code"
                or issued is None
                or client_id != CLIENT_ID
                or redirect_uri != issued["redirect_uri"]
                or challenge.decode() != issued["challenge"]
            ):
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            return {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(issued["nonce"]),
            }

        return app


class Served:
    """An ``IdP`` served by uvicorn on a free loopback port, until ``stop``."""

    def __init__(self) -> None:
        port = free_port()
        self.idp = IdP(f"http://127.0.0.1:{port}")
        config = uvicorn.Config(
            self.idp.app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="test-idp", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30  # a wait for the server to listen, not a timing
        while not self.server.started:
            assert time.monotonic() < deadline, "the test IdP did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
