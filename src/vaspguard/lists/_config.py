"""Lists configuration (environment, prefix ``VASPGUARD_LISTS_``).

Fetching: ``base_url`` is a mirror serving every feed file under its local name; ``urls`` is JSON
feed -> URL for single-file feeds; ``timeout`` is seconds per download.

Zip members (OFAC's Enhanced XML comes zipped) are inflated in a stream and refused as soon as either cap is
passed, never inflated first and checked after:

- ``zip_max_member``: bytes a member may inflate to (512 MiB; the largest official list is ~100 MB);
- ``zip_max_ratio``: inflated bytes per compressed byte (200; XML lists compress about 10 to 30 times). It
  applies once a member has inflated past ``ZIP_RATIO_FLOOR`` (1 MiB), since tiny files compress unevenly and
  cannot exhaust anything.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ZIP_RATIO_FLOOR = 1024**2


class ListsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VASPGUARD_LISTS_", extra="ignore")

    base_url: str | None = None
    urls: dict[str, str] = {}
    timeout: float = 120.0
    zip_max_member: int = Field(default=512 * 1024**2, gt=0)
    zip_max_ratio: int = Field(default=200, gt=0)
