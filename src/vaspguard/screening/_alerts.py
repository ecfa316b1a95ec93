"""Alerts on the registry's customers, analysts' dispositions, and incremental rescreening.

Rules (each has a test):

- An alert is raised per (customer, list entity, snapshot, kind) when a customer's name scores at or above
  the threshold, or one of the customer's deposit/withdrawal addresses is listed.
- A **false positive** stays quiet on later runs as long as the customer's fingerprint (names, date of
  birth, nationalities, gender, or the address) and the entity's fingerprint (names, dates of birth,
  documents, addresses) are unchanged. When either changes, the match alerts again.
- A **true match** marks the customer as a listed person (``listed_customer_ids``; restrictions freeze
  them). It too is re-raised for review when either fingerprint changes.
- Dispositions are append-only, need a reason, and are logged to the audit log (``screening.disposition``)
  before they are stored; an alert already decided is only decided again with ``revise=True``.
- An open alert is not duplicated by a later run while both fingerprints are unchanged.
- ``rescreen`` screens only the entities a list diff touched (against all customers) plus the customers
  stored or changed since the last run, or with a transaction or login stored since then (against all
  entities).
- A customer whose screening fails with an internal error does not stop the run: it is reported in
  ``RunReport.failed`` with its id and the error's class, and every other customer is screened. A run with a
  failed customer is not marked finished, so the next incremental run starts from the last clean run and
  screens that customer again (nothing is silently skipped).
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from vaspguard._json import fingerprint_json, to_jsonable
from vaspguard.errors import InvalidRequest, NotFound, Refused
from vaspguard.events import EventType, emit, emit_many
from vaspguard.lists import ListEntity
from vaspguard.registry import Customer, PersonType, Registry
from vaspguard.screening._address import AddressBook
from vaspguard.screening._index import ALERT_THRESHOLD, Screener
from vaspguard.screening._tables import ScreeningAlertRow, ScreeningDispositionRow, ScreeningRunRow
from vaspguard.store import Store, utcnow

__all__ = [
    "Alert",
    "Disposition",
    "FailedCustomer",
    "RunReport",
    "customer_fingerprint",
    "decide",
    "entity_fingerprint",
    "get_alert",
    "list_alerts",
    "listed_customer_ids",
    "rescreen",
    "screen_customers",
]


class Disposition(enum.StrEnum):
    TRUE_MATCH = "true_match"
    FALSE_POSITIVE = "false_positive"


@dataclass(frozen=True, slots=True)
class Alert:
    id: int
    customer_id: str
    entity_key: str
    snapshot_id: int
    kind: str  # name | address
    score: float
    screened_value: str
    matched_value: str
    status: str  # open | true_match | false_positive
    created_at: datetime
    breakdown: dict[str, Any]
    run_id: int | None = None


@dataclass(frozen=True, slots=True)
class FailedCustomer:
    """A customer whose screening raised an internal error (a bug, not bad input)."""

    customer_id: str
    error: str  # "ErrorClass: message", cut to 300 characters


@dataclass(frozen=True, slots=True)
class RunReport:
    run_id: int
    kind: str  # full | incremental
    customers_screened: int
    entities_screened: int
    alerts_created: int
    suppressed: int  # matches kept quiet by an unchanged false-positive or true-match disposition
    already_open: int  # matches that already had an open alert
    # incremental runs: customers stored or changed (or with new transactions or logins) since the last
    # run, screened against every entity; the others were screened against the entities a list diff touched
    changed_customers: int = 0
    failed: tuple[FailedCustomer, ...] = ()


def _sha(value: Any) -> str:
    return hashlib.sha256(fingerprint_json(value)).hexdigest()


def customer_fingerprint(customer: Customer) -> str:
    """What a name match rests on, on the customer's side."""
    return _sha(
        {
            "names": sorted(n.name for n in customer.names),
            "dob": customer.birth_date,
            "nationalities": sorted(customer.nationalities),
            "gender": customer.gender,
            "type": customer.type.value,
        }
    )


def entity_fingerprint(entity: ListEntity) -> str:
    """What a match rests on, on the list's side: names, dates of birth, documents, addresses."""
    return _sha(
        {
            "names": sorted((n.name, n.kind.value) for n in entity.names),
            "dob": sorted((b.start.isoformat(), b.end.isoformat()) for b in entity.birth_dates),
            "documents": sorted((d.type, d.number, d.country or "") for d in entity.documents),
            "addresses": sorted(a.address for a in entity.crypto_addresses),
        }
    )


