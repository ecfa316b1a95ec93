"""Disclosure: the approved scope, and nothing else, as a signed package.

Disclosure re-checks the quorum from the signatures and from the audit receipts of the approvals, and that
the stored scope still hashes to what they signed, and refuses unless all hold. Each customer reached gets a
notice, held while a non-disclosure order runs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, update

from vaspguard.audit import Receipt
from vaspguard.errors import InvalidFile, InvalidRequest, QuorumRefused
from vaspguard.requests import _crypto
from vaspguard.requests._approvals import Approvals
from vaspguard.requests._disclose import Package, assemble, pseudonym, write_package
from vaspguard.requests._documents import dump, request_from_doc, scope_doc, scope_from_doc, scope_hash
from vaspguard.requests._model import InstrumentType, LawfulRequest, RequestState, Scope, Tier
from vaspguard.requests._policy import Policy
from vaspguard.requests._tables import DisclosureRow, NoticeRow, RequestRow
from vaspguard.settings import Settings, check_key_file, read_key_file

log = logging.getLogger("vaspguard.requests")


class Disclosure(Approvals):
    """Disclosure of an approved scope as a signed package."""

    def exchange_key(self) -> Ed25519PrivateKey:
        """The exchange's disclosure signing key: the file ``VASPGUARD_DISCLOSURE_KEY_FILE`` names (a mounted
        secret, never made there), else ``data_dir/requests/exchange.key``, made on first use."""
        if self._exchange_key is None:
            settings = Settings()
            if settings.disclosure_key_file is not None:
                path = check_key_file(settings.disclosure_key_file, "VASPGUARD_DISCLOSURE_KEY_FILE")
                self._exchange_key = _crypto.read_private_key(path)
                return self._exchange_key
            path = settings.data_dir / "requests" / "exchange.key"
            if path.exists():
                self._exchange_key = _crypto.read_private_key(path)
            else:
                key = _crypto.generate_key()
                _crypto.write_private_key(key, path)
                path.with_suffix(".pub").write_bytes(_crypto.public_pem(key))
                log.warning(
                    "generated the exchange's disclosure signing key at %s (public key %s)",
                    path,
                    _crypto.public_hex(key),
                )
                self._exchange_key = key
        return self._exchange_key

    def _pseudonym_key(self) -> bytes:
        """The exchange's pseudonym key (64 hex digits): the file ``VASPGUARD_PSEUDONYM_KEY_FILE`` names (a
        mounted secret, never made there), else ``data_dir/requests/pseudonym.key`` (0600), made on first
        use. It lives with the keys, never in the database."""
        settings = Settings()
        if settings.pseudonym_key_file is not None:
            path = settings.pseudonym_key_file
            text = read_key_file(path, "VASPGUARD_PSEUDONYM_KEY_FILE")
        else:
            path = settings.data_dir / "requests" / "pseudonym.key"
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as fh:
                    fh.write(secrets.token_hex(32) + "\n")
            text = path.read_text()
        key = text.strip()
        if len(key) != 64 or any(c not in "0123456789abcdefABCDEF" for c in key):
            raise InvalidFile(path, "a pseudonym key is 64 hex digits (32 random bytes) on one line")
        return bytes.fromhex(key)

    def pseudonym_salt(self, request_id: str) -> str:
        """The salt under which the disclosure for ``request_id`` pseudonymises customers out of scope:
        derived from the pseudonym key, so the database holds no secret, yet the exchange can re-identify a
        pseudonym when lawfully ordered to (``pseudonym``). Pseudonyms differ from one request to the next,
        so two agencies cannot join their packages on them."""
        message = f"vaspguard/pseudonym-salt/1\n{request_id}".encode()
        return hmac.new(self._pseudonym_key(), message, hashlib.sha256).hexdigest()

    def pseudonym(self, request_id: str, customer_id: str) -> str:
        """The pseudonym ``customer_id`` has (or would have) in the package disclosed for ``request_id``."""
        return pseudonym(self.pseudonym_salt(request_id), customer_id)

    def _approved_scope(self, row: Any, actor: str) -> Scope:
        """The stored scope, if it still hashes to the ``scope_sha256`` the approvals signed; an edit in the
        database after approval is refused (and the refusal logged): the database is not the root of trust."""
        scope = scope_from_doc(json.loads(row.scope))
        if scope_hash(row.id, row.scope_version, scope) != row.scope_sha256:
            raise self._refuse(
                row.id, "disclose", actor, "the stored scope does not hash to the approved scope_sha256"
            )
        return scope

    def disclose(self, request_id: str, output: Path, *, actor: str) -> dict[str, Any]:
        with self.store.connect() as conn:
            row = self._row(conn, request_id)
        reason = _disclosure_refusal(row, output)
        if reason is None:
            try:
                proof = self.prove_quorum(request_id)
            except QuorumRefused as exc:
                reason = exc.reason
        if reason is not None:
            raise self._refuse(request_id, "disclose", actor, reason)
        request = request_from_doc(json.loads(row.doc))
        scope = self._approved_scope(row, actor)
        now = self.clock()
        salt = self.pseudonym_salt(request_id)
        recipients = self.get_agency(request.agency_id).encryption_recipients if request.agency_id else ()
        with self.store.connect() as conn:
            package = assemble(conn, request_id, scope, salt=salt)
        manifest = _manifest(row, request, scope, proof, package, now)
        key = self.exchange_key()
        manifest["exchange_public_key"] = _crypto.public_hex(key)
        signature = _crypto.sign(key, _crypto.MANIFEST_DOMAIN, manifest, plain=True)
        manifest_sha = _crypto.sha256_hex(_crypto.canonical(manifest, plain=True))
        notices = _notices_for(row, request, package, self.policy_at(row.policy_version), now)
        subjects = [f"request:{request_id}", *(f"customer:{c}" for c in sorted(package.customers))]
        receipt = self._log(
            "requests.disclose",
            actor=actor,
            subjects=subjects[:1000],
            policy_version=row.policy_version,
            payload={
                "categories": sorted(package.counts),
                "record_counts": package.counts,
                "merkle_root": package.root_hex,
                "manifest_sha256": manifest_sha,
                "customers": len(package.customers),
                "notices": {
                    "held": sum(n["status"] == "held" for n in notices),
                    "pending": sum(n["status"] == "pending" for n in notices),
                },
                "output": str(output),
                "sealed_to": list(recipients),
            },
        )
        write_package(output, package, manifest, signature, recipients)
        self._record_disclosure(row, actor, output, package, manifest_sha, notices, receipt, now)
        return {
            "request_id": request_id,
            "output": str(output),
            "record_counts": package.counts,
            "merkle_root": package.root_hex,
            "manifest_sha256": manifest_sha,
            "customers": len(package.customers),
            "notices": len(notices),
            "audit_index": receipt.index,
            "sealed_to": list(recipients),
        }

    def _record_disclosure(
        self,
        row: Any,
        actor: str,
        output: Path,
        package: Package,
        manifest_sha: str,
        notices: list[dict[str, Any]],
        receipt: Receipt,
        now: datetime,
    ) -> None:
        """Store the disclosure, its notices and the request's new state (after the audit log has it), at
        ``now``, the time the manifest and notices carry."""
        request_id = row.id
        with self.store.connect() as conn:
            conn.execute(
                insert(DisclosureRow).values(
                    request_id=request_id,
                    created_at=now,
                    merkle_root=package.root_hex,
                    manifest_sha256=manifest_sha,
                    record_counts=dump(package.counts),
                    pseudonym_salt=f"derived:{_crypto.sha256_hex(self._pseudonym_key())[:16]}",
                    output=str(output),
                )
            )
            if notices:
                conn.execute(insert(NoticeRow), notices)
            conn.execute(
                update(RequestRow)
                .where(RequestRow.id == request_id)
                .values(state=RequestState.DISCLOSED.value, disclosed_at=now, updated_at=now)
            )
            self._event(
                conn,
                request_id,
                "disclose",
                actor,
                {"record_counts": package.counts, "merkle_root": package.root_hex, "notices": len(notices)},
                receipt,
            )


def _disclosure_refusal(row: Any, output: Path) -> str | None:
    """Why request ``row`` may not be disclosed, before its quorum is proven (None: go on)."""
    reason = None
    if Tier(row.tier) is Tier.BLOCKED:
        reason = "the request is blocked: nothing can be disclosed"
    elif row.instrument_type == InstrumentType.PRESERVATION_REQUEST.value:
        reason = "a preservation request discloses nothing; production needs its own legal process"
    elif row.state != RequestState.APPROVED.value:
        reason = f"the request is {row.state}, not approved"
    elif output.exists() and any(output.iterdir()):
        raise InvalidRequest("--output", f"{output} exists and is not empty")
    return reason


def _manifest(
    row: Any,
    request: LawfulRequest,
    scope: Scope,
    proof: list[dict[str, Any]],
    package: Package,
    now: datetime,
) -> dict[str, Any]:
    """The package's manifest before the exchange's key and signature: who asked, under what, the exact
    approved scope and the approvals that prove it, and the package's own fields (counts, Merkle root)."""
    request_id = row.id
    return {
        "format": "vaspguard-disclosure/1",
        "request_id": request_id,
        "agency": {
            "id": request.agency_id,
            "name": request.agency_name,
            "country": request.agency_country,
        },
        "instrument": {"type": request.instrument.type.value, "reference": request.instrument.reference},
        "scope": scope_doc(scope),
        "scope_sha256": row.scope_sha256,
        "scope_version": row.scope_version,
        "policy_version": row.policy_version,
        "approvals": proof,
        "created_at": now.isoformat(),
        **package.manifest_fields(),
    }


def _notices_for(
    row: Any, request: LawfulRequest, package: Package, policy: Policy, now: datetime
) -> list[dict[str, Any]]:
    """A notice for each customer reached: held while a non-disclosure order runs; otherwise due now (an
    emergency request: within the policy's days)."""
    request_id = row.id
    ndo = request.non_disclosure
    today = now.date()
    notices = []
    for cid in sorted(package.customers):
        if ndo is not None and (ndo.until is None or ndo.until > today):
            status, due = "held", ndo.until
        elif row.emergency:
            status, due = (
                "pending",
                today + timedelta(days=policy.section("emergency")["notice_within_days"]),
            )
        else:
            status, due = "pending", today
        notices.append(
            {
                "request_id": request_id,
                "customer_id": cid,
                "due_on": due,
                "status": status,
                "content": dump(
                    {
                        "agency": request.agency_name,
                        "agency_country": request.agency_country,
                        "instrument_type": request.instrument.type.value,
                        "categories": sorted(c for c, n in package.counts.items() if n),
                        "disclosed_on": today.isoformat(),
                        "request_id": request_id,
                        "emergency": bool(row.emergency),
                    }
                ),
                "created_at": now,
            }
        )
    return notices
