"""Keys as mounted files: ``VASPGUARD_AUDIT_KEY_FILE``, ``VASPGUARD_DISCLOSURE_KEY_FILE`` and
``VASPGUARD_PSEUDONYM_KEY_FILE`` (how the container image and compose.yaml hand keys in, docs/container.md).

A key named by a setting is read from that file and never generated there or anywhere else; a missing file, a
file other users may read, or a malformed key is refused with one line naming the setting, and ``serve`` and
``worker`` refuse to start with it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from vaspguard.audit import AuditLog, Event, VerifierKey
from vaspguard.errors import InvalidFile
from vaspguard.requests import LawfulRequests
from vaspguard.store import Store


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "var"
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(path))
    for name in ("AUDIT_KEY_FILE", "AUDIT_KEY_DIR", "DISCLOSURE_KEY_FILE", "PSEUDONYM_KEY_FILE"):
        monkeypatch.delenv(f"VASPGUARD_{name}", raising=False)
    return path


@pytest.fixture
def secrets_dir(tmp_path: Path) -> Path:
    path = tmp_path / "secrets"
    path.mkdir()
    return path


def _audit_key(cli: Any, secrets_dir: Path) -> tuple[Path, str]:
    """A log key made as docs/container.md says (``audit keygen --out``): the file and its verifier key."""
    out = secrets_dir / "audit-log.key"
    code, vkey, err = cli("audit", "keygen", "--name", "exchange.example/audit/v1", "--out", out)
    assert code == 0, err
    return out, vkey.strip()


def _files_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()) if path.exists() else []


def test_the_audit_log_signs_with_the_key_file_and_generates_none(
    sqlite_store: Store, cli: Any, secrets_dir: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key, vkey = _audit_key(cli, secrets_dir)
    key.chmod(0o400)
    monkeypatch.setenv("VASPGUARD_AUDIT_KEY_FILE", str(key))
    log = AuditLog.open(sqlite_store)
    log.append(Event(type="operator.note", actor="ops:1"))
    checkpoint = log.checkpoint()
    checkpoint.verify(VerifierKey.parse(vkey), origin="exchange.example/audit/v1")
    # The signer's memory stays in the (writable) key directory; no second key appears beside it.
    assert _files_under(data_dir) == ["audit/last-signed.lock", "audit/last-signed.note"]


def test_a_missing_audit_key_file_is_refused_not_generated(
    sqlite_store: Store, secrets_dir: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = secrets_dir / "audit-log.key"
    monkeypatch.setenv("VASPGUARD_AUDIT_KEY_FILE", str(missing))
    with pytest.raises(
        InvalidFile, match="VASPGUARD_AUDIT_KEY_FILE names this key file and it does not exist"
    ):
        AuditLog.open(sqlite_store)
    assert not missing.exists()
    assert _files_under(data_dir) == []


@pytest.mark.parametrize("mode", [0o644, 0o604, 0o660, 0o602])
def test_a_key_file_other_users_may_read_or_change_is_refused(
    sqlite_store: Store, cli: Any, secrets_dir: Path, monkeypatch: pytest.MonkeyPatch, mode: int
) -> None:
    key, _ = _audit_key(cli, secrets_dir)
    key.chmod(mode)
    monkeypatch.setenv("VASPGUARD_AUDIT_KEY_FILE", str(key))
    with pytest.raises(InvalidFile, match=f"mode {mode:04o} lets other users read or change the key"):
        AuditLog.open(sqlite_store)


def test_a_group_readable_key_file_serves(
    sqlite_store: Store, cli: Any, secrets_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """0440 with the service's group: how a secret owned by another user reaches the non-root container."""
    key, vkey = _audit_key(cli, secrets_dir)
    key.chmod(0o440)
    monkeypatch.setenv("VASPGUARD_AUDIT_KEY_FILE", str(key))
    assert AuditLog.open(sqlite_store).public_key.vkey == vkey


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("not a key\n", "a signing key is PRIVATE+KEY+NAME+KEYID+BASE64"),
        ("", "a signing key is PRIVATE+KEY+NAME+KEYID+BASE64"),
    ],
)
def test_a_malformed_audit_key_file_is_one_line_naming_the_setting(
    sqlite_store: Store, secrets_dir: Path, monkeypatch: pytest.MonkeyPatch, content: str, reason: str
) -> None:
    key = secrets_dir / "audit-log.key"
    key.write_text(content)
    key.chmod(0o600)
    monkeypatch.setenv("VASPGUARD_AUDIT_KEY_FILE", str(key))
    with pytest.raises(InvalidFile) as caught:
        AuditLog.open(sqlite_store)
    assert str(caught.value) == f"{key}: VASPGUARD_AUDIT_KEY_FILE: {reason}"


