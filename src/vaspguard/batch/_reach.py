"""``reach``: the customers, accounts and transactions a lawful request's scope would touch, over a registry
export in a lake, with the answer ``vaspguard.requests`` gives on the store (``compute_reach``).

Each target resolves as on the store: a customer id to that customer; an account id to its owner and only
that account; an e-mail or phone to the customers with that contact (case-insensitively); a name to the
customers with a name that reads as it does in any script (the same cheap filter, then the same exact
comparison, ``requests.name_probe``); a transaction hash to the customers with that hash (any date); a wallet
or counterparty address to the customers with a movement to or from it in the date range. Customers reached
by a target other than an account id bring all their accounts; the records are the transactions in the date
range on the accounts in scope.

The lake is the seam: ``_LocalLake`` reads the Parquet export with pyarrow in this process, ``SparkLake``
(``_spark``) scans it on Spark; both answer the same questions. All addresses (and all hashes) of a scope are
looked up in one scan of the transactions, however many targets name them. A job writes ``customers/``
(each customer with the targets that reached it), ``accounts/`` and ``manifest.json`` (counts per target,
accounts, transactions), written last.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from vaspguard.batch._inputs import open_dataset
from vaspguard.batch._jobs import Engine, Registry, check_engine, local_paths, sources
from vaspguard.errors import InvalidFile
from vaspguard.requests import (
    NameProbe,
    Scope,
    Target,
    TargetType,
    address_variants,
    day_bounds,
    name_probe,
    scope_from_doc,
    target_label,
)
from vaspguard.store import Store, utcnow

KINDS = ("customers", "accounts", "transactions")


@dataclass(frozen=True, slots=True)
class ReachReport:
    engine: str
    output: str
    customers: int
    accounts: int
    transactions: int  # in the date range, on the accounts in scope
    per_target: dict[str, int]  # customers each target reaches
    scope: dict[str, Any]
    started_at: str
    registry_as_of: str | None
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        """As ``requests.Reach.summary``: customers, accounts, and customers per target."""
        return {"customers": self.customers, "accounts": self.accounts, **self.per_target}


class Lake(Protocol):
    """The questions a reach asks of the registry (``lookup`` on the store)."""

    def existing(self, customer_id: str) -> set[str]: ...
    def account_owner(self, account_id: str) -> set[str]: ...
    def by_contact(self, kind: str, value: str) -> set[str]: ...
    def names(self, probe: NameProbe) -> list[tuple[str, str]]: ...
    def by_transaction(self, column: str, values: list[str], start: Any, end: Any) -> dict[str, set[str]]: ...
    def accounts_of(self, customers: set[str]) -> list[tuple[str, str]]: ...
    def transactions(self, whole: set[str], named: set[str], start: Any, end: Any) -> int: ...


def _on_chain(lake: Lake, scope: Scope) -> dict[TargetType, dict[str, set[str]]]:
    """The customers of every address and every transaction hash the scope names, by value: one scan of
    the transactions for all addresses (in the date range) and one for all hashes (any date), however many
    targets name them."""
    wanted: dict[TargetType, set[str]] = {}
    for t in scope.targets:
        if t.type in (TargetType.TX_HASH, TargetType.WALLET_ADDRESS, TargetType.COUNTERPARTY_ADDRESS):
            kind = TargetType.TX_HASH if t.type is TargetType.TX_HASH else TargetType.WALLET_ADDRESS
            wanted.setdefault(kind, set()).update(address_variants(t.value, t.chain))
    found = {}
    if TargetType.TX_HASH in wanted:
        found[TargetType.TX_HASH] = lake.by_transaction(
            "tx_hash", sorted(wanted[TargetType.TX_HASH]), None, None
        )
    if TargetType.WALLET_ADDRESS in wanted:
        bounds = day_bounds(scope.date_range)
        found[TargetType.WALLET_ADDRESS] = lake.by_transaction(
            "address", sorted(wanted[TargetType.WALLET_ADDRESS]), *bounds
        )
    return found


def resolve(
    lake: Lake, target: Target, on_chain: dict[TargetType, dict[str, set[str]]]
) -> tuple[set[str], set[str]]:
    """(customer ids, account ids) one target resolves to (``requests.resolve_target`` on the store)."""
    if target.type is TargetType.CUSTOMER_ID:
        return lake.existing(target.value), set()
    if target.type is TargetType.ACCOUNT_ID:
        owner = lake.account_owner(target.value)
        return (owner, {target.value}) if owner else (set(), set())
    if target.type in (TargetType.EMAIL, TargetType.PHONE):
        return lake.by_contact("email" if target.type is TargetType.EMAIL else "phone", target.value), set()
    if target.type is TargetType.NAME:
        probe = name_probe(target.value)
        if probe is None:
            return set(), set()
        return {cid for cid, name in lake.names(probe) if probe.reads_as(name)}, set()
    # wallet_address / counterparty_address: every customer with a movement to or from it in the range
    kind = TargetType.TX_HASH if target.type is TargetType.TX_HASH else TargetType.WALLET_ADDRESS
    by_value = on_chain[kind]
    return {c for v in address_variants(target.value, target.chain) for c in by_value.get(v, ())}, set()


def read_scope(path: Path) -> Scope:
    """A scope file: ``{"targets": [{"type", "value", "chain"}], "date_range": {"from", "to"}}``, as a
    request shows its scope (``requests show``); ``data_categories`` may be left out."""
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise InvalidFile(path, f"not a readable JSON scope: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("targets"), list) or not doc["targets"]:
        raise InvalidFile(path, 'expected {"targets": [...], "date_range": {"from": ..., "to": ...}}')
    doc.setdefault("data_categories", [])
    doc.setdefault("date_range", {"from": None, "to": None})
    try:
        return scope_from_doc(doc)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise InvalidFile(path, f"not a scope: {type(exc).__name__} {exc}") from None


def request_scope(store: Store, request_id: str) -> Scope:
    """The current scope of a lawful request in the store."""
    from vaspguard.requests import LawfulRequests

    return scope_from_doc(LawfulRequests(store).show(request_id)["scope"])


def reach(
    inputs: Registry,
    output: Path,
    *,
    scope: Scope,
    engine: Engine | str = Engine.LOCAL,
    master: str = "local[2]",
    partitions: int = 8,
) -> ReachReport:
    """What ``scope`` reaches in the registry in ``inputs`` (a Parquet export's directory, or PostgreSQL over
    JDBC with the Spark engine): customers, accounts and transactions, written to ``output`` (a new
    directory). The request desk calls this when the registry lives in a lake; on the store,
    ``requests.compute_reach`` gives the same customers and accounts."""
    engine = check_engine(engine)
    with sources(inputs, KINDS, engine, output) as (paths, as_of):
        started = utcnow()
        t0 = time.perf_counter()
        stages: dict[str, float] = {}
        lake: Lake
        if engine is Engine.SPARK:
            from vaspguard.batch._spark import SparkLake

            lake = SparkLake(paths, master=master, partitions=partitions, stages=stages)
        else:
            lake = _LocalLake(local_paths(paths))
        reached, accounts, transactions, per_target = _reach(lake, scope, stages)
    _write(output, reached, accounts)
    report = ReachReport(
        engine=engine.value,
        output=str(output),
        customers=len(reached),
        accounts=len({a for a, _ in accounts}),
        transactions=transactions,
        per_target=per_target,
        scope=_scope_doc(scope),
        started_at=started.isoformat(),
        registry_as_of=as_of,
        seconds=round(time.perf_counter() - t0, 3),
        stages={k: round(v, 3) for k, v in stages.items()},
    )
    (output / "manifest.json").write_text(json.dumps({"job": "reach", **asdict(report)}, indent=2) + "\n")
    return report


def _reach(
    lake: Lake, scope: Scope, stages: dict[str, float]
) -> tuple[dict[str, set[str]], set[tuple[str, str]], int, dict[str, int]]:
    """(customers with the targets that reached them, (account, owner) pairs, transactions, customers per
    target) of ``scope`` in ``lake``."""
    t = time.perf_counter()
    reached: dict[str, set[str]] = {}
    named: set[str] = set()
    whole: set[str] = set()
    per_target: dict[str, int] = {}
    on_chain = _on_chain(lake, scope)
    for target in scope.targets:
        customers, account_ids = resolve(lake, target, on_chain)
        per_target[target_label(target)] = len(customers)
        for cid in customers:
            reached.setdefault(cid, set()).add(target_label(target))
        named |= account_ids
        if target.type is not TargetType.ACCOUNT_ID:
            whole |= customers
    stages["targets_s"] = time.perf_counter() - t
    t = time.perf_counter()
    accounts = set(lake.accounts_of(whole))
    owners = {a: lake.account_owner(a) for a in named}
    accounts |= {(a, cid) for a, found in owners.items() for cid in found}
    stages["accounts_s"] = time.perf_counter() - t
    t = time.perf_counter()
    transactions = lake.transactions(whole, named, *day_bounds(scope.date_range))
    stages["transactions_s"] = time.perf_counter() - t
    return reached, accounts, transactions, per_target


def _scope_doc(scope: Scope) -> dict[str, Any]:
    dr = scope.date_range
    return {
        "targets": [{"type": t.type.value, "value": t.value, "chain": t.chain} for t in scope.targets],
        "date_range": {
            "from": dr.start.isoformat() if dr.start else None,
            "to": dr.end.isoformat() if dr.end else None,
        },
    }


def _write(output: Path, reached: dict[str, set[str]], accounts: set[tuple[str, str]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    output.mkdir(parents=True, exist_ok=True)  # `sources` let a new or empty one through
    (output / "customers").mkdir()
    (output / "accounts").mkdir()
    customers = [{"customer_id": c, "reached_by": sorted(reached[c])} for c in sorted(reached)]
    schema = pa.schema([("customer_id", pa.string()), ("reached_by", pa.list_(pa.string()))])
    pq.write_table(
        pa.Table.from_pylist(customers, schema=schema), output / "customers" / "part-00000.parquet"
    )
    rows = [{"account_id": a, "customer_id": c} for a, c in sorted(accounts)]
    schema = pa.schema([("account_id", pa.string()), ("customer_id", pa.string())])
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), output / "accounts" / "part-00000.parquet")


class _LocalLake:
    """The export read with pyarrow in this process (filters pushed down to the Parquet reader)."""

    def __init__(self, paths: dict[str, Path]) -> None:
        self.paths = paths

    def _column(self, kind: str, column: str, where: Any = None, columns: tuple[str, ...] = ()) -> Any:
        dataset = open_dataset(self.paths[kind])
        wanted = [column, *columns]
        missing = [c for c in wanted if c not in dataset.schema.names]
        if missing:
            raise InvalidFile(self.paths[kind], f"column {missing[0]!r} missing (is this a registry export?)")
        return dataset.to_table(columns=wanted, filter=where)

    def existing(self, customer_id: str) -> set[str]:
        import pyarrow.dataset as ds

        return set(self._column("customers", "id", ds.field("id") == customer_id)["id"].to_pylist())

    def account_owner(self, account_id: str) -> set[str]:
        import pyarrow.dataset as ds

        table = self._column("accounts", "customer_id", ds.field("id") == account_id)
        return set(table["customer_id"].to_pylist())

    def _nested(self, column: str) -> list[tuple[str, dict[str, Any]]]:
        out: list[tuple[str, dict[str, Any]]] = []
        for batch in open_dataset(self.paths["customers"]).to_batches(columns=["id", column]):
            for cid, items in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=True):
                out.extend((cid, item) for item in items or ())
        return out

    def by_contact(self, kind: str, value: str) -> set[str]:
        wanted = value.lower()
        return {
            cid
            for cid, c in self._nested("contacts")
            if c["kind"] == kind and (c["value"] or "").lower() == wanted
        }

    def names(self, probe: NameProbe) -> list[tuple[str, str]]:
        return [
            (cid, n["name"])
            for cid, n in self._nested("names")
            if any(f in n["name"] for f in probe.fragments) or probe.latin in n["name"].lower()
        ]

    def by_transaction(self, column: str, values: list[str], start: Any, end: Any) -> dict[str, set[str]]:
        table = self._column("transactions", "customer_id", _in_range(column, values, start, end), (column,))
        out: dict[str, set[str]] = {}
        for cid, value in zip(table["customer_id"].to_pylist(), table[column].to_pylist(), strict=True):
            out.setdefault(value, set()).add(cid)
        return out

    def accounts_of(self, customers: set[str]) -> list[tuple[str, str]]:
        import pyarrow as pa
        import pyarrow.dataset as ds

        where = ds.field("customer_id").isin(pa.array(sorted(customers), type=pa.string()))
        table = self._column("accounts", "id", where, ("customer_id",))
        return list(zip(table["id"].to_pylist(), table["customer_id"].to_pylist(), strict=True))

    def transactions(self, whole: set[str], named: set[str], start: Any, end: Any) -> int:
        import pyarrow as pa
        import pyarrow.dataset as ds

        where = ds.field("customer_id").isin(pa.array(sorted(whole), type=pa.string()))
        if named:
            where = where | ds.field("account_id").isin(pa.array(sorted(named), type=pa.string()))
        for bound in _bounds("occurred_at", start, end):
            where = where & bound
        return int(open_dataset(self.paths["transactions"]).count_rows(filter=where))


def _bounds(column: str, start: datetime | None, end: datetime | None) -> list[Any]:
    import pyarrow as pa
    import pyarrow.dataset as ds

    utc = pa.timestamp("us", tz="UTC")
    out = []
    if start is not None:
        out.append(ds.field(column) >= pa.scalar(start, type=utc))
    if end is not None:
        out.append(ds.field(column) < pa.scalar(end, type=utc))
    return out


def _in_range(column: str, values: list[str], start: datetime | None, end: datetime | None) -> Any:
    import pyarrow as pa
    import pyarrow.dataset as ds

    where = ds.field(column).isin(pa.array(values, type=pa.string()))
    for bound in _bounds("occurred_at", start, end):
        where = where & bound
    return where


def read_reach(output: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(customers, accounts) of a finished reach job, in order."""
    from vaspguard.batch._jobs import manifest_of

    manifest_of(output, "reach")
    customers: list[dict[str, Any]] = open_dataset(output / "customers").to_table().to_pylist()
    accounts: list[dict[str, Any]] = open_dataset(output / "accounts").to_table().to_pylist()
    return (
        sorted(customers, key=lambda r: r["customer_id"]),
        sorted(accounts, key=lambda r: (r["account_id"], r["customer_id"])),
    )
