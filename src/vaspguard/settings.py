"""Settings from the environment (prefix ``VASPGUARD_``); no import-time side effects.

``Settings()`` reads the environment each time it is built, so tests and the CLI can override any value.
"""

from __future__ import annotations

import getpass
import os
import stat
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from vaspguard.errors import InvalidFile

DEFAULT_DB_URL = "sqlite:///vaspguard.db"


class Settings(BaseSettings):
    """Process-wide configuration.

    ``db``: SQLAlchemy URL. The default is a SQLite file in the working directory; production uses
    PostgreSQL through psycopg 3 (``postgresql+psycopg://user@host/db``; ``postgresql://`` is accepted and
    rewritten to the psycopg driver).
    ``data_dir``: where keys, exports and list downloads live by default.
    ``api_host``/``api_port``: where ``vaspguard serve`` listens.
    ``policy_packs``: extra rule packs for the API's decision engine, paths separated by the OS path
    separator (``:`` on Linux), loaded after the built-in packs (``VASPGUARD_POLICY_PACKS``).
    ``api_warm``: build the decision engine when the server starts (then ``gc.freeze()`` it), not on the
    first decision.
    ``api_body_limit``/``api_batch_body_limit``: the largest request body the API reads, in bytes (1 MiB;
    16 MiB on the batch routes ``/v1/decisions`` and ``/v1/screen``); a larger one is answered 413 while
    it streams in. ``api_json_depth``: the deepest nesting of arrays and objects a JSON body may have (422).
    ``actor``: who a CLI action is recorded as in the audit log where ``--actor``/``--as`` is not given
    (default: ``cli:`` and the system user).
    ``progress``: draw progress bars (on stderr) even when stderr is not a terminal.
    ``nats_url``/``nats_stream``/``nats_prefix``: the NATS server events are published to (JetStream; the
    stream is created if missing, with subjects ``PREFIX.>``); an empty URL: no NATS publishing.
    ``worker_feeds``: list feeds the worker fetches (comma-separated names from ``vaspguard lists feeds``),
    every ``worker_fetch_minutes``; ``worker_poll_seconds``: how often it looks for due jobs.
    ``dispatch_idle_seconds``: how long the dispatcher pauses when it found nothing to send.
    ``disclosure_key_file``/``pseudonym_key_file``: the exchange's disclosure signing key (Ed25519, PEM) and
    its pseudonym key (64 hex digits) read from these files (mounted secrets, never generated there);
    unset: ``data_dir/requests/exchange.key`` and ``pseudonym.key``, made on first use.
    """

    model_config = SettingsConfigDict(env_prefix="VASPGUARD_", extra="ignore")

    db: str = DEFAULT_DB_URL
    data_dir: Path = Path("var")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    policy_packs: str = ""
    api_warm: bool = True
    api_body_limit: int = Field(1 << 20, ge=1)
    api_batch_body_limit: int = Field(16 << 20, ge=1)
    api_json_depth: int = Field(64, ge=1, le=1000)
    actor: str = ""
    progress: bool = False
    nats_url: str = ""
    nats_stream: str = "VASPGUARD"
    nats_prefix: str = "vaspguard"
    worker_feeds: str = ""
    worker_fetch_minutes: int = 60
    worker_poll_seconds: float = 5.0
    dispatch_idle_seconds: float = 0.5
    disclosure_key_file: Path | None = None
    pseudonym_key_file: Path | None = None

    def default_actor(self) -> str:
        """``actor``, else ``cli:`` and the system user; ``cli`` where the process has no user name at all
        (a container running as a uid with no passwd entry and no ``$USER``)."""
        if self.actor:
            return self.actor
        try:
            return f"cli:{getpass.getuser()}"
        except (KeyError, OSError):
            return "cli"

    def worker_feed_names(self) -> list[str]:
        return [f.strip() for f in self.worker_feeds.split(",") if f.strip()]

    def policy_pack_paths(self) -> list[str]:
        return [p for p in self.policy_packs.split(os.pathsep) if p]


def normalise_db_url(url: str) -> str:
    """Return ``url`` with PostgreSQL URLs pointed at the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def check_key_file(path: Path, setting: str) -> Path:
    """``path`` if it can serve as the key file named by the setting ``setting`` (``VASPGUARD_..._FILE``): a
    regular file (a symlink to one, as Kubernetes mounts secrets, will do) that no other user may read and
    only its owner may write, like ssh's private keys. A group may read it (``0440`` with the service's
    group is how a mounted secret reaches a non-root container). Never creates the file: a key named by a
    setting is the operator's, and a missing one is an error, not a new key."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InvalidFile(path, f"{setting} names this key file and it does not exist") from None
    except OSError as exc:
        raise InvalidFile(path, f"{setting}: cannot read the key file: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise InvalidFile(path, f"{setting}: not a regular file")
    mode = stat.S_IMODE(st.st_mode)
    if mode & 0o027:
        raise InvalidFile(
            path,
            f"{setting}: mode {mode:04o} lets other users read or change the key; "
            "make it 0400 or 0440 (chmod go-w,o-rwx)",
        )
    return path


def read_key_file(path: Path, setting: str) -> str:
    """The text of the key file ``path`` named by ``setting``, once ``check_key_file`` accepts it."""
    try:
        return check_key_file(path, setting).read_text()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not text"
        raise InvalidFile(path, f"{setting}: cannot read the key file: {reason}") from None
