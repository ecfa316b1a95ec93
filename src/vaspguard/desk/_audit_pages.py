"""The audit log in the desk: the latest signed checkpoint and its cosignatures, entries by type and
subject, one entry with its RFC 9162 inclusion proof checked against that checkpoint, and a bundle download
(a zip of ``audit export``'s directory) that ``vaspguard audit verify`` accepts. All through the public API
of ``vaspguard.audit``; a download is itself logged (``desk.audit_bundle``)."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from vaspguard.desk._events import log_event
from vaspguard.desk._users import User
from vaspguard.desk._web import DeskRoute, guard, render, store_of
from vaspguard.errors import InvalidRequest, ProofError

router = APIRouter(route_class=DeskRoute, include_in_schema=False, dependencies=[Depends(guard)])
PAGE = 50


def _log(request: Request) -> Any:
    from vaspguard.audit import AuditLog

    return AuditLog.open(store_of(request))


@router.get("/audit")
def audit_page(
    request: Request, kind: str = Query("", alias="type"), subject: str = "", before: int | None = None
) -> HTMLResponse:
    log = _log(request)
    size = log.size
    end = size if before is None else max(0, min(before, size))
    if kind or subject:  # filtered: read the matching events, newest last, and show the last page
        found = log.events(kind or None, subject or None, limit=None)
        found = [e for e in found if e.index < end][-PAGE:]
    else:
        found = log.events(start=max(0, end - PAGE), limit=PAGE)
    checkpoint = log.latest_checkpoint()
    return render(
        request,
        "audit/index.html",
        size=size,
        checkpoint=checkpoint,
        cosignatures=[line for line in checkpoint.note.splitlines()[1:] if line.startswith("— ")][1:]
        if checkpoint
        else [],
        public_key=log.public_key.vkey,
        events=list(reversed(found)),
        older=found[0].index if found and found[0].index > 0 else None,
        query={"type": kind, "subject": subject},
    )


@router.get("/audit/entries/{index}")
def entry_page(request: Request, index: int) -> HTMLResponse:
    from vaspguard.audit import leaf_hash, verify_inclusion

    log = _log(request)
    if index < 0:
        raise InvalidRequest("index", "an entry index is 0 or more")
    entry = log.entry(index)
    event = log.events(start=index, limit=1)[0]
    checkpoint = log.latest_checkpoint()
    proof: list[bytes] = []
    verdict = "this entry is newer than the latest signed checkpoint; it is proved by the next one"
    if checkpoint is not None and index < checkpoint.size:
        proof = log.inclusion_proof(index, checkpoint.size)
        try:
            verify_inclusion(leaf_hash(entry), index, checkpoint.size, proof, checkpoint.root)
            verdict = f"included in the signed checkpoint of size {checkpoint.size} (proof verified)"
        except ProofError as exc:
            verdict = f"the inclusion proof does not verify: {exc}"
    return render(
        request,
        "audit/entry.html",
        event=event,
        leaf=leaf_hash(entry).hex(),
        proof=[p.hex() for p in proof],
        checkpoint=checkpoint,
        verdict=verdict,
    )


@router.get("/audit/bundle.zip")
def bundle(request: Request, user: User = Depends(guard)) -> Response:
    from vaspguard.audit import export_bundle

    log = _log(request)
    log_event(store_of(request), "audit_bundle", user, size=log.size)
    with tempfile.TemporaryDirectory() as tmp:
        info = export_bundle(log, Path(tmp) / "bundle")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(info.path.rglob("*")):
                if path.is_file():
                    zf.write(path, f"bundle/{path.relative_to(info.path).as_posix()}")
            zf.writestr("bundle/log.pub", log.public_key.vkey + "\n")
    name = f"vaspguard-audit-{info.entries}.zip"
    return Response(
        buffer.getvalue(),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
