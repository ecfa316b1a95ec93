"""``lists fetch`` against a local HTTP server (127.0.0.1 only) serving the genuine publisher files."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vaspguard.errors import FetchFailed, InvalidFile, InvalidRequest
from vaspguard.lists import active_snapshots
from vaspguard.lists._fetch import feed_urls, fetch_feed, fetch_history
from vaspguard.store import Store

UN = "lists/un_consolidated_xml/watchman_2026-02-27/consolidated.xml"
SDN_DIR = "lists/ofac_sdn_csv/watchman_bench_2021-07"


class Publisher:
    """A tiny publisher: serves files with ETag and Last-Modified, answers conditional requests with 304."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.fail: int | None = None
        self.mtime = 1_700_000_000.0
        publisher = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                name = self.path.lstrip("/")
                publisher.requests.append((name, {k.lower(): v for k, v in self.headers.items()}))
                if publisher.fail is not None:
                    self.send_error(publisher.fail)
                    return
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
                self.send_header("Last-Modified", formatdate(publisher.mtime, usegmt=True))
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


def test_fetch_import_then_not_modified(
    store: Store, shared_data: Path, publisher: Publisher, tmp_path: Path
) -> None:
    data = (shared_data / UN).read_bytes()
    publisher.files["consolidated.xml"] = data
    first = fetch_feed(store, "un_sc", base_url=publisher.url, dest=tmp_path)
    assert first.changed and first.snapshot is not None
    (f,) = first.files
    assert (f.status, f.sha256, f.size) == (200, hashlib.sha256(data).hexdigest(), len(data))
    assert Path(f.path).read_bytes() == data
    assert first.snapshot.sha256 == f.sha256
    assert [s.id for s in active_snapshots(store)] == [first.snapshot.id]

    second = fetch_feed(store, "un_sc", base_url=publisher.url, dest=tmp_path)
    assert not second.changed and second.snapshot is None
    assert second.files[0].status == 304
    # the second request was conditional, with the validators of the first answer
    headers = publisher.requests[-1][1]
    assert headers["if-none-match"].startswith('"')
    assert "if-modified-since" in headers
    history = fetch_history(store, "un_sc")
    assert [h["status"] for h in history] == [304, 200]
    assert history[1]["snapshot_id"] == first.snapshot.id
    assert history[0]["sha256"] == history[1]["sha256"]


def test_fetch_unconditional_when_kept_file_changed(
    store: Store, shared_data: Path, publisher: Publisher, tmp_path: Path
) -> None:
    publisher.files["consolidated.xml"] = (shared_data / UN).read_bytes()
    first = fetch_feed(store, "un_sc", base_url=publisher.url, dest=tmp_path)
    Path(first.files[0].path).write_bytes(b"tampered")
    again = fetch_feed(store, "un_sc", base_url=publisher.url, dest=tmp_path)
    # the kept copy no longer has its recorded SHA-256: no validators sent, the file is downloaded again
    assert "if-none-match" not in publisher.requests[-1][1]
    assert again.files[0].status == 200
    assert again.snapshot is not None and again.snapshot.id == first.snapshot.id  # identical content


@pytest.mark.slow
def test_fetch_ofac_set(store: Store, shared_data: Path, publisher: Publisher, tmp_path: Path) -> None:
    for name in ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"):
        publisher.files[name] = (shared_data / SDN_DIR / name).read_bytes()
    result = fetch_feed(store, "ofac_sdn_csv", base_url=publisher.url, dest=tmp_path)
    assert result.snapshot is not None and result.snapshot.entity_count == 8976
    assert result.snapshot.files == ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv")
    # one member changes upstream: only it is downloaded, the others answer 304 and are reused
    publisher.files["sdn_comments.csv"] = (
        shared_data / "lists/ofac_sdn_csv/watchman_2019-01/sdn_comments.csv"
    ).read_bytes()
    again = fetch_feed(store, "ofac_sdn_csv", base_url=publisher.url, dest=tmp_path)
    assert [f.status for f in again.files] == [304, 304, 304, 200]
    assert again.snapshot is not None and again.snapshot.id != result.snapshot.id


