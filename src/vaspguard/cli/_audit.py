"""``vaspguard audit``: the tamper-evident log, checkpoints, proofs, witnesses, export and offline verify."""

from __future__ import annotations

import base64
import json
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import typer

from vaspguard.cli._common import open_db, print_json, progress

app = typer.Typer(
    help="Audit: the tamper-evident log, checkpoints, proofs, export and offline verify.",
    no_args_is_help=True,
)

_VERIFY_HELP = """Verify an exported bundle OFFLINE (no database, no configuration): recompute every leaf
hash and the Merkle tree, check every checkpoint's signature and root, the witness quorum, the pinned
checkpoint and freshness.

\b
Exit codes:
   0  ok
   2  the bundle or an argument cannot be read
  10  invalid signature (forged, by an unknown key, or none by the trusted key)
  11  rollback (newest checkpoint older than the pinned one)
  12  fork (two signed roots for one size, or a checkpoint that does not extend the pinned one)
  13  inconsistent proof (the entries do not produce a signed root)
  14  entry re-encoding mismatch (an entry is not the canonical encoding of a valid event)
  15  stale checkpoint (older than --max-age)
  16  witness quorum not met
  17  gap (entries missing)
  18  entries reordered
  19  truncated (fewer entries than the newest checkpoint signs)
  20  payload does not match its commitment
When several problems are found, all are reported and the exit code names the most serious
(in the order 10, 12, 11, 14, 17, 18, 19, 13, 20, 16, 15)."""


def _audit_log() -> Any:
    from vaspguard.audit import AuditLog

    # On first use this generates the log key and says so on stderr (a warning of vaspguard.audit).
    return AuditLog.open(open_db())


def _read_key_arg(value: str) -> str:
    path = Path(value)
    return path.read_text().strip() if path.is_file() else value


def _verifier(value: str) -> Any:
    from vaspguard.audit import VerifierKey

    return VerifierKey.parse(_read_key_arg(value))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@app.command()
def keygen(
    name: str = typer.Option(None, "--name", help="Key name (the log's origin, or the witness's name)."),
    witness: bool = typer.Option(False, "--witness", help="Make a witness (cosignature/v1) key."),
    out: Path = typer.Option(
        None,
        "--out",
        help="Private key file (default: VASPGUARD_AUDIT_KEY_FILE, else log.key in the audit key directory).",
    ),
) -> None:
    """Generate an Ed25519 signing key: OUT (private, mode 0600) and OUT.pub (the verifier key to share)."""
    from vaspguard.audit import COSIGNATURE_V1, ED25519, AuditSettings, SigningKey
    from vaspguard.errors import InvalidRequest

    settings = AuditSettings()
    if out is None:
        if witness:
            raise InvalidRequest(
                "--out", "a witness key needs --out (it belongs to the witness, not the log)"
            )
        out = settings.key_path()  # VASPGUARD_AUDIT_KEY_FILE, else log.key in the key directory
    pub = out.with_name("log.pub") if out.name == "log.key" else out.with_name(out.name + ".pub")
    if out.exists():
        raise InvalidRequest("--out", f"{out} exists; refusing to overwrite a key")
    key = SigningKey.generate(
        name or (settings.origin if not witness else "witness"), COSIGNATURE_V1 if witness else ED25519
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key.skey + "\n")
    pub.write_text(key.verifier.vkey + "\n")
    sys.stderr.write(f"vaspguard: wrote {out} (keep secret) and {pub}\n")
    sys.stdout.write(key.verifier.vkey + "\n")


@app.command()
def append(
    actor: str = typer.Option(..., "--actor", help="Who is writing (staff id, never a customer's name)."),
    message: str = typer.Option(..., "--message", "-m", help="The note (kept in the erasable payload)."),
    type_: str = typer.Option("operator.note", "--type", help="Event type, dotted lower case."),
    role: str = typer.Option("", "--role", help="The actor's role (e.g. compliance, legal)."),
    region: str = typer.Option("", "--region", help="The actor's region (e.g. EU, HQ)."),
    subject: list[str] = typer.Option([], "--subject", help="A reference the note is about (repeatable)."),
    policy_version: str = typer.Option(None, "--policy-version", help="Policy version in force."),
    as_json: bool = typer.Option(False, "--json", help="Print the receipt as JSON."),
) -> None:
    """Append an operator's note to the log and print its receipt."""
    from vaspguard.audit import Event

    receipt = _audit_log().append(
        Event(
            type=type_,
            actor=actor,
            actor_role=role,
            actor_region=region,
            subjects=tuple(subject),
            policy_version=policy_version,
            payload={"message": message},
        )
    )
    if as_json:
        print_json(receipt.to_json())
    else:
        sys.stdout.write(f"appended entry {receipt.index}; checkpoint size {receipt.checkpoint.size}\n")


