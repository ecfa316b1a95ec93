"""Sealed packages: a disclosure package encrypted to the requesting agency's registered age keys.

A package handed over on a portal or by mail must be readable only by its recipient. The package's files
(manifest, signature, data, ``files.sha256``) go into one tar archive, encrypted with age (X25519
recipients, via ``pyrage``) to every key the agency registered. The agency needs no vaspguard to read it:

    mkdir package && age -d -i agency-key.txt package.tar.age | tar -x -C package

and ``vaspguard requests verify-package DIR --identity agency-key.txt`` checks it without unpacking by hand.
The tar is deterministic (sorted names, no owners, mtime 0), so the same package seals to the same archive
before encryption.
"""

from __future__ import annotations

import io
import tarfile
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from vaspguard.errors import IntegrityViolation, InvalidFile

SEALED = "package.tar.age"


def _tar(directory: Path) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(directory.iterdir()):
            data = path.read_bytes()
            info = tarfile.TarInfo(path.name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def seal(directory: Path, recipients: Sequence[str]) -> None:
    """Replace the package in ``directory`` by ``package.tar.age`` encrypted to ``recipients``."""
    import pyrage
    from pyrage import x25519

    keys = [x25519.Recipient.from_str(r) for r in recipients]
    sealed = pyrage.encrypt(_tar(directory), keys)
    for path in directory.iterdir():
        path.unlink()
    (directory / SEALED).write_bytes(sealed)


def is_sealed(path: Path) -> bool:
    return (path / SEALED).is_file()


@contextmanager
def opened(path: Path, identity_file: Path) -> Iterator[Path]:
    """The sealed package at ``path`` decrypted with the age identity in ``identity_file`` and unpacked into
    a temporary directory (removed afterwards)."""
    import pyrage
    from pyrage import x25519

    try:
        lines = identity_file.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InvalidFile(identity_file, f"cannot read: {exc.strerror}") from None
    try:
        identities = [x25519.Identity.from_str(x.strip()) for x in lines if x.startswith("AGE-SECRET-KEY-")]
    except Exception:
        raise InvalidFile(identity_file, "not an age X25519 identity (AGE-SECRET-KEY-1...)") from None
    if not identities:
        raise InvalidFile(identity_file, "holds no age identity (a line AGE-SECRET-KEY-1...)")
    try:
        plain = pyrage.decrypt((path / SEALED).read_bytes(), identities)
    except pyrage.DecryptError as exc:
        raise IntegrityViolation(f"{path / SEALED}: cannot be decrypted with this identity: {exc}") from None
    with (
        tempfile.TemporaryDirectory(prefix="vaspguard-package-") as tmp,
        tarfile.open(fileobj=io.BytesIO(plain)) as tar,
    ):
        for member in tar.getmembers():
            if not member.isfile() or "/" in member.name or member.name.startswith("."):
                raise IntegrityViolation(f"{path / SEALED}: unexpected archive member {member.name!r}")
        tar.extractall(tmp, filter="data")
        yield Path(tmp)
