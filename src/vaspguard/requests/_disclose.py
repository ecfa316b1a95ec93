"""Disclosure packages: exactly the approved scope, as JSON and CSV, with a signed manifest.

Layout of a package directory::

    manifest.json      what was disclosed, under which approvals; per-record leaf hashes; Merkle root
    manifest.sig       hex Ed25519 signature by the exchange over the canonical manifest (MANIFEST_DOMAIN)
    <category>.json    the records of one data category (a JSON array)
    <category>.csv     the same records as CSV (nested values as JSON text)

Each record's leaf is ``SHA-256(0x00 || canonical JSON of {"category", "record"})`` and the root is the
RFC 9162 Merkle Tree Hash over all leaves in manifest order, so a court or the customer can later be shown
one record and its inclusion without the rest. Other customers who appear as counterparties are replaced by
a pseudonym (HMAC-SHA-256 under a per-disclosure salt that never leaves the exchange) unless in scope. When
the agency registered age keys, the package is sealed to them (``_sealed``): one ``package.tar.age``.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from vaspguard._json import canonical_json, to_jsonable
from vaspguard.audit import leaf_hash, merkle_root
from vaspguard.errors import IntegrityViolation, InvalidRequest
from vaspguard.registry import lookup
from vaspguard.requests import _crypto
from vaspguard.requests._documents import approval_message
from vaspguard.requests._model import DataCategory, Scope, TargetType
from vaspguard.requests._passkey import signed_from, verify_signed
from vaspguard.requests._reach import day_bounds, resolve_target
from vaspguard.requests._sealed import is_sealed, opened, seal

FORMAT = "vaspguard-disclosure/1"
NOT_HELD = {DataCategory.DEVICE_INFO: "the registry holds no device information"}


@dataclass
class Package:
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    customers: set[str] = field(default_factory=set)
    leaves: list[bytes] = field(default_factory=list)
    leaf_index: list[dict[str, Any]] = field(default_factory=list)
    not_held: dict[str, str] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in sorted(self.records.items())}

    @property
    def root_hex(self) -> str:
        return merkle_root(self.leaves).hex()

    def manifest_fields(self) -> dict[str, Any]:
        return {
            "record_counts": self.counts,
            "records": self.leaf_index,
            "tree_size": len(self.leaves),
            "merkle_root": self.root_hex,
            "not_held": self.not_held,
        }


def record_leaf(category: str, record: dict[str, Any]) -> bytes:
    """The leaf of one JSON-native record."""
    return leaf_hash(_crypto.canonical({"category": category, "record": record}, plain=True))


def _plain(value: Any) -> Any:
    """Registry values to JSON-native ones (a fast path of ``to_jsonable`` for the types records hold)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return to_jsonable(value)


def pseudonym(salt: str, customer_id: str) -> str:
    return "pseudonym:" + hmac.new(bytes.fromhex(salt), customer_id.encode(), hashlib.sha256).hexdigest()[:20]


def assemble(conn: Connection, request_id: str, scope: Scope, *, salt: str) -> Package:
    """Read exactly the scope from the registry (targets, categories, dates) into a package."""
    pkg = Package()
    reader = _ScopeReader(conn, scope, salt)
    pkg.customers = reader.customers
    cats = reader.cats
    if DataCategory.SUBSCRIBER_INFO in cats or DataCategory.KYC_DOCUMENTS in cats:
        reader.customer_records()
    if DataCategory.TRANSACTION_HISTORY in cats or DataCategory.COUNTERPARTIES in cats:
        reader.transactions()
    if DataCategory.IP_LOGS in cats:
        reader.ip_logs()
    if DataCategory.BALANCES in cats:
        reader.balances()
    out = reader.out
    for held, note in NOT_HELD.items():
        if held in cats:
            pkg.not_held[held.value] = note
    for cat in sorted(out):
        records = [_plain(r) for r in out[cat]]
        pkg.records[cat] = records
        for i, rec in enumerate(records):
            leaf = record_leaf(cat, rec)
            pkg.leaves.append(leaf)
            pkg.leaf_index.append({"category": cat, "n": i, "leaf_hash": leaf.hex()})
    return pkg