@app.command()
def checkpoint(as_json: bool = typer.Option(False, "--json", help="Print JSON instead of the note.")) -> None:
    """Sign (if the log grew) and print the latest checkpoint, with any witness cosignatures."""
    log = _audit_log()
    log.checkpoint()
    signed = log.latest_checkpoint()
    assert signed is not None
    if as_json:
        print_json(
            {
                "origin": signed.checkpoint.origin,
                "size": signed.size,
                "root": _b64(signed.root),
                "note": signed.note,
            }
        )
    else:
        sys.stdout.write(signed.note)


@app.command("prove-inclusion")
def prove_inclusion(
    index: int = typer.Argument(..., help="Leaf index (0-based)."),
    size: int = typer.Option(None, "--size", help="Tree size of a signed checkpoint (default: the latest)."),
) -> None:
    """Print a receipt for entry INDEX: entry, leaf hash, RFC 9162 inclusion proof and signed checkpoint."""
    log = _audit_log()
    signed = log.checkpoint_at(size) if size is not None else log.checkpoint()
    print_json(log.receipt(index, signed).to_json())


@app.command("prove-consistency")
def prove_consistency(
    old: int = typer.Argument(..., help="The older tree size."),
    new: int = typer.Argument(None, help="The newer tree size (default: the latest checkpoint)."),
) -> None:
    """Print the RFC 9162 consistency proof between two signed tree sizes, with both checkpoints."""
    log = _audit_log()
    second = log.checkpoint_at(new) if new is not None else log.checkpoint()
    first = log.checkpoint_at(old) if old > 0 else None
    proof = log.consistency_proof(old, second.size)
    print_json(
        {
            "first": old,
            "second": second.size,
            "first_checkpoint": first.note if first else None,
            "second_checkpoint": second.note,
            "proof": [_b64(h) for h in proof],
        }
    )


@app.command()
def export(
    directory: Path = typer.Argument(..., help="New or empty directory for the bundle."),
    with_payloads: bool = typer.Option(
        False, "--with-payloads", help="Also export payloads and salts (personal data: handle accordingly)."
    ),
) -> None:
    """Export the log as a bundle (entries, checkpoints with cosignatures) for `audit verify`."""
    from vaspguard.audit import export_bundle

    log = _audit_log()
    total = log.size
    with progress() as bar:
        task = bar.add_task("exporting entries", total=total)
        info = export_bundle(
            log, directory, with_payloads=with_payloads, on_entries=lambda n: bar.update(task, completed=n)
        )
        bar.update(task, completed=info.entries)
    sys.stdout.write(
        f"exported {info.entries} entries and {info.checkpoints} checkpoints to {info.path}"
        + (f" with {info.payloads} payloads" if info.payloads is not None else "")
        + "\n"
    )