def test_fetch_failure_keeps_active(
    store: Store, shared_data: Path, publisher: Publisher, tmp_path: Path
) -> None:
    publisher.files["consolidated.xml"] = (shared_data / UN).read_bytes()
    ok = fetch_feed(store, "un_sc", base_url=publisher.url, dest=tmp_path)
    publisher.fail = 503
    with pytest.raises(FetchFailed, match="HTTP 503"):
        fetch_feed(store, "un_sc", base_url=publisher.url, dest=tmp_path)
    publisher.fail = None
    publisher.files["consolidated.xml"] = b"<html>maintenance</html>"
    with pytest.raises(InvalidFile, match="XML root <html>"):
        fetch_feed(store, "un_sc", base_url=publisher.url, dest=tmp_path)
    # the bad file is not taken as "what we have": the next fetch asks again and meets the failure again
    with pytest.raises(InvalidFile, match="XML root <html>"):
        fetch_feed(store, "un_sc", base_url=publisher.url, dest=tmp_path)
    good_etag = '"' + hashlib.sha256((shared_data / UN).read_bytes()).hexdigest()[:16] + '"'
    assert publisher.requests[-1][1]["if-none-match"] == good_etag  # validators of the last imported file
    assert ok.snapshot is not None
    assert [s.id for s in active_snapshots(store)] == [ok.snapshot.id]


def test_plain_http_refused_except_loopback() -> None:
    with pytest.raises(InvalidRequest, match="plain http is refused"):
        feed_urls("un_sc", base_url="http://mirror.example.com/lists")
    with pytest.raises(InvalidRequest, match="only https"):
        feed_urls("un_sc", url="ftp://example.com/consolidated.xml")
    with pytest.raises(InvalidRequest, match="not one of"):
        feed_urls("nope")
    assert feed_urls("un_sc")[0][1].startswith("https://scsanctions.un.org/")
    assert [u for _, u in feed_urls("ofac_sdn_csv", base_url="https://mirror.example/x/")] == [
        "https://mirror.example/x/sdn.csv",
        "https://mirror.example/x/add.csv",
        "https://mirror.example/x/alt.csv",
        "https://mirror.example/x/sdn_comments.csv",
    ]


def test_cli_fetch(
    cli,
    store: Store,
    shared_data: Path,
    publisher: Publisher,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path / "var"))
    publisher.files["consolidated.xml"] = (shared_data / UN).read_bytes()
    code, out, err = cli("--db", store.url, "lists", "fetch", "un_sc", "--base-url", publisher.url, "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["snapshot"]["counts"] == {"organisation": 273, "person": 730}
    code, out, err = cli("--db", store.url, "lists", "fetch", "un_sc", "--base-url", publisher.url)
    assert code == 0, err
    assert "unchanged since the last fetch" in out
    from vaspguard.audit import AuditLog

    (event,) = AuditLog.open(store).events("lists.import")
    assert event.payload["fetched"] == {
        "feed": "un_sc",
        "files": [{"url": f"{publisher.url}/consolidated.xml", "status": 200}],
    }
    publisher.fail = 500
    code, out, err = cli("--db", store.url, "lists", "fetch", "un_sc", "--base-url", publisher.url)
    assert code == 7
    assert err.startswith(f"vaspguard: {publisher.url}/consolidated.xml: HTTP 500")
    code, out, _ = cli("--db", store.url, "lists", "fetches", "un_sc", "--json")
    assert [(r["status"], r["snapshot_id"]) for r in json.loads(out)] == [
        (500, None),
        (304, None),
        (200, result["snapshot"]["id"]),
    ]
    from fastapi.testclient import TestClient

    from vaspguard.api import Role, create_app, create_token

    token = create_token(store, name="auditor", role=Role.AUDITOR)
    api = TestClient(create_app(store)).get("/v1/lists/fetches", headers={"Authorization": f"Bearer {token}"})
    assert [r["status"] for r in api.json()["items"]] == [500, 304, 200]
