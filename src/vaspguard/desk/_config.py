"""Desk configuration (environment, prefix ``VASPGUARD_DESK_``).

``origin``: the address people open the desk at (scheme, host, port). WebAuthn binds every passkey to it:
the relying-party id is its host name, and a browser signs the origin into each ceremony, which the server
checks. An IP address is no relying-party id, so the default is ``http://localhost:<api_port>``. With an
``https`` origin the session cookie is ``Secure`` and named with the ``__Host-`` prefix.
``four_eyes``: a ``true_match`` (which freezes the customer) takes effect only when a second analyst
confirms it. On by default.
``idle_minutes``: a session unused this long is over. ``invite_hours``: how long an enrolment link lives.
``signin_attempts`` per ``signin_window_seconds``: sign-in attempts allowed per client address.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic_settings import BaseSettings, SettingsConfigDict

from vaspguard.settings import Settings


class DeskSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VASPGUARD_DESK_", extra="ignore")

    origin: str = ""
    four_eyes: bool = True
    idle_minutes: int = 30
    invite_hours: int = 24
    signin_attempts: int = 10
    signin_window_seconds: int = 300

    def site(self) -> str:
        """The origin without a trailing slash (default ``http://localhost:<api_port>``)."""
        return (self.origin or f"http://localhost:{Settings().api_port}").rstrip("/")

    @property
    def rp_id(self) -> str:
        return urlsplit(self.site()).hostname or "localhost"

    @property
    def https(self) -> bool:
        return self.site().startswith("https://")

    @property
    def cookie_name(self) -> str:
        return "__Host-vg_desk" if self.https else "vg_desk"
