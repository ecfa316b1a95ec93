"""Each capability writes its events with its change: a lawful request filed, assessed and approved; the
audit log's checkpoints. No event carries a person's or an operator's name."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

from vaspguard.events import events_after
from vaspguard.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "requests"))
lr = importlib.import_module("lr_helpers")  # the lawful-request scenarios' registry and operators


@pytest.fixture(autouse=True)
def _data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path / "data"))


def test_a_request_filed_assessed_and_approved_is_three_events(store: Store) -> None:
    desk = lr.Desk(store)
    rid = desk.file(lr.court_order(), intake="legal2")
    assert desk.approve(rid, "legal1").quorum.met
    mine = [e for e in events_after(store, limit=10000) if e.subject == f"request:{rid}"]
    assert [e.type.value for e in mine] == ["requests.filed", "requests.assessed", "requests.approved"]
    assert mine[1].data["tier"] and mine[2].data == {"request_id": rid, "state": "approved", "approvals": 1}
    signed = [e for e in events_after(store, limit=10000) if e.type.value == "audit.checkpoint_signed"]
    assert signed and [e.data["size"] for e in signed] == sorted(e.data["size"] for e in signed)
    every = json.dumps([e.document() for e in events_after(store, limit=10000)])
    for name in ("legal1", "legal2", "intake1", "admin"):
        assert name not in every
