"""Lawful requests on the desk demo for the legal desk's tests (imported as ``legal_helpers``).

``disclose_court_order`` files the demo's court-ordered police request (a listed wallet's owner) as the demo
intake operator, has the demo legal operator approve it, and discloses it, so the customers it reached are
owed notices: due at once, or held until ``ndo_until`` when the request came with a non-disclosure order.
The demo operators' keys are the ones ``demo seed`` wrote under the data directory.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from desk_helpers import Demo

from vaspguard.demo import sample_request_paths
from vaspguard.requests import LawfulRequests, parse_request, read_private_key


def disclose_court_order(
    demo: Demo, out: Path, *, ndo_until: date | None = None, reference: str = "1"
) -> str:
    doc = json.loads(sample_request_paths()["police-listed-wallet"].read_text(encoding="utf-8"))
    doc["instrument"]["reference"] += f"-{reference}"
    doc["instrument"]["document_sha256"] = f"{int(reference):064x}"
    if ndo_until is not None:
        doc["non_disclosure"] = {"basis": "court order under StPO s. 95a", "until": ndo_until.isoformat()}
    svc = LawfulRequests(demo.store)
    key = read_private_key(demo.data_dir / "demo-operators" / "demo-intake.pem")
    assessment = svc.file(parse_request(doc), intake="demo-intake", key=key)
    rid = assessment.request_id
    svc.approve(
        rid, operator="demo-legal", key=read_private_key(demo.data_dir / "demo-operators" / "demo-legal.pem")
    )
    svc.disclose(rid, out / f"{rid}.zip", actor="demo-legal")
    return rid
