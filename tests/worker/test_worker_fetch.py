"""The worker's list-fetch and witness-reminder jobs (issue 15, part 3), as ``default_jobs`` configures them
from the environment, on a fake clock.

``lists.fetch.un_sc`` against a local publisher (127.0.0.1) serving the genuine UN consolidated list with
ETag and Last-Modified: the first run imports a snapshot and screens everyone; a second run is a conditional
request answered 304 and makes no snapshot; a new file makes a snapshot and an incremental rescreen, which
raises the alert the new entry brings. ``audit.witnesses`` reports a checkpoint short of its witnesses'
cosignatures (the reminder) until a witness cosigns it."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from vaspguard.audit import COSIGNATURE_V1, AuditLog, Event, SigningKey
from vaspguard.events import events_after
from vaspguard.lists import active_snapshots
from vaspguard.registry import Customer, Name, PersonType, Registry
from vaspguard.screening import list_alerts
from vaspguard.settings import Settings
from vaspguard.store import Store
from vaspguard.worker import Job, Worker, default_jobs, runs

UN = "lists/un_consolidated_xml/watchman_2026-02-27/consolidated.xml"
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


class Publisher:
    """Serves named files with ETag and Last-Modified and answers a matching If-None-Match with 304."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, str | None]] = []
        publisher = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                name = self.path.lstrip("/")
                publisher.requests.append((name, self.headers.get("If-None-Match")))
                body = publisher.files.get(name)
                if body is None:
                    self.send_error(404)
                    return
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", formatdate(1_780_000_000, usegmt=True))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    p = Publisher()
    thread = threading.Thread(target=p.server.serve_forever, daemon=True)
    thread.start()
    yield p
    p.server.shutdown()
    p.server.server_close()


@pytest.fixture(autouse=True)
def _data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path / "data"))  # fetched files and the audit key


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def _job(store: Store, name: str) -> Job:
    (job,) = [j for j in default_jobs(store, Settings()) if j.name == name]
    return job


def _without_first_individual(xml: bytes) -> bytes:
    """The list as it was before its first individual (ERIC BADEGE, DATAID 6907993) was listed."""
    start = xml.index(b"<INDIVIDUAL>")
    end = xml.index(b"</INDIVIDUAL>", start) + len(b"</INDIVIDUAL>")
    assert b"<FIRST_NAME>ERIC</FIRST_NAME>" in xml[start:end]
    return xml[:start] + xml[end:]


def _last_detail(store: Store, job: str) -> dict[str, Any]:
    detail: dict[str, Any] = runs(store, job=job, limit=1)[0]["detail"]
    return detail


def test_list_fetch_imports_then_is_not_modified_then_rescreens_a_new_file(
    store: Store, shared_data: Path, publisher: Publisher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VASPGUARD_WORKER_FEEDS", "un_sc")
    monkeypatch.setenv("VASPGUARD_WORKER_FETCH_MINUTES", "60")
    monkeypatch.setenv("VASPGUARD_LISTS_BASE_URL", publisher.url)
    Registry(store).add_customers([Customer("C1", PersonType.NATURAL, (Name("Eric Badege"),), ("CD",))])
    current = (shared_data / UN).read_bytes()
    publisher.files["consolidated.xml"] = _without_first_individual(current)
    clock = Clock(T0)
    worker = Worker(store, [_job(store, "lists.fetch.un_sc")], clock=clock)

    assert worker.tick().ran == ["lists.fetch.un_sc"]
    first = _last_detail(store, "lists.fetch.un_sc")
    assert first["changed"] and first["rescreen"]["kind"] == "full"
    assert list_alerts(store) == []  # Eric Badege is not on this version
    (snapshot,) = active_snapshots(store)

    clock.now = T0 + timedelta(minutes=30)
    assert worker.tick().ran == []  # not due before its interval
    clock.now = T0 + timedelta(minutes=61)
    assert worker.tick().ran == ["lists.fetch.un_sc"]
    assert _last_detail(store, "lists.fetch.un_sc") == {"feed": "un_sc", "changed": False}
    assert publisher.requests[-1][1] is not None  # a conditional request, answered 304
    assert [s.id for s in active_snapshots(store)] == [snapshot.id]  # no new snapshot

    publisher.files["consolidated.xml"] = current  # the publisher lists Eric Badege
    clock.now = T0 + timedelta(minutes=122)
    assert worker.tick().ran == ["lists.fetch.un_sc"]
    third = _last_detail(store, "lists.fetch.un_sc")
    assert third["changed"] and third["snapshot_id"] != snapshot.id
    assert third["rescreen"]["kind"] == "incremental" and third["rescreen"]["alerts_created"] == 1
    (alert,) = list_alerts(store)
    assert (alert.customer_id, alert.entity_key) == ("C1", "un_sc:6907993")  # its DATAID
    types = [e.type.value for e in events_after(store)]
    assert types.count("lists.activated") == 2 and types.count("alerts.raised") == 1


def test_the_witness_reminder_reports_a_checkpoint_short_of_cosignatures(
    store: Store, tmp_path: Path
) -> None:
    clock = Clock(T0)
    worker = Worker(store, [_job(store, "audit.witnesses")], clock=clock)
    assert worker.tick().ran == ["audit.witnesses"]
    assert _last_detail(store, "audit.witnesses") == {
        "checkpoint": None,
        "reason": "no audit log key here yet",
    }

    log = AuditLog.open(store)  # the key under VASPGUARD_DATA_DIR, as the worker opens it
    witness = SigningKey.generate("witness.example", COSIGNATURE_V1)
    (tmp_path / "data" / "audit" / "witnesses").write_text(witness.verifier.vkey + "\n")
    log.append(Event(type="operator.note", actor="ops", payload={"note": "a first entry"}))
    clock.now = T0 + timedelta(hours=1, minutes=1)
    assert worker.tick().ran == ["audit.witnesses"]
    due = _last_detail(store, "audit.witnesses")
    assert (due["witnesses"], due["cosignatures"], due["remind"]) == (1, 0, True)

    log.cosign(witness, state_file=tmp_path / "witness.state")
    clock.now = T0 + timedelta(hours=2, minutes=2)
    assert worker.tick().ran == ["audit.witnesses"]
    done = _last_detail(store, "audit.witnesses")
    assert (done["checkpoint"], done["cosignatures"], done["remind"]) == (due["checkpoint"], 1, False)
