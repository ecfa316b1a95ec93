"""The `vaspguard audit` commands end to end (the offline verifier is in test_audit_verify.py)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from vaspguard.audit import SignedCheckpoint, verify_consistency
from vaspguard.store import Store

CliRunner = Callable[..., tuple[int, str, str]]


@pytest.fixture
def db(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, ...]:
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path / "var"))
    return ("--db", store.url)


def test_append_prove_and_verify_receipts(
    db: tuple[str, ...], cli: CliRunner, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    code, out, err = cli(
        *db, "audit", "append", "--actor", "ops-1", "-m", "list feed late", "--subject", "feed:un"
    )
    assert code == 0 and out.startswith("appended entry 0"), err
    assert "generated a new audit log signing key" in caplog.text  # first use says so
    for i in range(6):
        assert cli(*db, "audit", "append", "--actor", f"ops-{i}", "-m", "note")[0] == 0
    pub = tmp_path / "var" / "audit" / "log.pub"
    code, out, _ = cli(*db, "audit", "prove-inclusion", "3")
    assert code == 0
    (tmp_path / "r.json").write_text(out)
    code, out, err = cli("audit", "verify-receipt", tmp_path / "r.json", "--key", pub)
    assert code == 0 and "entry 3 (operator.note by ops-2)" in out, err
    forged = json.loads((tmp_path / "r.json").read_text())
    forged["entry"] = forged["entry"].replace("ops-2", "ops-9")
    (tmp_path / "f.json").write_text(json.dumps(forged))
    code, _, err = cli("audit", "verify-receipt", tmp_path / "f.json", "--key", pub)
    assert code == 5 and "leaf hash" in err

    code, out, _ = cli(*db, "audit", "prove-consistency", "2")
    proof = json.loads(out)
    first = SignedCheckpoint.parse(proof["first_checkpoint"])
    second = SignedCheckpoint.parse(proof["second_checkpoint"])
    verify_consistency(2, 7, first.root, second.root, [base64.b64decode(h) for h in proof["proof"]])
    assert (first.size, second.size) == (2, 7)

    code, out, _ = cli(*db, "audit", "checkpoint")
    assert code == 0 and out.startswith("vaspguard.local/audit/v1\n7\n")
    code, out, _ = cli(*db, "audit", "events", "--subject", "feed:un", "--json")
    assert [json.loads(line)["payload"] for line in out.splitlines()] == [{"message": "list feed late"}]


def test_user_mistakes_are_one_line_errors(db: tuple[str, ...], cli: CliRunner, tmp_path: Path) -> None:
    code, _, err = cli(*db, "audit", "append", "--actor", "ops", "-m", "x", "--type", "Not A Type")
    assert code == 2 and err.count("\n") == 1 and "type" in err
    code, _, err = cli(*db, "audit", "prove-inclusion", "5")
    assert code in (2, 3) and err.count("\n") == 1
    code, _, err = cli(*db, "audit", "erase", "0", "--actor", "dpo", "--reason", "x")
    assert code == 2 and "not found" in err  # not the erasure's own entry: nothing was logged
    code, out, _ = cli(*db, "audit", "events")
    assert out == ""
    assert cli("audit", "keygen", "--witness", "--name", "w", "--out", tmp_path / "w")[0] == 0
    code, _, err = cli("audit", "keygen", "--witness", "--name", "w", "--out", tmp_path / "w")
    assert code == 2 and "refusing to overwrite" in err
    code, _, err = cli("audit", "keygen", "--witness", "--name", "w")
    assert code == 2 and "--out" in err
