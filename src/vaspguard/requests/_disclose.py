"""Disclosure packages: exactly the approved scope, as JSON and CSV, with a signed manifest.

Layout of a package directory::

    manifest.json      what was disclosed, under which approvals; per-record leaf hashes; Merkle root
    manifest.sig       hex Ed25519 signature by the exchange over the canonical manifest (MANIFEST_DOMAIN)
    <category>.json    the records of one data category (a JSON array)
    <category>.csv     the same records as CSV (nested values as JSON text)

Each record's leaf is ``SHA-256(0x00 || canonical JSON of {"category", "record"})`` and the root is the
RFC 9162 Merkle Tree Hash over all leaves in manifest order, so a court or the customer can later be shown
one record and its inclusion without the rest. Other customers who appear as counterparties are replaced by
a pseudonym (HMAC-SHA-256 under a per-disclosure salt that never leaves the exchange) unless in scope.
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
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from vaspguard._json import to_jsonable
from vaspguard.audit import leaf_hash, merkle_root
from vaspguard.errors import IntegrityViolation
from vaspguard.registry._tables import (
    AccountRow,
    BalanceRow,
    ContactRow,
    CustomerNameRow,
    CustomerRow,
    LoginRow,
    NationalityRow,
    OwnerRow,
    ResidencePermitRow,
    TransactionRow,
    VisaRow,
)
from vaspguard.requests import _crypto
from vaspguard.requests._model import DataCategory, Scope, TargetType
from vaspguard.requests._reach import _chunks, day_bounds, resolve_target

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


def _pseudonym(salt: str, customer_id: str) -> str:
    return "pseudonym:" + hmac.new(bytes.fromhex(salt), customer_id.encode(), hashlib.sha256).hexdigest()[:20]


def assemble(conn: Connection, request_id: str, scope: Scope, *, salt: str) -> Package:  # noqa: C901, PLR0915
    """Read exactly the scope from the registry (targets, categories, dates) into a package."""
    pkg = Package()
    r: Any  # one registry row at a time, of whichever table is being read
    customers: set[str] = set()
    accounts: set[str] = set()
    whole: set[str] = set()  # customers reached by a non-account target: all their accounts are in scope
    for target in scope.targets:
        found, named = resolve_target(conn, target, scope.date_range)
        customers |= found
        accounts |= named
        if target.type is not TargetType.ACCOUNT_ID:
            whole |= found
    pkg.customers = customers
    ids = sorted(customers)
    start, end = day_bounds(scope.date_range)

    def shown(cid: str | None) -> str | None:
        if cid is None or cid in customers:
            return cid
        return _pseudonym(salt, cid)

    def account_filter(q: Any, column: Any) -> Any:
        if whole == customers:
            return q
        allowed = sorted(accounts)
        return (
            q.where((TransactionRow.customer_id.in_(sorted(whole))) | column.in_(allowed)) if allowed else q
        )

    cats = set(scope.data_categories)
    out: dict[str, list[dict[str, Any]]] = {c.value: [] for c in sorted(cats)}

    if DataCategory.SUBSCRIBER_INFO in cats or DataCategory.KYC_DOCUMENTS in cats:
        for chunk in _chunks(ids):
            base = {r.id: r for r in conn.execute(select(CustomerRow).where(CustomerRow.id.in_(chunk)))}
            names: dict[str, list[dict[str, str]]] = {}
            for r in conn.execute(
                select(CustomerNameRow)
                .where(CustomerNameRow.customer_id.in_(chunk))
                .order_by(CustomerNameRow.id)
            ):
                names.setdefault(r.customer_id, []).append(
                    {"name": r.name, "script": r.script, "kind": r.kind}
                )
            nats: dict[str, list[str]] = {}
            for r in conn.execute(
                select(NationalityRow)
                .where(NationalityRow.customer_id.in_(chunk))
                .order_by(NationalityRow.country)
            ):
                nats.setdefault(r.customer_id, []).append(r.country)
            contacts: dict[str, list[dict[str, str]]] = {}
            for r in conn.execute(
                select(ContactRow).where(ContactRow.customer_id.in_(chunk)).order_by(ContactRow.id)
            ):
                contacts.setdefault(r.customer_id, []).append({"kind": r.kind, "value": r.value})
            for cid in chunk:
                c = base[cid]
                if DataCategory.SUBSCRIBER_INFO in cats:
                    out["subscriber_info"].append(
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
            if DataCategory.KYC_DOCUMENTS in cats:
                permits: dict[str, list[Any]] = {}
                for r in conn.execute(
                    select(ResidencePermitRow)
                    .where(ResidencePermitRow.customer_id.in_(chunk))
                    .order_by(ResidencePermitRow.id)
                ):
                    permits.setdefault(r.customer_id, []).append(
                        {
                            "country": r.country,
                            "kind": r.kind,
                            "valid_from": r.valid_from,
                            "valid_until": r.valid_until,
                        }
                    )
                visas: dict[str, list[Any]] = {}
                for r in conn.execute(
                    select(VisaRow).where(VisaRow.customer_id.in_(chunk)).order_by(VisaRow.id)
                ):
                    visas.setdefault(r.customer_id, []).append(
                        {
                            "country": r.country,
                            "kind": r.kind,
                            "valid_from": r.valid_from,
                            "valid_until": r.valid_until,
                        }
                    )
                owners: dict[str, list[Any]] = {}
                for r in conn.execute(
                    select(OwnerRow).where(OwnerRow.customer_id.in_(chunk)).order_by(OwnerRow.id)
                ):
                    owners.setdefault(r.customer_id, []).append(
                        {
                            "name": r.name,
                            "type": r.type,
                            "customer_id": shown(r.owner_customer_id),
                            "share": r.share,
                            "control": r.control,
                        }
                    )
                for cid in chunk:
                    out["kyc_documents"].append(
                        {
                            "customer_id": cid,
                            "kyc_status": base[cid].kyc_status,
                            "residence_permits": permits.get(cid, []),
                            "visas": visas.get(cid, []),
                            "owners": owners.get(cid, []),
                            "note": "KYC facts as held by the registry; document images are not part of it",
                        }
                    )

    if DataCategory.TRANSACTION_HISTORY in cats or DataCategory.COUNTERPARTIES in cats:
        t = TransactionRow
        per_counterparty: dict[tuple[str, str, str], dict[str, Any]] = {}
        for chunk in _chunks(ids):
            q = select(t).where(t.customer_id.in_(chunk))
            if start is not None:
                q = q.where(t.occurred_at >= start)
            if end is not None:
                q = q.where(t.occurred_at < end)
            q = account_filter(q, t.account_id).order_by(t.occurred_at, t.id)
            for r in conn.execute(q):
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
                    "counterparty_customer_id": shown(r.counterparty_customer_id),
                }
                if DataCategory.TRANSACTION_HISTORY in cats:
                    out["transaction_history"].append(rec)
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
        if DataCategory.COUNTERPARTIES in cats:
            out["counterparties"] = [per_counterparty[k] for k in sorted(per_counterparty)]

    if DataCategory.IP_LOGS in cats:
        for chunk in _chunks(ids):
            lq = select(LoginRow).where(LoginRow.customer_id.in_(chunk))
            if start is not None:
                lq = lq.where(LoginRow.occurred_at >= start)
            if end is not None:
                lq = lq.where(LoginRow.occurred_at < end)
            for r in conn.execute(lq.order_by(LoginRow.occurred_at, LoginRow.id)):
                out["ip_logs"].append(
                    {
                        "customer_id": r.customer_id,
                        "occurred_at": r.occurred_at,
                        "ip": r.ip,
                        "country": r.country,
                    }
                )

    if DataCategory.BALANCES in cats:
        for chunk in _chunks(ids):
            aq = select(AccountRow).where(AccountRow.customer_id.in_(chunk)).order_by(AccountRow.id)
            accs = [a for a in conn.execute(aq) if a.customer_id in whole or a.id in accounts]
            bal: dict[str, dict[str, Any]] = {}
            acc_ids = [a.id for a in accs]
            for sub in _chunks(acc_ids):
                for b in conn.execute(
                    select(BalanceRow).where(BalanceRow.account_id.in_(sub)).order_by(BalanceRow.asset)
                ):
                    bal.setdefault(b.account_id, {})[b.asset] = b.amount
            for a in accs:
                out["balances"].append(
                    {
                        "customer_id": a.customer_id,
                        "account_id": a.id,
                        "product": a.product,
                        "status": a.status,
                        "balances": bal.get(a.id, {}),
                        "as_of": "time of disclosure",
                    }
                )

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


def write_package(output: Path, package: Package, manifest: dict[str, Any], signature: str) -> None:
    """Write into a temporary sibling directory and rename it into place: nothing half-written is left.
    ``files.sha256`` (sha256sum format) lets a recipient check the files with standard tools."""
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
        if output.exists():
            output.rmdir()  # empty (checked by the caller)
        os.replace(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def verify_package(path: Path, *, public_key: str | None = None) -> dict[str, Any]:  # noqa: C901
    """Check a package: the exchange's signature over the manifest, every record against its leaf hash, the
    Merkle root, and the CSV/JSON file hashes. ``public_key`` pins the exchange key (hex); without it the key
    in the manifest is used and reported, so the caller must compare it with the exchange's published key.

    Raises ``IntegrityViolation`` naming the first problem found."""
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
    root = merkle_root(leaves).hex()
    if root != manifest["merkle_root"]:
        raise IntegrityViolation(
            f"{path}: Merkle root {root} differs from the manifest's {manifest['merkle_root']}"
        )
    listed = {}
    try:
        for line in (path / "files.sha256").read_text().splitlines():
            h, _, name = line.partition("  ")
            listed[name] = h
    except OSError as exc:
        raise IntegrityViolation(f"{path}: files.sha256 unreadable: {exc}") from None
    for cat in manifest["record_counts"]:
        # The CSV is derived from the JSON; it must be exactly what the JSON renders to.
        csv_path = path / f"{cat}.csv"
        records = json.loads((path / f"{cat}.json").read_text(encoding="utf-8"))
        if not csv_path.exists() or csv_path.read_text(encoding="utf-8") != _csv_text(records):
            raise IntegrityViolation(f"{path}: {cat}.csv does not match {cat}.json")
    return {
        "request_id": manifest["request_id"],
        "merkle_root": root,
        "records": position,
        "record_counts": manifest["record_counts"],
        "exchange_public_key": manifest["exchange_public_key"],
        "key_pinned": public_key is not None,
        "approvals": manifest["approvals"],
    }
