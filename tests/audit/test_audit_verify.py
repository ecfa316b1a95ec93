"""`audit export` + offline `audit verify` on a real database, clean and after each kind of tampering.

Each attack is what someone with write access to the database (but not the signing key) can do after
dropping the append-only triggers; each is caught with its own exit code.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from audit_helpers import approval, drop_triggers
from sqlalchemy import text

from vaspguard.audit import (
    AuditLog,
    Checkpoint,
    SignedCheckpoint,
    SigningKey,
    VerifyCode,
    export_bundle,
    verify_bundle,
)
from vaspguard.audit._note import COSIGNATURE_V1
from vaspguard.store import Store

CliRunner = Callable[..., tuple[int, str, str]]


@pytest.fixture
def keyed(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AuditLog:
    """A log whose key lives where the CLI finds it, with 40 entries in 4 batches (4 checkpoints)."""
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path / "var"))
    log = AuditLog.open(store)
    for batch in range(4):
        log.append_many([approval(actor=f"officer{batch}{i}", request=f"R{i}") for i in range(10)])
    return log


def _export(cli: CliRunner, store: Store, target: Path, *extra: str) -> Path:
    code, _out, err = cli("--db", store.url, "audit", "export", target, *extra)
    assert code == 0, err
    return target


def _verify(cli: CliRunner, bundle: Path, key: Path, *extra: str | Path) -> tuple[int, dict[str, object]]:
    code, out, _err = cli("audit", "verify", bundle, "--key", key, "--json", *extra)
    return code, json.loads(out)


def _pub(tmp_path: Path) -> Path:
    return tmp_path / "var" / "audit" / "log.pub"


def _set_entry(store: Store, idx: int, entry: bytes) -> None:
    with store.connect() as conn:
        conn.execute(text("UPDATE audit_leaves SET entry = :e WHERE idx = :i"), {"e": entry, "i": idx})


def test_clean_log_verifies(keyed: AuditLog, store: Store, cli: CliRunner, tmp_path: Path) -> None:
    bundle = _export(cli, store, tmp_path / "bundle")
    code, report = _verify(cli, bundle, _pub(tmp_path))
    assert code == 0, report
    assert report["entries"] == 40 and report["checkpoints"] == 4
    assert report["newest_checkpoint"]["size"] == 40  # type: ignore[index]
    # Verification needs no database: it reads only the bundle (the CLI was given no --db at all).
    code, out, _ = cli("audit", "verify", bundle, "--key", _pub(tmp_path))
    assert code == 0 and out.startswith("ok: 40 entries")
    code, out, _ = cli("audit", "verify", bundle, "--key", _pub(tmp_path), "--workers", "1")
    assert code == 0 and out.startswith("ok: 40 entries")
    code, _, err = cli("audit", "verify", bundle, "--key", _pub(tmp_path), "--workers", "0")
    assert code == 2 and "--workers" in err


def test_changed_byte_that_stays_canonical(
    keyed: AuditLog, store: Store, cli: CliRunner, tmp_path: Path
) -> None:
    drop_triggers(store)
    entry = keyed.entry(7)
    _set_entry(store, 7, entry.replace(b'"officer07"', b'"officer08"'))
    code, report = _verify(cli, _export(cli, store, tmp_path / "b"), _pub(tmp_path))
    assert code == VerifyCode.INCONSISTENT == 13, report


def test_changed_byte_that_breaks_the_encoding(
    keyed: AuditLog, store: Store, cli: CliRunner, tmp_path: Path
) -> None:
    drop_triggers(store)
    entry = keyed.entry(12)
    _set_entry(store, 12, entry.replace(b'"actor":', b'"actor" :'))
    code, report = _verify(cli, _export(cli, store, tmp_path / "b"), _pub(tmp_path))
    assert code == VerifyCode.REENCODING == 14, report


def test_deleted_row(keyed: AuditLog, store: Store, cli: CliRunner, tmp_path: Path) -> None:
    drop_triggers(store)
    with store.connect() as conn:
        conn.execute(text("DELETE FROM audit_leaves WHERE idx = 5"))
    code, report = _verify(cli, _export(cli, store, tmp_path / "b"), _pub(tmp_path))
    assert code == VerifyCode.GAP == 17, report


def test_reordered_rows(keyed: AuditLog, store: Store, cli: CliRunner, tmp_path: Path) -> None:
    drop_triggers(store)
    e3, e9 = keyed.entry(3), keyed.entry(9)
    _set_entry(store, 3, e9)
    _set_entry(store, 9, e3)
    code, report = _verify(cli, _export(cli, store, tmp_path / "b"), _pub(tmp_path))
    assert code == VerifyCode.REORDERED == 18, report


def test_truncated_tail(keyed: AuditLog, store: Store, cli: CliRunner, tmp_path: Path) -> None:
    drop_triggers(store)
    with store.connect() as conn:
        conn.execute(text("DELETE FROM audit_leaves WHERE idx >= 35"))
    code, report = _verify(cli, _export(cli, store, tmp_path / "b"), _pub(tmp_path))
    assert code == VerifyCode.TRUNCATED == 19, report


def test_rollback_against_the_pinned_checkpoint(
    keyed: AuditLog, store: Store, cli: CliRunner, tmp_path: Path
) -> None:
    pin = tmp_path / "pinned.note"
    code, _ = _verify(
        cli, _export(cli, store, tmp_path / "b1"), _pub(tmp_path), "--pinned", pin, "--update-pin"
    )
    assert code == 0 and SignedCheckpoint.parse(pin.read_text()).size == 40
    # The attacker removes the last batch AND its checkpoint: the bundle is self-consistent, but old.
    drop_triggers(store)
    with store.connect() as conn:
        conn.execute(text("DELETE FROM audit_leaves WHERE idx >= 30"))
        conn.execute(text("DELETE FROM audit_checkpoints WHERE size > 30"))
    bundle = _export(cli, store, tmp_path / "b2")
    assert _verify(cli, bundle, _pub(tmp_path))[0] == 0  # without the pin, nothing to compare with
    code, report = _verify(cli, bundle, _pub(tmp_path), "--pinned", pin)
    assert code == VerifyCode.ROLLBACK == 11, report


def test_pin_advances_only_after_success(
    keyed: AuditLog, store: Store, cli: CliRunner, tmp_path: Path
) -> None:
    pin = tmp_path / "pinned.note"
    _verify(cli, _export(cli, store, tmp_path / "b1"), _pub(tmp_path), "--pinned", pin, "--update-pin")
    keyed.append(approval(actor="late"))
    code, report = _verify(
        cli, _export(cli, store, tmp_path / "b2"), _pub(tmp_path), "--pinned", pin, "--update-pin"
    )
    assert code == 0, report
    assert SignedCheckpoint.parse(pin.read_text()).size == 41
    code, _, err = cli(
        "audit", "verify", tmp_path / "b2", "--key", _pub(tmp_path), "--pinned", tmp_path / "none"
    )
    assert code == 2 and "does not exist" in err


def test_fork_two_signed_roots_for_one_size(
    keyed: AuditLog, store: Store, cli: CliRunner, tmp_path: Path
) -> None:
    bundle = _export(cli, store, tmp_path / "b")
    # Evidence of a split view: the same key signed another tree of size 40 (shown to someone else).
    assert keyed.signer is not None
    other = SignedCheckpoint.sign(Checkpoint(keyed.origin, 40, b"\x42" * 32), keyed.signer)
    with open(bundle / "checkpoints.jsonl", "a") as fh:
        fh.write(json.dumps({"size": 40, "note": other.note}) + "\n")
    code, report = _verify(cli, bundle, _pub(tmp_path))
    assert code == VerifyCode.FORK == 12, report
    assert other.note in report["fork_evidence"]  # type: ignore[operator]


def test_fork_against_the_pinned_checkpoint(
    keyed: AuditLog, store: Store, cli: CliRunner, tmp_path: Path
) -> None:
    assert keyed.signer is not None
    pin = tmp_path / "pinned.note"
    # What this auditor was shown earlier: a size-20 tree that is not a prefix of the exported log.
    pin.write_text(SignedCheckpoint.sign(Checkpoint(keyed.origin, 20, b"\x13" * 32), keyed.signer).note)
    bundle = _export(cli, store, tmp_path / "b")
    code, report = _verify(cli, bundle, _pub(tmp_path), "--pinned", pin)
    assert code == VerifyCode.FORK == 12, report
    # A pinned size the log never published a checkpoint for: the entries decide.
    pin.write_text(SignedCheckpoint.sign(Checkpoint(keyed.origin, 15, b"\x13" * 32), keyed.signer).note)
    code, report = _verify(cli, bundle, _pub(tmp_path), "--pinned", pin)
    assert code == VerifyCode.FORK, report
    pin.write_text(SignedCheckpoint.sign(Checkpoint(keyed.origin, 15, keyed.root(15)), keyed.signer).note)
    assert _verify(cli, bundle, _pub(tmp_path), "--pinned", pin)[0] == 0


def test_invalid_signature_and_unknown_key(
    keyed: AuditLog, store: Store, cli: CliRunner, tmp_path: Path
) -> None:
    bundle = _export(cli, store, tmp_path / "b")
    stranger = SigningKey.generate(keyed.origin)
    (tmp_path / "stranger.pub").write_text(stranger.verifier.vkey)
    code, report = _verify(cli, bundle, tmp_path / "stranger.pub")
    assert code == VerifyCode.BAD_SIGNATURE == 10, report
    # A checkpoint whose body was edited after signing.
    lines = (bundle / "checkpoints.jsonl").read_text().splitlines()
    record = json.loads(lines[1])
    record["note"] = record["note"].replace("\n20\n", "\n21\n")
    lines[1] = json.dumps(record)
    (bundle / "checkpoints.jsonl").write_text("\n".join(lines) + "\n")
    code, report = _verify(cli, bundle, _pub(tmp_path))
    assert code == VerifyCode.BAD_SIGNATURE, report


def test_witness_quorum(keyed: AuditLog, store: Store, cli: CliRunner, tmp_path: Path) -> None:
    for name in ("w1", "w2"):
        code, _, err = cli(
            "audit", "keygen", "--witness", "--name", f"{name}.example", "--out", tmp_path / name
        )
        assert code == 0, err
    code, out, err = cli(
        "--db", store.url, "audit", "cosign", "--key", tmp_path / "w1", "--log-key", _pub(tmp_path)
    )
    assert code == 0 and out.startswith("\u2014 w1.example "), err
    bundle = _export(cli, store, tmp_path / "b")
    witnesses = ["--witness", str(tmp_path / "w1.pub"), "--witness", str(tmp_path / "w2.pub")]
    code, report = _verify(cli, bundle, _pub(tmp_path), *witnesses, "--quorum", "1")
    assert code == 0 and report["newest_checkpoint"]["cosigners"] == ["w1.example"], report  # type: ignore[index]
    code, report = _verify(cli, bundle, _pub(tmp_path), *witnesses, "--quorum", "2")
    assert code == VerifyCode.QUORUM == 16, report
    code, _, err = cli("audit", "verify", bundle, "--key", _pub(tmp_path), *witnesses, "--quorum", "3")
    assert code == 2 and "quorum" in err


def test_stale_checkpoint(keyed: AuditLog, store: Store, cli: CliRunner, tmp_path: Path) -> None:
    bundle = _export(cli, store, tmp_path / "b")
    assert _verify(cli, bundle, _pub(tmp_path), "--max-age", "1")[0] == 0
    later = datetime.now(UTC) + timedelta(hours=2)
    report = verify_bundle(bundle, keyed.public_key, max_age=timedelta(hours=1), now=later)
    assert report.code == VerifyCode.STALE == 15


def test_payloads_against_commitments_and_erasure(
    keyed: AuditLog, store: Store, cli: CliRunner, tmp_path: Path
) -> None:
    code, _, err = cli("--db", store.url, "audit", "erase", "3", "--actor", "dpo", "--reason", "GDPR art. 17")
    assert code == 0, err
    bundle = _export(cli, store, tmp_path / "b", "--with-payloads")
    code, report = _verify(cli, bundle, _pub(tmp_path))
    assert code == 0 and report["payloads_checked"] == 40, report  # 41 entries, one payload erased
    lines = (bundle / "payloads.jsonl").read_text().splitlines()
    record = json.loads(lines[0])
    record["payload"] = record["payload"].replace("lawful", "unlawful")
    lines[0] = json.dumps(record)
    (bundle / "payloads.jsonl").write_text("\n".join(lines) + "\n")
    code, report = _verify(cli, bundle, _pub(tmp_path))
    assert code == VerifyCode.PAYLOAD == 20, report


def test_unreadable_bundle(cli: CliRunner, tmp_path: Path) -> None:
    key = SigningKey.generate("x.example/log")
    code, _, err = cli("audit", "verify", tmp_path, "--key", key.verifier.vkey)
    assert code == 2 and "manifest.json" in err
    code, _, err = cli("audit", "verify", tmp_path, "--key", "not-a-key")
    assert code == 2 and "key" in err


def test_witness_refuses_rollback_and_fork(
    keyed: AuditLog, store: Store, cli: CliRunner, tmp_path: Path
) -> None:
    code, _, err = cli("audit", "keygen", "--witness", "--name", "w.example", "--out", tmp_path / "w")
    assert code == 0, err
    cosign = ("--db", store.url, "audit", "cosign", "--key", tmp_path / "w", "--log-key", _pub(tmp_path))
    assert cli(*cosign)[0] == 0
    keyed.append(approval(actor="next"))
    assert cli(*cosign)[0] == 0
    # The operator rewrites history and has the log sign it (it holds the key): the witness refuses.
    drop_triggers(store)
    with store.connect() as conn:
        conn.execute(text("DELETE FROM audit_checkpoints WHERE size > 20"))
        conn.execute(
            text(
                "UPDATE audit_state SET checkpoint_size = 20, "
                "checkpoint_root = (SELECT root FROM audit_checkpoints WHERE size = 20)"
            )
        )
    code, _, err = cli(*cosign)
    assert code == 5 and "older than size 41" in err
    witness = SigningKey.parse((tmp_path / "w").read_text())
    assert witness.key_type == COSIGNATURE_V1


@pytest.mark.parametrize(
    "tamper",
    ["none", "delete", "swap", "edit", "reencode", "cut"],
)
def test_chunked_and_parallel_verification_agree(
    keyed: AuditLog, store: Store, tmp_path: Path, tamper: str
) -> None:
    """Chunks of 8 entries (in 1 and, once, 2 processes) give the same report as one pass over everything."""
    bundle = export_bundle(keyed, tmp_path / "b").path
    lines = (bundle / "entries.jsonl").read_bytes().splitlines(keepends=True)
    if tamper == "delete":
        del lines[13]
    elif tamper == "swap":
        lines[3], lines[17] = lines[17], lines[3]
    elif tamper == "edit":
        lines[25] = lines[25].replace(b"officer2", b"officer9")
    elif tamper == "reencode":
        lines[31] = lines[31].replace(b'"v":1', b'"v": 1')
    elif tamper == "cut":
        lines[-1] = lines[-1][:-1]
    (bundle / "entries.jsonl").write_bytes(b"".join(lines))
    whole = verify_bundle(bundle, keyed.public_key, workers=1)
    assert (whole.code is VerifyCode.OK) == (tamper == "none"), whole.findings
    parallel = tamper == "swap" and store.backend == "sqlite"  # worker processes are slow to start
    for workers in (1, 2) if parallel else (1,):
        chunked = verify_bundle(bundle, keyed.public_key, workers=workers, chunk=8)
        assert chunked.to_json() == whole.to_json()