@app.command(help=_VERIFY_HELP)
def verify(
    bundle: Path = typer.Argument(..., help="Bundle directory from `audit export`."),
    key: str = typer.Option(..., "--key", help="The log's public key (file or NAME+ID+BASE64), out of band."),
    witness: list[str] = typer.Option(
        [], "--witness", help="A witness public key (file or string); repeatable."
    ),
    quorum: int = typer.Option(0, "--quorum", help="Witness cosignatures required on the newest checkpoint."),
    pinned: Path = typer.Option(None, "--pinned", help="Checkpoint note you verified before (state file)."),
    update_pin: bool = typer.Option(
        False, "--update-pin", help="On success, replace the --pinned file with the newest checkpoint."
    ),
    max_age: float = typer.Option(
        None, "--max-age", help="Hours after which the newest checkpoint is stale."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
    workers: int = typer.Option(
        None,
        "--workers",
        help="Processes checking entries in parallel (default: the CPU count; 1 on a busy machine costs the "
        "least CPU). The result never depends on it.",
    ),
) -> None:
    from vaspguard.audit import SignedCheckpoint, VerifyCode, verify_bundle
    from vaspguard.errors import InvalidFile, InvalidRequest, NoteFormatError

    if workers is not None and workers < 1:
        raise InvalidRequest("--workers", f"{workers} is not a number of processes (1 or more)")
    log_key = _verifier(key)
    witnesses = [_verifier(w) for w in witness]
    pin = None
    if pinned is not None and pinned.exists():
        try:
            pin = SignedCheckpoint.parse(pinned.read_text())
        except NoteFormatError as exc:
            raise InvalidFile(pinned, str(exc)) from None
    elif pinned is not None and not update_pin:
        raise InvalidRequest("--pinned", f"{pinned} does not exist (add --update-pin to create it)")
    report = verify_bundle(
        bundle,
        log_key,
        witnesses=witnesses,
        quorum=quorum,
        pinned=pin,
        max_age=timedelta(hours=max_age) if max_age is not None else None,
        workers=workers,
    )
    if as_json:
        print_json(report.to_json())
    else:
        for finding in report.findings:
            sys.stdout.write(f"{finding.code.name.lower()} ({int(finding.code)}): {finding.message}\n")
        sys.stdout.write(
            f"{report.code.name.lower()}: {report.entries} entries, {report.checkpoints} checkpoints, newest "
            f"size {report.newest_size}, cosigned by {', '.join(report.cosigners) or 'no witness'}\n"
        )
    if report.code is VerifyCode.OK and update_pin and pinned is not None and report.newest_size is not None:
        newest = _newest_note(bundle, report.newest_size)
        tmp = pinned.with_name(pinned.name + ".tmp")
        tmp.write_text(newest)
        os.replace(tmp, pinned)
    raise typer.Exit(int(report.code))


def _newest_note(bundle: Path, size: int) -> str:
    with open(bundle / "checkpoints.jsonl", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record["size"] == size:
                return str(record["note"])
    raise AssertionError("verified checkpoint vanished")


@app.command()
def cosign(
    key: Path = typer.Option(..., "--key", help="The witness's private key file (from keygen --witness)."),
    log_key: str = typer.Option(..., "--log-key", help="The log's public key (file or string), out of band."),
    state: Path = typer.Option(
        None,
        "--state",
        help="The witness's state file (default: KEY.state): the last checkpoint it cosigned.",
    ),
) -> None:
    """As a witness, cosign the latest checkpoint after checking it extends the last one you cosigned."""
    from vaspguard.audit import AuditLog, SigningKey

    witness = SigningKey.parse(key.read_text())
    # The witness needs no log signing key: it checks the log's signature with its own copy of the public key.
    log = AuditLog.reader(open_db(), _verifier(log_key))
    result = log.cosign(witness, state_file=state or key.with_name(key.name + ".state"))
    if result.first_use:
        sys.stderr.write("vaspguard: first cosignature by this witness: checkpoint trusted on first use\n")
    sys.stdout.write(result.line)


@app.command()
def events(
    type_prefix: str = typer.Option(None, "--type", help="Event type or prefix (e.g. requests)."),
    subject: str = typer.Option(None, "--subject", help="Only events about this reference."),
    start: int = typer.Option(0, "--start", help="First index."),
    limit: int = typer.Option(100, "--limit", help="At most this many."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON lines with payloads."),
) -> None:
    """List logged events (payloads shown with --json; erased ones as null)."""
    for e in _audit_log().events(type_prefix, subject, start=start, limit=limit):
        if as_json:
            sys.stdout.write(json.dumps(e.to_dict(), ensure_ascii=False, sort_keys=True) + "\n")
        else:
            sys.stdout.write(f"{e.index}\t{e.entry.ts}\t{e.type}\t{e.actor}\t{' '.join(e.subjects)}\n")


@app.command()
def erase(
    index: int = typer.Argument(..., help="Entry whose payload (personal data) is erased."),
    actor: str = typer.Option(..., "--actor", help="Who erases (e.g. the DPO's staff id)."),
    reason: str = typer.Option(..., "--reason", help="Legal ground, e.g. 'GDPR art. 17 request E-12'."),
) -> None:
    """Erase an entry's payload and salt; the leaf stays, the log stays verifiable, the erasure is logged."""
    receipt = _audit_log().erase(index, actor=actor, reason=reason)
    sys.stdout.write(f"erased the payload of entry {index}; erasure logged as entry {receipt.index}\n")


@app.command("verify-receipt")
def verify_receipt(
    receipt_file: Path = typer.Argument(
        ..., help="A receipt JSON file (from prove-inclusion or append --json)."
    ),
    key: str = typer.Option(..., "--key", help="The log's public key (file or string)."),
) -> None:
    """Verify a receipt offline: the log's signature, the entry and its inclusion proof."""
    from vaspguard.audit import Receipt, verify_receipt_offline
    from vaspguard.errors import InvalidFile

    try:
        data = json.loads(receipt_file.read_text())
    except (OSError, ValueError) as exc:
        raise InvalidFile(receipt_file, str(exc)) from None
    entry = verify_receipt_offline(Receipt.from_json(data), _verifier(key))
    sys.stdout.write(f"ok: entry {entry.idx} ({entry.type} by {entry.actor}) is in the signed log\n")