def _alert(row: Any) -> Alert:
    return Alert(
        id=row.id,
        customer_id=row.customer_id,
        entity_key=row.entity_key,
        snapshot_id=row.snapshot_id,
        kind=row.kind,
        score=row.score,
        screened_value=row.screened_value,
        matched_value=row.matched_value,
        status=row.status,
        created_at=row.created_at,
        breakdown=json.loads(row.breakdown),
        run_id=row.run_id,
    )


# --- screening ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Found:
    customer_id: str
    entity_key: str
    kind: str
    score: float
    screened: str
    matched: str
    customer_fp: str
    breakdown: dict[str, Any]


def _failure(customer_id: str, exc: Exception) -> FailedCustomer:
    return FailedCustomer(customer_id, f"{type(exc).__name__}: {exc}"[:300])


def _screen_names(c: Customer, screener: Screener, threshold: float) -> Iterator[_Found]:
    """The best match per entity over the customer's names, at or above the alert threshold."""
    fp = customer_fingerprint(c)
    kind = "person" if c.type is PersonType.NATURAL else "organisation"
    best: dict[str, _Found] = {}
    for n in c.names:
        for m in screener.screen_name(
            n.name,
            dob=c.birth_date,
            nationalities=c.nationalities,
            gender=c.gender,
            kind=kind,
            top=5,
            min_score=threshold,
            threshold=threshold,
        ):
            prev = best.get(m.entity_key)
            if prev is None or m.score > prev.score:
                best[m.entity_key] = _Found(
                    c.id, m.entity_key, "name", m.score, n.name, m.matched_name, fp, to_jsonable(m.breakdown)
                )
    return iter(best.values())


def _screen_addresses(cid: str, pairs: Iterable[tuple[str, str | None]], book: AddressBook) -> list[_Found]:
    found = []
    for address, chain in sorted(pairs, key=lambda p: (p[0], p[1] or "")):
        for hit in book.lookup(address, chain, strict=False):
            found.append(
                _Found(
                    cid,
                    hit.entity_key,
                    "address",
                    1.0,
                    address,
                    hit.address,
                    _sha({"customer": cid, "address": hit.normalised}),
                    {"currency": hit.currency, "chain": hit.chain, "normalised": hit.normalised},
                )
            )
    return found


def _alert_fields(screener: Screener, f: _Found) -> dict[str, Any] | None:
    """What an alert stores of finding ``f``: both sides' values and fingerprints, the entity's snapshot and
    the breakdown (None when the entity is not in ``screener``)."""
    entity = screener.entity(f.entity_key)
    if entity is None:
        return None
    return {
        "customer_id": f.customer_id,
        "kind": f.kind,
        "entity_key": f.entity_key,
        "snapshot_id": screener.snapshot_of(f.entity_key),
        "score": f.score,
        "screened_value": f.screened,
        "matched_value": f.matched,
        "customer_fingerprint": f.customer_fp,
        "entity_fingerprint": entity_fingerprint(entity),
        "breakdown": json.dumps(f.breakdown, sort_keys=True, ensure_ascii=False),
    }


def _screen_batch(
    store: Store,
    customers: list[Customer],
    screener: Screener | None,
    book: AddressBook | None,
    failed: dict[str, FailedCustomer],
    threshold: float,
) -> Iterator[_Found]:
    """Matches of ``customers``; a customer that raises is put in ``failed`` (once) and the others go on."""
    if screener is not None and len(screener):
        for c in customers:
            try:
                found = list(_screen_names(c, screener, threshold))
            except Exception as exc:  # a bug on one customer must not stop the screening of every other
                failed.setdefault(c.id, _failure(c.id, exc))
                continue
            yield from found
    if book is None or not len(book):
        return
    addresses = Registry(store).addresses_of([c.id for c in customers])
    for cid, pairs in sorted(addresses.items()):
        try:
            found = _screen_addresses(cid, pairs, book)
        except Exception as exc:  # as above
            failed.setdefault(cid, _failure(cid, exc))
            continue
        yield from found


