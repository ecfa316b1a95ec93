"""Lawful requests on the desk demo for the legal desk's tests (imported as ``legal_registry_helpers``).

``file_request`` files a variant of the demo's court-ordered police request (a listed wallet's owner) as the
demo intake operator and has ``approvers`` approve it; ``disclose_court_order`` also discloses it, so the
customers it reached are owed notices: due at once, or held until ``ndo_until`` when the request came with
a non-disclosure order. The demo operators' keys are the ones ``demo seed`` wrote under the data directory.
"""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path
from typing import Any

from desk_helpers import Demo

from vaspguard.demo import sample_request_paths
from vaspguard.requests import LawfulRequests, parse_request, read_private_key

_documents = itertools.count(1)


def key_of(demo: Demo, operator: str) -> Any:
    return read_private_key(demo.data_dir / "demo-operators" / f"{operator}.pem")


def file_request(demo: Demo, approvers: tuple[str, ...] = ("demo-legal",), **changes: Any) -> str:
    doc = json.loads(sample_request_paths()["police-listed-wallet"].read_text(encoding="utf-8"))
    n = next(_documents)
    doc["instrument"]["reference"] += f"-{n}"
    doc["instrument"]["document_sha256"] = f"{n:064x}"
    doc["instrument"].update(changes.pop("instrument", {}))
    doc.update(changes)
    svc = LawfulRequests(demo.store)
    rid = svc.file(parse_request(doc), intake="demo-intake", key=key_of(demo, "demo-intake")).request_id
    for name in approvers:
        svc.approve(rid, operator=name, key=key_of(demo, name))
    return rid


def disclose_court_order(demo: Demo, out: Path, *, ndo_until: date | None = None) -> str:
    changes: dict[str, Any] = {}
    if ndo_until is not None:
        changes["non_disclosure"] = {"basis": "court order under StPO s. 95a", "until": ndo_until.isoformat()}
    rid = file_request(demo, **changes)
    LawfulRequests(demo.store).disclose(rid, out / f"{rid}.zip", actor="demo-legal")
    return rid