def test_a_directory_is_not_a_key_file(
    sqlite_store: Store, secrets_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets_dir.chmod(0o700)
    monkeypatch.setenv("VASPGUARD_AUDIT_KEY_FILE", str(secrets_dir))
    with pytest.raises(InvalidFile, match="VASPGUARD_AUDIT_KEY_FILE: not a regular file"):
        AuditLog.open(sqlite_store)


def test_disclosures_are_signed_with_the_disclosure_key_file(
    sqlite_store: Store, cli: Any, secrets_dir: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = secrets_dir / "disclosure.key"
    code, _out, err = cli("operators", "keygen", "--out", key)  # the same Ed25519 PEM the exchange key is
    assert code == 0, err
    monkeypatch.setenv("VASPGUARD_DISCLOSURE_KEY_FILE", str(key))
    expected = serialization.load_pem_private_key(key.read_bytes(), password=None)
    used = LawfulRequests(sqlite_store).exchange_key()
    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    assert used.public_key().public_bytes(*raw) == expected.public_key().public_bytes(*raw)
    assert _files_under(data_dir) == []


def test_a_missing_disclosure_key_file_is_refused_not_generated(
    sqlite_store: Store, secrets_dir: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VASPGUARD_DISCLOSURE_KEY_FILE", str(secrets_dir / "disclosure.key"))
    with pytest.raises(InvalidFile, match="VASPGUARD_DISCLOSURE_KEY_FILE names this key file"):
        LawfulRequests(sqlite_store).exchange_key()
    assert _files_under(data_dir) == [] and _files_under(secrets_dir) == []


def test_a_disclosure_key_file_that_is_no_pem_key_is_refused(
    sqlite_store: Store, secrets_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = secrets_dir / "disclosure.key"
    key.write_text(secrets.token_hex(32) + "\n")
    key.chmod(0o400)
    monkeypatch.setenv("VASPGUARD_DISCLOSURE_KEY_FILE", str(key))
    with pytest.raises(InvalidFile, match="not an unencrypted PEM private key"):
        LawfulRequests(sqlite_store).exchange_key()


def test_pseudonyms_derive_from_the_pseudonym_key_file(
    sqlite_store: Store, secrets_dir: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = secrets.token_bytes(32)
    key = secrets_dir / "pseudonym.key"
    key.write_text(raw.hex() + "\n")
    key.chmod(0o400)
    monkeypatch.setenv("VASPGUARD_PSEUDONYM_KEY_FILE", str(key))
    salt = LawfulRequests(sqlite_store).pseudonym_salt("LR-2026-000001")
    # The derivation docs/requests.md describes, keyed by the file's 32 bytes.
    expected = hmac.new(raw, b"vaspguard/pseudonym-salt/1\nLR-2026-000001", hashlib.sha256).hexdigest()
    assert salt == expected
    assert _files_under(data_dir) == []


@pytest.mark.parametrize("content", ["ab" * 31 + "\n", "zz" * 32 + "\n", "ab" * 33 + "\n", ""])
def test_a_pseudonym_key_file_that_is_not_64_hex_digits_is_refused(
    sqlite_store: Store, secrets_dir: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    key = secrets_dir / "pseudonym.key"
    key.write_text(content)
    key.chmod(0o400)
    monkeypatch.setenv("VASPGUARD_PSEUDONYM_KEY_FILE", str(key))
    with pytest.raises(InvalidFile, match="a pseudonym key is 64 hex digits"):
        LawfulRequests(sqlite_store).pseudonym_salt("LR-2026-000001")


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["worker", "--once"]])
@pytest.mark.parametrize(
    "setting", ["VASPGUARD_AUDIT_KEY_FILE", "VASPGUARD_DISCLOSURE_KEY_FILE", "VASPGUARD_PSEUDONYM_KEY_FILE"]
)
def test_serve_and_worker_refuse_to_start_with_a_missing_key_file(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], setting: str
) -> None:
    missing = tmp_path / "secrets" / "nothing.key"
    monkeypatch.setenv(setting, str(missing))
    code, out, err = cli("--db", f"sqlite:///{tmp_path / 'v.db'}", *command)
    assert code == 2
    assert err.strip().splitlines() == [
        f"vaspguard: {missing}: {setting} names this key file and it does not exist"
    ]
    assert out == "" and not (tmp_path / "v.db").exists()  # refused before the database was touched


def test_audit_keygen_writes_the_key_file_the_setting_names(
    sqlite_store: Store, cli: Any, secrets_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = secrets_dir / "audit-log.key"
    monkeypatch.setenv("VASPGUARD_AUDIT_KEY_FILE", str(key))
    code, vkey, err = cli("audit", "keygen", "--name", "exchange.example/audit/v1")
    assert code == 0, err
    assert AuditLog.open(sqlite_store).public_key.vkey == vkey.strip()
    assert (secrets_dir / "audit-log.key.pub").read_text().strip() == vkey.strip()
    code, _out, err = cli("audit", "keygen", "--name", "exchange.example/audit/v1")  # never over a key
    assert code == 2 and "refusing to overwrite a key" in err