def _latest_dispositions(
    conn: Connection, customer_ids: Collection[str] | None = None
) -> dict[tuple[str, str], Any]:
    q = select(ScreeningDispositionRow).order_by(ScreeningDispositionRow.id)
    if customer_ids is not None:
        q = q.where(ScreeningDispositionRow.customer_id.in_(list(customer_ids)))
    return {(r.customer_id, r.entity_key): r for r in conn.execute(q)}


class _Sieve:
    """What is already stored, and the rules that keep a finding from becoming a new alert: it stays quiet
    while an analyst's decision on it holds (neither side changed), it is not raised again while open on the
    same facts, and an identity seen before (decided, then revised back) never makes a duplicate row."""

    def __init__(self, conn: Connection, customer_ids: Collection[str] | None = None) -> None:
        """What is stored of every customer, or only of ``customer_ids`` (the few of an ingestion call)."""
        self.dispositions = _latest_dispositions(conn, customer_ids)
        q = select(ScreeningAlertRow).order_by(ScreeningAlertRow.id)
        if customer_ids is not None:
            q = q.where(ScreeningAlertRow.customer_id.in_(list(customer_ids)))
        loaded = conn.execute(q).all()
        # the latest row of each (customer, entity, kind): its status and the facts it was raised on
        self.latest: dict[tuple[str, str, str], tuple[str, str, str]] = {
            (r.customer_id, r.entity_key, r.kind): (r.status, r.customer_fingerprint, r.entity_fingerprint)
            for r in loaded
        }
        self.identities = {
            (r.customer_id, r.entity_key, r.snapshot_id, r.kind, r.customer_fingerprint, r.entity_fingerprint)
            for r in loaded
        }
        self.suppressed = self.already = 0

    def admit(
        self, customer_id: str, entity_key: str, kind: str, snapshot_id: int, cfp: str, efp: str
    ) -> bool:
        """Whether this finding is a new alert; if so, it counts as stored from now on."""
        disp = self.dispositions.get((customer_id, entity_key))
        if disp is not None and (disp.customer_fingerprint, disp.entity_fingerprint) == (cfp, efp):
            self.suppressed += 1
            return False
        identity = (customer_id, entity_key, snapshot_id, kind, cfp, efp)
        if (
            self.latest.get((customer_id, entity_key, kind)) == ("open", cfp, efp)
            or identity in self.identities
        ):
            self.already += 1
            return False
        self.identities.add(identity)
        self.latest[(customer_id, entity_key, kind)] = ("open", cfp, efp)
        return True