class _ScopeReader:
    """The customers and accounts a scope reaches, and the records read for it so far, by category."""

    def __init__(self, conn: Connection, scope: Scope, salt: str) -> None:
        self.conn = conn
        self.salt = salt
        self.customers: set[str] = set()
        self.accounts: set[str] = set()
        # customers reached by a non-account target: all their accounts are in scope
        self.whole: set[str] = set()
        for target in scope.targets:
            found, named = resolve_target(conn, target, scope.date_range)
            self.customers |= found
            self.accounts |= named
            if target.type is not TargetType.ACCOUNT_ID:
                self.whole |= found
        self.ids = sorted(self.customers)
        self.start, self.end = day_bounds(scope.date_range)
        self.cats = set(scope.data_categories)
        self.out: dict[str, list[dict[str, Any]]] = {c.value: [] for c in sorted(self.cats)}

    def shown(self, cid: str | None) -> str | None:
        if cid is None or cid in self.customers:
            return cid
        return pseudonym(self.salt, cid)

    def in_scope(self, customer_id: str, account_id: str | None) -> bool:
        """Whether a record of this customer and account is in scope: every account of a customer reached
        by a non-account target, else only the accounts named."""
        return customer_id in self.whole or account_id in self.accounts or not self.accounts

    def customer_records(self) -> None:
        """Subscriber information and KYC facts of the customers reached."""
        r: Any  # one registry row at a time, of whichever table is being read
        for chunk in lookup.chunks(self.ids):
            base = {r.id: r for r in lookup.held(self.conn, lookup.Held.CUSTOMERS, chunk)}
            names: dict[str, list[dict[str, str]]] = {}
            for r in lookup.held(self.conn, lookup.Held.NAMES, chunk):
                names.setdefault(r.customer_id, []).append(
                    {"name": r.name, "script": r.script, "kind": r.kind}
                )
            nats: dict[str, list[str]] = {}
            for r in lookup.held(self.conn, lookup.Held.NATIONALITIES, chunk):
                nats.setdefault(r.customer_id, []).append(r.country)
            contacts: dict[str, list[dict[str, str]]] = {}
            for r in lookup.held(self.conn, lookup.Held.CONTACTS, chunk):
                contacts.setdefault(r.customer_id, []).append({"kind": r.kind, "value": r.value})
            for cid in chunk:
                c = base[cid]
                if DataCategory.SUBSCRIBER_INFO in self.cats:
                    self.out["subscriber_info"].append(
                        {
                            "customer_id": cid,
                            "type": c.type,
                            "names": names.get(cid, []),
                            "birth_date": c.birth_date,
                            "residence": c.residence,
                            "established": c.established,
                            "nationalities": nats.get(cid, []),
                            "contacts": contacts.get(cid, []),
                        }
                    )
            if DataCategory.KYC_DOCUMENTS in self.cats:
                self.kyc_documents(chunk, base)

    def kyc_documents(self, chunk: Sequence[str], base: dict[str, Any]) -> None:
        """KYC facts (residence permits, visas, owners) of one chunk of customers."""
        r: Any  # one registry row at a time, of whichever table is being read
        # residence permits and visas: the same facts (country, kind, validity), each from its table
        held: dict[str, dict[str, list[Any]]] = {}
        for kind in (lookup.Held.RESIDENCE_PERMITS, lookup.Held.VISAS):
            by_customer = held[kind.value] = {}
            for r in lookup.held(self.conn, kind, chunk):
                by_customer.setdefault(r.customer_id, []).append(
                    {
                        "country": r.country,
                        "kind": r.kind,
                        "valid_from": r.valid_from,
                        "valid_until": r.valid_until,
                    }
                )
        owners: dict[str, list[Any]] = {}
        for r in lookup.held(self.conn, lookup.Held.OWNERS, chunk):
            owners.setdefault(r.customer_id, []).append(
                {
                    "name": r.name,
                    "type": r.type,
                    "customer_id": self.shown(r.owner_customer_id),
                    "share": r.share,
                    "control": r.control,
                }
            )
        for cid in chunk:
            self.out["kyc_documents"].append(
                {
                    "customer_id": cid,
                    "kyc_status": base[cid].kyc_status,
                    "residence_permits": held["residence_permits"].get(cid, []),
                    "visas": held["visas"].get(cid, []),
                    "owners": owners.get(cid, []),
                    "note": "KYC facts as held by the registry; document images are not part of it",
                }
            )

    def transactions(self) -> None:
        """Transactions in the date range, and the counterparties aggregated from them."""
        r: Any  # one registry row at a time, of whichever table is being read
        per_counterparty: dict[tuple[str, str, str], dict[str, Any]] = {}
        for chunk in lookup.chunks(self.ids):
            for r in lookup.held(self.conn, lookup.Held.TRANSACTIONS, chunk, start=self.start, end=self.end):
                if not self.in_scope(r.customer_id, r.account_id):
                    continue
                rec = {
                    "id": r.id,
                    "customer_id": r.customer_id,
                    "account_id": r.account_id,
                    "kind": r.kind,
                    "occurred_at": r.occurred_at,
                    "asset": r.asset,
                    "amount": r.amount,
                    "chain": r.chain,
                    "address": r.address,
                    "tx_hash": r.tx_hash,
                    "counter_asset": r.counter_asset,
                    "counter_amount": r.counter_amount,
                    "counterparty_customer_id": self.shown(r.counterparty_customer_id),
                }
                if DataCategory.TRANSACTION_HISTORY in self.cats:
                    self.out["transaction_history"].append(rec)
                party = rec["counterparty_customer_id"] or r.address
                if party:
                    k = (r.customer_id, party, r.chain or "")
                    agg = per_counterparty.setdefault(
                        k,
                        {
                            "customer_id": r.customer_id,
                            "counterparty": party,
                            "chain": r.chain,
                            "transactions": 0,
                            "first_seen": r.occurred_at,
                            "last_seen": r.occurred_at,
                        },
                    )
                    agg["transactions"] += 1
                    agg["first_seen"] = min(agg["first_seen"], r.occurred_at)
                    agg["last_seen"] = max(agg["last_seen"], r.occurred_at)
        if DataCategory.COUNTERPARTIES in self.cats:
            self.out["counterparties"] = [per_counterparty[k] for k in sorted(per_counterparty)]

    def ip_logs(self) -> None:
        """Logins in the date range."""
        r: Any  # one registry row at a time, of whichever table is being read
        for chunk in lookup.chunks(self.ids):
            for r in lookup.held(self.conn, lookup.Held.LOGINS, chunk, start=self.start, end=self.end):
                self.out["ip_logs"].append(
                    {
                        "customer_id": r.customer_id,
                        "occurred_at": r.occurred_at,
                        "ip": r.ip,
                        "country": r.country,
                    }
                )

    def balances(self) -> None:
        """Balances of the accounts in scope, as of now."""
        for chunk in lookup.chunks(self.ids):
            accs = [
                a
                for a in lookup.held(self.conn, lookup.Held.ACCOUNTS, chunk)
                if a.customer_id in self.whole or a.id in self.accounts
            ]
            bal = lookup.balances_of(self.conn, [a.id for a in accs])
            for a in accs:
                self.out["balances"].append(
                    {
                        "customer_id": a.customer_id,
                        "account_id": a.id,
                        "product": a.product,
                        "status": a.status,
                        "balances": bal.get(a.id, {}),
                        "as_of": "time of disclosure",
                    }
                )


