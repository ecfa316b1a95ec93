"""C2SP signed notes, checkpoints and cosignatures: known answers, strict parsing, every refusal path."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from vaspguard.audit import Checkpoint, QuorumError, SignatureError, SignedCheckpoint, SigningKey, VerifierKey
from vaspguard.audit._note import COSIGNATURE_V1, SignedNote
from vaspguard.errors import InvalidRequest, NoteFormatError

# The example key and note of the Go reference implementation (golang.org/x/mod/sumdb/note). Ed25519 is
# deterministic, so signing the same text must give the same line byte for byte.
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
GO_SIG = (
    "\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def test_go_reference_vector_byte_for_byte() -> None:
    signer = SigningKey.parse(GO_SKEY)
    assert signer.skey == GO_SKEY
    assert signer.verifier.vkey == GO_VKEY
    assert signer.verifier.key_id.hex() == "c74f20a3"
    assert signer.signature_line(GO_TEXT) == GO_SIG
    verified = SignedNote.parse(GO_TEXT + "\n" + GO_SIG).verify([VerifierKey.parse(GO_VKEY)])
    assert [v.key.name for v in verified] == ["PeterNeumann"]


def test_verifier_rules() -> None:
    note = SignedNote.parse(GO_TEXT + "\n" + GO_SIG)
    other = SigningKey.generate("PeterNeumann")  # same name, different key: another key ID, so unknown
    with pytest.raises(SignatureError, match="no signature by a trusted key"):
        note.verify([other.verifier])
    # An unknown key's signature is ignored when a known one verifies.
    extra = note.with_signature(other.signature_line(GO_TEXT))
    assert len(extra.verify([VerifierKey.parse(GO_VKEY)])) == 1
    # A known key whose signature fails rejects the whole note.
    forged = GO_TEXT.replace("problem,", "problem;") + "\n" + GO_SIG
    with pytest.raises(SignatureError, match="does not verify"):
        SignedNote.parse(forged).verify([VerifierKey.parse(GO_VKEY)])
    sig = base64.b64decode(GO_SIG.split()[-1])
    flipped = sig[:10] + bytes([sig[10] ^ 1]) + sig[11:]
    with pytest.raises(SignatureError):
        SignedNote.parse(
            GO_TEXT + "\n\u2014 PeterNeumann " + base64.b64encode(flipped).decode() + "\n"
        ).verify([VerifierKey.parse(GO_VKEY)])


@pytest.mark.parametrize(
    "text",
    [
        GO_TEXT + "\n" + GO_SIG.rstrip("\n"),  # no final newline
        GO_TEXT + GO_SIG,  # no blank line
        GO_TEXT + "\n",  # no signature
        GO_TEXT.replace("\n", "\r\n", 1) + "\n" + GO_SIG,  # control character
        GO_TEXT + "\n" + GO_SIG.replace("\u2014", "-"),  # not an em dash
        GO_TEXT + "\n" + GO_SIG.replace("x08go", "x08g!"),  # not base64
        GO_TEXT + "\n" + "\u2014 PeterNeumann AAAA\n",  # too short
        GO_TEXT + "\n" + GO_SIG * 101,  # too many signatures
    ],
)
def test_malformed_notes_are_rejected(text: str) -> None:
    with pytest.raises(NoteFormatError):
        SignedNote.parse(text)


@pytest.mark.parametrize(
    "vkey",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # wrong key id
        "PeterNeumann+c74f20a3+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # unknown algorithm
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10",  # short
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # space in name
        "PeterNeumann",
    ],
)
def test_malformed_verifier_keys_are_rejected(vkey: str) -> None:
    with pytest.raises(InvalidRequest):
        VerifierKey.parse(vkey)


def test_checkpoint_body_is_strict() -> None:
    key = SigningKey.generate("example.com/log")
    cp = Checkpoint("example.com/log", 42, b"\x07" * 32)
    signed = SignedCheckpoint.sign(cp, key)
    assert signed.note.startswith(
        "example.com/log\n42\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n\n\u2014 "
    )
    assert SignedCheckpoint.parse(signed.note).checkpoint == cp
    signed.verify(key.verifier, origin="example.com/log")
    with pytest.raises(SignatureError, match="origin"):
        signed.verify(key.verifier, origin="other.example/log")
    for body in [
        "example.com/log\n042\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",  # leading zero
        "example.com/log\n-1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
        "example.com/log\n42\nBwcHBwcH\n",  # not 32 bytes
        "example.com/log\n42\n",  # no root line
        "\n42\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",  # empty origin
        "example.com/log\n42\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\nextension\n",
    ]:
        with pytest.raises(NoteFormatError):
            SignedCheckpoint.parse(body + "\n" + key.signature_line(body))


def test_cosignatures_and_quorum() -> None:
    log_key = SigningKey.generate("example.com/log")
    w1, w2, w3 = (SigningKey.generate(f"witness{i}.example", COSIGNATURE_V1) for i in (1, 2, 3))
    signed = SignedCheckpoint.sign(Checkpoint("example.com/log", 7, b"\x01" * 32), log_key)
    body = signed.checkpoint.body
    note = SignedNote.parse(signed.note)
    for w in (w1, w2):
        note = note.with_signature(w.signature_line(body, timestamp=1_700_000_000))
    cosigned = SignedCheckpoint(signed.checkpoint, note.text)
    witnesses = [w1.verifier, w2.verifier, w3.verifier]
    got = cosigned.verify(log_key.verifier, witnesses=witnesses, quorum=2)
    assert sorted(v.key.name for v in got) == ["witness1.example", "witness2.example"]
    assert {v.timestamp for v in got} == {1_700_000_000}
    with pytest.raises(QuorumError, match="2 of 3"):
        cosigned.verify(log_key.verifier, witnesses=witnesses, quorum=3)
    with pytest.raises(QuorumError, match="0 of 1"):  # a witness we do not know does not count
        cosigned.verify(log_key.verifier, witnesses=[w3.verifier], quorum=1)
    # A log signature does not count as a cosignature, nor does a cosignature stand in for the log's.
    with pytest.raises(QuorumError):
        signed.verify(log_key.verifier, witnesses=witnesses, quorum=1)
    with pytest.raises(SignatureError):
        SignedCheckpoint(signed.checkpoint, body + "\n" + w1.signature_line(body)).verify(log_key.verifier)
    # A cosignature whose timestamp was altered no longer verifies.
    line = w3.signature_line(body, timestamp=1_700_000_000)
    raw = bytearray(base64.b64decode(line.split()[-1]))
    raw[11] ^= 1  # inside the 8-byte timestamp
    bad = f"\u2014 {w3.name} {base64.b64encode(bytes(raw)).decode()}\n"
    tampered = SignedCheckpoint(signed.checkpoint, note.with_signature(bad).text)
    with pytest.raises(SignatureError, match="does not verify"):
        tampered.verify(log_key.verifier, witnesses=witnesses, quorum=2)


def test_key_generation_race_keeps_one_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two processes generating the log key at once: the second keeps the first's key, never a mix."""
    from vaspguard.audit import _log

    winner = SigningKey.generate("race.example/log")
    real_link = os.link

    def other_process_first(src: str | Path, dst: str | Path) -> None:
        Path(dst).write_text(winner.skey + "\n")
        real_link(src, dst)

    monkeypatch.setattr(os, "link", other_process_first)
    key, created = _log.load_or_create_key(tmp_path, "race.example/log")
    assert (key.skey, created) == (winner.skey, False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["log.key"]