def _insert_alerts(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Store new alert rows and their ``alerts.raised`` events, in ``conn``'s transaction; their ids."""
    ids = list(
        conn.execute(
            insert(ScreeningAlertRow).returning(ScreeningAlertRow.id, sort_by_parameter_order=True), rows
        ).scalars()
    )
    emit_many(conn, [_raised(i, r) for i, r in zip(ids, rows, strict=True)])
    return ids


class _AlertWriter:
    """Turns one run's findings into new alert rows, through the ``_Sieve``."""

    def __init__(
        self,
        conn: Connection,
        screener: Screener,
        run_id: int | None,
        customer_ids: Collection[str] | None = None,
    ) -> None:
        self.screener, self.run_id = screener, run_id
        self.sieve = _Sieve(conn, customer_ids)
        self.created = 0

    def row(self, f: _Found) -> dict[str, Any] | None:
        """The new alert row for finding ``f``, or None (counted by the sieve as quiet or already raised)."""
        fields = _alert_fields(self.screener, f)
        if fields is None or not self.sieve.admit(
            f.customer_id,
            f.entity_key,
            f.kind,
            fields["snapshot_id"],
            f.customer_fp,
            fields["entity_fingerprint"],
        ):
            return None
        return {**fields, "status": "open", "run_id": self.run_id, "created_at": utcnow()}


def _raised(alert_id: int, row: dict[str, Any]) -> tuple[EventType, tuple[str, ...], dict[str, Any], None]:
    """The ``alerts.raised`` event of a new alert row: ids, kind, snapshot and score, no name."""
    data = {k: row[k] for k in ("customer_id", "kind", "snapshot_id", "score")}
    return EventType.ALERT_RAISED, (f"customer:{row['customer_id']}",), {"alert_id": alert_id, **data}, None


def _start_run(store: Store, kind: str, screener: Screener, threshold: float) -> tuple[int, _AlertWriter]:
    with store.connect() as conn:
        run_id = int(
            conn.execute(
                insert(ScreeningRunRow)
                .values(
                    kind=kind,
                    started_at=utcnow(),
                    snapshots=json.dumps(screener.snapshots, sort_keys=True),
                    threshold=threshold,
                    customers_screened=0,
                    alerts_created=0,
                )
                .returning(ScreeningRunRow.id)
            ).scalar_one()
        )
        return run_id, _AlertWriter(conn, screener, run_id)


def _run(
    store: Store,
    *,
    kind: str,
    screener: Screener,
    book: AddressBook | None,
    customers: Iterable[Customer],
    entities_screened: int,
    on_progress: Callable[[int], None] | None = None,
    name_screener: Screener | None = None,
    threshold: float = ALERT_THRESHOLD,
) -> RunReport:
    """Screen ``customers`` with ``name_screener`` (default ``screener``) and ``book``; store new alerts. A
    customer whose screening fails is reported in ``failed`` and the others go on."""
    names = screener if name_screener is None else name_screener
    run_id, writer = _start_run(store, kind, screener, threshold)
    screened = 0
    batch: list[Customer] = []
    failed: dict[str, FailedCustomer] = {}

    def flush() -> None:
        nonlocal screened
        found = _screen_batch(store, batch, names, book, failed, threshold)
        rows = [r for r in (writer.row(f) for f in found) if r is not None]
        if rows:
            with store.connect() as conn:  # the alerts and their events out, in one transaction
                ids = conn.execute(
                    insert(ScreeningAlertRow).returning(ScreeningAlertRow.id, sort_by_parameter_order=True),
                    rows,
                ).scalars()
                emit_many(conn, [_raised(i, r) for i, r in zip(ids, rows, strict=True)])
            writer.created += len(rows)
        screened += len(batch)
        if on_progress is not None:
            on_progress(len(batch))
        batch.clear()

    for c in customers:
        batch.append(c)
        if len(batch) >= 500:
            flush()
    flush()
    with store.connect() as conn:
        conn.execute(
            update(ScreeningRunRow)
            .where(ScreeningRunRow.id == run_id)
            .values(customers_screened=screened - len(failed), alerts_created=writer.created)
        )
    return RunReport(
        run_id,
        kind,
        screened - len(failed),
        entities_screened,
        writer.created,
        writer.sieve.suppressed,
        writer.sieve.already,
        failed=tuple(failed.values()),
    )


def entities_touched(store: Store, old: dict[str, int], new: dict[str, int]) -> set[str] | None:
    """Keys of entities a list diff added or changed between the snapshots of ``old`` (source -> snapshot
    id, as a run records them) and ``new``; None when that cannot be told (a source screened for the first
    time), and then everything is screened."""
    from vaspguard.lists import diff_snapshots

    if set(new) - set(old):
        return None
    touched: set[str] = set()
    for source, snap in new.items():
        if old.get(source) != snap:
            diff = diff_snapshots(store, old[source], snap)
            touched |= {r.key for r in diff.added} | {c.key for c in diff.changed}
    return touched


def screen_changes(
    store: Store,
    screener: Screener,
    book: AddressBook | None,
    previous: tuple[datetime, dict[str, int]] | None,
    *,
    on_progress: Callable[[int], None] | None = None,
    threshold: float = ALERT_THRESHOLD,
) -> RunReport:
    """What changed since ``previous`` (``last_run``'s answer): an incremental run when a list diff can tell
    which entities changed, else (no previous run, a new source) a full one."""
    touched = None if previous is None else entities_touched(store, previous[1], screener.snapshots)
    if previous is not None and touched is not None:
        return rescreen(
            store,
            screener,
            book,
            touched=touched,
            since=previous[0],
            on_progress=on_progress,
            threshold=threshold,
        )
    return screen_customers(store, screener, book, on_progress=on_progress, threshold=threshold)


def _finish(store: Store, report: RunReport, *run_ids: int) -> RunReport:
    """Mark the runs finished, which makes them the baseline of the next incremental run, unless a customer
    failed: then the next run starts from the last clean one and screens that customer again."""
    if not report.failed:
        with store.connect() as conn:
            conn.execute(
                update(ScreeningRunRow).where(ScreeningRunRow.id.in_(run_ids)).values(finished_at=utcnow())
            )
    return report


def screen_customers(
    store: Store,
    screener: Screener,
    book: AddressBook | None = None,
    *,
    on_progress: Callable[[int], None] | None = None,
    threshold: float = ALERT_THRESHOLD,
) -> RunReport:
    """Screen every customer of the registry (names and transaction addresses); store new alerts (names
    scoring ``threshold`` or more)."""
    report = _run(
        store,
        kind="full",
        screener=screener,
        book=book,
        customers=Registry(store).iter_customers(),
        entities_screened=len(screener),
        on_progress=on_progress,
        threshold=threshold,
    )
    return _finish(store, report, report.run_id)


def last_run(store: Store, threshold: float = ALERT_THRESHOLD) -> tuple[datetime, dict[str, int]] | None:
    """When the last finished run at ``threshold`` started, and the snapshots it screened against (a run
    at another threshold is no baseline: names between the two were not looked at)."""
    with store.connect() as conn:
        row = conn.execute(
            select(ScreeningRunRow)
            .where(ScreeningRunRow.finished_at.is_not(None))
            .order_by(ScreeningRunRow.id.desc())
            .limit(1)
        ).first()
    if row is None or abs(row.threshold - threshold) > 1e-9:
        return None
    return row.started_at, {k: int(v) for k, v in json.loads(row.snapshots).items()}


def rescreen(
    store: Store,
    screener: Screener,
    book: AddressBook | None = None,
    *,
    touched: Iterable[str],
    since: datetime,
    on_progress: Callable[[int], None] | None = None,
    threshold: float = ALERT_THRESHOLD,
) -> RunReport:
    """Incremental run: entities in ``touched`` (keys a list diff added or changed) against every customer,
    and customers created or changed at or after ``since`` against every entity."""
    touched = set(touched)
    part = screener.subset(touched)
    part_book = AddressBook(part.entities) if book is not None else None
    registry = Registry(store)
    changed_ids = _changed_customers(store, since)
    report_a = _run(
        store,
        kind="incremental",
        screener=screener,
        book=part_book,
        customers=(c for c in registry.iter_customers() if c.id not in changed_ids),
        entities_screened=len(part),
        on_progress=on_progress,
        name_screener=part,
        threshold=threshold,
    )
    report_b = _run(
        store,
        kind="incremental",
        screener=screener,
        book=book,
        customers=(registry.get_customer(cid) for cid in sorted(changed_ids)),
        entities_screened=len(screener),
        on_progress=on_progress,
        threshold=threshold,
    )
    report = RunReport(
        report_b.run_id,
        "incremental",
        report_a.customers_screened + report_b.customers_screened,
        len(part),
        report_a.alerts_created + report_b.alerts_created,
        report_a.suppressed + report_b.suppressed,
        report_a.already_open + report_b.already_open,
        changed_customers=report_b.customers_screened,
        failed=report_a.failed + report_b.failed,
    )
    return _finish(store, report, report_a.run_id, report_b.run_id)


def _changed_customers(store: Store, since: datetime) -> set[str]:
    """Customers stored or changed at or after ``since``, or with a transaction or login stored since then
    (a new deposit from a listed wallet must not wait for the next full run)."""
    return Registry(store).changed_since(since)


# --- reading and deciding -------------------------------------------------------------------------------


def get_alert(store: Store, alert_id: int) -> Alert:
    with store.connect() as conn:
        row = conn.execute(select(ScreeningAlertRow).where(ScreeningAlertRow.id == alert_id)).first()
    if row is None:
        raise NotFound("alert", str(alert_id))
    return _alert(row)


def list_alerts(
    store: Store,
    *,
    status: str | None = None,
    customer_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[Alert]:
    """Alerts, highest score first."""
    q = select(ScreeningAlertRow)
    if status is not None:
        if status not in ("open", "true_match", "false_positive"):
            raise InvalidRequest("status", f"{status!r} is not open, true_match or false_positive")
        q = q.where(ScreeningAlertRow.status == status)
    if customer_id is not None:
        q = q.where(ScreeningAlertRow.customer_id == customer_id)
    q = q.order_by(ScreeningAlertRow.score.desc(), ScreeningAlertRow.id).limit(limit).offset(offset)
    with store.connect() as conn:
        return [_alert(r) for r in conn.execute(q)]


def count_alerts(store: Store, *, customer_id: str | None = None) -> dict[str, int]:
    """How many alerts there are in each status (of one customer's, when given): what ``list_alerts``
    would return without its limit."""
    q = select(ScreeningAlertRow.status, func.count()).group_by(ScreeningAlertRow.status)
    if customer_id is not None:
        q = q.where(ScreeningAlertRow.customer_id == customer_id)
    with store.connect() as conn:
        rows = conn.execute(q).all()
    return {status: int(n) for status, n in rows}


def decide(
    store: Store,
    alert_id: int,
    decision: Disposition | str,
    *,
    reason: str,
    actor: str,
    actor_role: str = "compliance",
    revise: bool = False,
    audit: Any | None = None,
) -> Alert:
    """Record an analyst's decision on an alert, logged to the audit log first (``audit`` is an
    ``AuditLog``; default ``AuditLog.open(store)``)."""
    try:
        decision = Disposition(decision)
    except ValueError:
        raise InvalidRequest("decision", f"{decision!r} is not true_match or false_positive") from None
    if not reason.strip():
        raise InvalidRequest("reason", "a disposition needs a reason")
    if not actor.strip():
        raise InvalidRequest("actor", "a disposition needs the analyst's name")
    alert = get_alert(store, alert_id)
    if alert.status != "open" and not revise:
        raise Refused(f"alert {alert_id} is already decided ({alert.status}); revise it explicitly")
    with store.connect() as conn:
        row = conn.execute(select(ScreeningAlertRow).where(ScreeningAlertRow.id == alert_id)).one()
    from vaspguard.audit import AuditLog, Event

    log = audit if audit is not None else AuditLog.open(store)
    receipt = log.append(
        Event(
            type="screening.disposition",
            actor=actor,
            actor_role=actor_role,
            subjects=(f"customer:{alert.customer_id}", f"entity:{alert.entity_key}", f"alert:{alert_id}"),
            payload={
                "alert_id": alert_id,
                "decision": decision.value,
                "reason": reason,
                "previous_status": alert.status,
                "score": alert.score,
                "screened_value": alert.screened_value,
                "matched_value": alert.matched_value,
                "snapshot_id": alert.snapshot_id,
                "customer_fingerprint": row.customer_fingerprint,
                "entity_fingerprint": row.entity_fingerprint,
            },
        )
    )
    with store.connect() as conn:
        conn.execute(
            insert(ScreeningDispositionRow).values(
                alert_id=alert_id,
                customer_id=alert.customer_id,
                entity_key=alert.entity_key,
                decision=decision.value,
                reason=reason,
                actor=actor,
                customer_fingerprint=row.customer_fingerprint,
                entity_fingerprint=row.entity_fingerprint,
                decided_at=utcnow(),
                audit_index=getattr(receipt, "index", None),
            )
        )
        conn.execute(
            update(ScreeningAlertRow).where(ScreeningAlertRow.id == alert_id).values(status=decision.value)
        )
        emit(
            conn,
            EventType.ALERT_DECIDED,
            (f"customer:{alert.customer_id}",),
            {"alert_id": alert_id, "customer_id": alert.customer_id, "decision": decision.value},
        )
    return get_alert(store, alert_id)


def dispositions(store: Store, alert_id: int) -> list[dict[str, Any]]:
    """The decision history of an alert, oldest first."""
    with store.connect() as conn:
        rows = conn.execute(
            select(ScreeningDispositionRow)
            .where(ScreeningDispositionRow.alert_id == alert_id)
            .order_by(ScreeningDispositionRow.id)
        ).all()
    return [
        {
            "decision": r.decision,
            "reason": r.reason,
            "actor": r.actor,
            "decided_at": r.decided_at,
            "audit_index": r.audit_index,
        }
        for r in rows
    ]


def listed_customer_ids(store: Store) -> set[str]:
    """Customers whose latest decision on some list entity is a true match."""
    with store.connect() as conn:
        latest = _latest_dispositions(conn)
    return {cid for (cid, _), r in latest.items() if r.decision == Disposition.TRUE_MATCH.value}