def _csv_text(records: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    columns = sorted({k for r in records for k in r})
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    for r in records:
        writer.writerow(
            [
                json.dumps(r.get(k), ensure_ascii=False, sort_keys=True)
                if isinstance(r.get(k), dict | list)
                else ("" if r.get(k) is None else r.get(k))
                for k in columns
            ]
        )
    return buf.getvalue()


def _json_lines_array(records: list[dict[str, Any]]) -> bytes:
    """A JSON array with one record per line: readable, diffable, and written by the C encoder."""
    body = ",\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in records)
    return (f"[\n{body}\n]\n" if records else "[]\n").encode()


def write_package(
    output: Path, package: Package, manifest: dict[str, Any], signature: str, recipients: Sequence[str] = ()
) -> None:
    """Write into a temporary sibling directory and rename it into place: nothing half-written is left.
    ``files.sha256`` (sha256sum format) lets a recipient check the files with standard tools. With
    ``recipients`` (age keys), the package is sealed to them: only ``package.tar.age`` is written."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".disclosure-", dir=output.parent))
    try:
        files: dict[str, str] = {}
        for cat, records in package.records.items():
            data = _json_lines_array(records)
            (tmp / f"{cat}.json").write_bytes(data)
            files[f"{cat}.json"] = hashlib.sha256(data).hexdigest()
            text = _csv_text(records).encode()
            (tmp / f"{cat}.csv").write_bytes(text)
            files[f"{cat}.csv"] = hashlib.sha256(text).hexdigest()
        (tmp / "files.sha256").write_text("".join(f"{h}  {n}\n" for n, h in sorted(files.items())))
        # Canonical JSON: the exact bytes the exchange signed (after MANIFEST_DOMAIN and a newline).
        (tmp / "manifest.json").write_bytes(_crypto.canonical(manifest, plain=True) + b"\n")
        (tmp / "manifest.sig").write_text(signature + "\n")
        if recipients:
            seal(tmp, recipients)
        if output.exists():
            output.rmdir()  # empty (checked by the caller)
        os.replace(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def verify_package(
    path: Path, *, public_key: str | None = None, identity: Path | None = None
) -> dict[str, Any]:
    """Check a package: the exchange's signature over the manifest, every record against its leaf hash, the
    Merkle root, and the CSV/JSON file hashes. ``public_key`` pins the exchange key (hex); without it the key
    in the manifest is used and reported, so the caller must compare it with the exchange's published key.
    A sealed package (``package.tar.age``) is opened with the age ``identity`` file first.

    Raises ``IntegrityViolation`` naming the first problem found."""
    if is_sealed(path):
        if identity is None:
            raise InvalidRequest(
                "--identity", f"{path} is sealed (package.tar.age): give the age identity file"
            )
        with opened(path, identity) as plain:
            return {**verify_package(plain, public_key=public_key), "sealed": True}
    manifest = _signed_manifest(path, public_key)
    check_scope_hash(manifest)
    check_approvals(manifest)
    leaves = _record_leaves(path, manifest)
    position = len(leaves)
    root = merkle_root(leaves).hex()
    if root != manifest["merkle_root"]:
        raise IntegrityViolation(
            f"{path}: Merkle root {root} differs from the manifest's {manifest['merkle_root']}"
        )
    _check_files(path, manifest)
    return {
        "request_id": manifest["request_id"],
        "merkle_root": root,
        "records": position,
        "record_counts": manifest["record_counts"],
        "exchange_public_key": manifest["exchange_public_key"],
        "key_pinned": public_key is not None,
        "approvals": manifest["approvals"],
        "sealed": False,
    }


def _signed_manifest(path: Path, public_key: str | None) -> dict[str, Any]:
    """The package's manifest, once its format is known and its signature verifies."""
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        signature = (path / "manifest.sig").read_text().strip()
    except (OSError, ValueError) as exc:
        raise IntegrityViolation(f"{path}: not a disclosure package: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise IntegrityViolation(f"{path}: unknown package format {manifest.get('format')!r}")
    key = public_key or manifest.get("exchange_public_key", "")
    if public_key and manifest.get("exchange_public_key") != public_key:
        raise IntegrityViolation(
            f"{path}: signed by key {manifest.get('exchange_public_key')}, not the exchange's key"
        )
    if not _crypto.verify(key, signature, _crypto.MANIFEST_DOMAIN, manifest, plain=True):
        raise IntegrityViolation(f"{path}: the manifest signature does not verify")
    return dict(manifest)


def _record_leaves(path: Path, manifest: dict[str, Any]) -> list[bytes]:
    """Every record's leaf hash, in order, each checked against the manifest's list."""
    leaves: list[bytes] = []
    expected = manifest["records"]
    position = 0
    for cat in sorted(manifest["record_counts"]):
        try:
            records = json.loads((path / f"{cat}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise IntegrityViolation(f"{path}: {cat}.json unreadable: {exc}") from None
        if len(records) != manifest["record_counts"][cat]:
            raise IntegrityViolation(
                f"{path}: {cat}.json has {len(records)} records, "
                f"the manifest says {manifest['record_counts'][cat]}"
            )
        for i, rec in enumerate(records):
            leaf = record_leaf(cat, rec)
            want = expected[position] if position < len(expected) else None
            if want is None or want["category"] != cat or want["n"] != i or want["leaf_hash"] != leaf.hex():
                raise IntegrityViolation(
                    f"{path}: {cat}.json record {i} does not match its leaf hash in the manifest"
                )
            leaves.append(leaf)
            position += 1
    if position != len(expected):
        raise IntegrityViolation(
            f"{path}: the manifest lists {len(expected)} records, the files hold {position}"
        )
    return leaves


def _check_files(path: Path, manifest: dict[str, Any]) -> None:
    """The package holds exactly the signed manifest's files (nothing added), ``files.sha256`` lists each data
    file with its true hash, and each CSV is exactly what its JSON renders to."""
    data_files = {f"{cat}.{ext}" for cat in manifest["record_counts"] for ext in ("json", "csv")}
    present = {p.name for p in path.iterdir()}
    extra = sorted(present - data_files - {"manifest.json", "manifest.sig", "files.sha256"})
    if extra:
        raise IntegrityViolation(f"{path}: not part of the signed package: {', '.join(extra)}")
    listed = {}
    try:
        for line in (path / "files.sha256").read_text().splitlines():
            h, _, name = line.partition("  ")
            listed[name] = h
    except OSError as exc:
        raise IntegrityViolation(f"{path}: files.sha256 unreadable: {exc}") from None
    if set(listed) != data_files:
        raise IntegrityViolation(f"{path}: files.sha256 does not list exactly the package's data files")
    for name in sorted(data_files):
        if not (path / name).is_file():
            raise IntegrityViolation(f"{path}: {name} is missing")
        if hashlib.sha256((path / name).read_bytes()).hexdigest() != listed[name]:
            raise IntegrityViolation(f"{path}: {name} does not match its hash in files.sha256")
    for cat in manifest["record_counts"]:
        # The CSV is derived from the JSON; it must be exactly what the JSON renders to.
        csv_path = path / f"{cat}.csv"
        records = json.loads((path / f"{cat}.json").read_text(encoding="utf-8"))
        if not csv_path.exists() or csv_path.read_text(encoding="utf-8") != _csv_text(records):
            raise IntegrityViolation(f"{path}: {cat}.csv does not match {cat}.json")


def check_approvals(manifest: dict[str, Any]) -> None:
    """Every approval the manifest lists signs this request's approved scope, checked from the public key it
    carries alone: an operator's Ed25519 signature, or a passkey's WebAuthn assertion (``_passkey``)."""
    for entry in manifest.get("approvals", []):
        operator = entry.get("operator", "?")
        if not entry.get("public_key"):
            raise IntegrityViolation(f"the approval by {operator} carries no public key to verify it with")
        message = approval_message(
            manifest["request_id"], "approve", manifest["scope_sha256"], manifest["scope_version"], operator
        )
        if not verify_signed(signed_from(entry), _crypto.APPROVAL_DOMAIN, message):
            raise IntegrityViolation(
                f"request {manifest['request_id']}: the approval by {operator} does not verify with its "
                f"public key ({entry.get('method', 'ed25519')})"
            )


def verify_logged_approvals(bundle: Path) -> dict[str, Any]:
    """Every approval an audit bundle exported ``--with-payloads`` holds (``requests.approve`` entries),
    checked offline from the public key logged with it: an operator's Ed25519 signature or a passkey's
    WebAuthn assertion over the approval message. ``vaspguard audit verify`` checks that each payload is the
    one its leaf committed to; this checks what the payloads say. Raises ``IntegrityViolation`` naming the
    first approval that does not verify."""
    types: dict[int, str] = {}
    try:
        with open(bundle / "entries.jsonl", encoding="utf-8") as fh:
            for line in fh:
                entry = json.loads(line)
                types[int(entry["idx"])] = str(entry["type"])
        with open(bundle / "payloads.jsonl", encoding="utf-8") as fh:
            payloads = [json.loads(line) for line in fh]
    except (OSError, ValueError, KeyError) as exc:
        raise InvalidRequest(
            "bundle", f"{bundle}: not an audit bundle exported --with-payloads: {exc}"
        ) from None
    methods: dict[str, int] = {}
    for record in payloads:
        idx = int(record["idx"])
        if types.get(idx) != "requests.approve" or record.get("payload") is None:
            continue
        payload = json.loads(record["payload"])
        message = approval_message(
            payload["request_id"],
            "approve",
            payload["scope_sha256"],
            payload["scope_version"],
            payload["operator"],
        )
        signed = signed_from(payload)
        if not verify_signed(signed, _crypto.APPROVAL_DOMAIN, message):
            raise IntegrityViolation(
                f"audit entry {idx}: the approval of {payload['request_id']} by {payload['operator']} "
                f"does not verify with its public key ({signed.method})"
            )
        methods[signed.method] = methods.get(signed.method, 0) + 1
    return {"approvals": sum(methods.values()), "by_method": methods}


def check_scope_hash(manifest: dict[str, Any]) -> None:
    """The scope a package (or a request) carries hashes to the scope hash the approvals signed: nothing
    widened it after approval (issue 11: an edited scope column was disclosed under the signed hash)."""
    digest = hashlib.sha256(
        canonical_json(
            {"request_id": manifest["request_id"], "version": manifest["scope_version"], **manifest["scope"]},
            convert=True,
        )
    ).hexdigest()
    if digest != manifest["scope_sha256"]:
        raise IntegrityViolation(
            f"request {manifest['request_id']}: its scope hashes to {digest}, not to the approved "
            f"scope_sha256 {manifest['scope_sha256']}: the scope was changed after approval"
        )
