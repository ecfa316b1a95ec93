"""``evaluate``: every customer's restriction state on a date, from a registry export, as Parquet; and
``import_states``, which stores a finished job's states as an evaluation, with its notices.

A job's output directory holds ``states/`` (one row per customer: state, rule, citation, reason, what the
customer can still do, holdings in EUR), ``diff/`` when ``previous`` names an earlier job (the customers
whose state or rule differs), and ``manifest.json``, written last. The manifest pins what the states depend
on besides the registry: the policy version, the exemption evidence and the confirmed listings in the store.
``import_states`` refuses a job when any of them has changed since (run it again).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from vaspguard.batch._inputs import Source, prices_on
from vaspguard.batch._jobs import Engine, Registry, check_engine, local_paths, manifest_of, sources
from vaspguard.batch._parts import STATES_ORDER, merged
from vaspguard.batch._states import Policy
from vaspguard.errors import InvalidFile, Refused
from vaspguard.policy import CustomerState, Evaluator, RulePack, Standing, builtin_packs
from vaspguard.store import Store, utcnow


@dataclass(frozen=True, slots=True)
class EvaluateReport:
    engine: str
    output: str
    at: str
    policy_version: str
    customers: int
    states: dict[str, int]
    changed: int | None  # customers whose state or rule differs from ``previous`` (None: no previous)
    previous: str | None
    policy_bytes: int  # the pickled policy (packs, evidence, listings, prices): what a broadcast ships
    started_at: str
    registry_as_of: str | None
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)


def _pinned(store: Store) -> tuple[Any, frozenset[str], str]:
    """(evidence by customer, listed customers, a digest of both): what the states depend on in the store."""
    from vaspguard.policy import evidence_by_customer
    from vaspguard.screening import listed_customer_ids

    evidence = evidence_by_customer(store)
    listed = frozenset(listed_customer_ids(store))
    canonical = json.dumps(
        [sorted((k, [list(e) for e in v]) for k, v in evidence.items()), sorted(listed)], default=str
    )
    return evidence, listed, hashlib.sha256(canonical.encode()).hexdigest()


def evaluate(
    store: Store,
    inputs: Registry,
    output: Path,
    *,
    at: date,
    engine: Engine | str = Engine.LOCAL,
    packs: list[RulePack] | None = None,
    previous: Path | None = None,
    workers: int = 1,
    master: str = "local[2]",
    partitions: int = 8,
) -> EvaluateReport:
    """Every customer's restriction state on ``at`` from the registry in ``inputs`` (a Parquet export's
    directory with customers, accounts and prices, or PostgreSQL over JDBC with the Spark engine), written
    to ``output`` (a new directory), with the diff against ``previous``."""
    engine = check_engine(engine)
    if previous is not None:
        manifest_of(previous, "evaluate")
    with sources(inputs, ("customers", "accounts", "prices"), engine, output) as (paths, as_of):
        started = utcnow()
        t0 = time.perf_counter()
        packs = packs if packs is not None else builtin_packs()
        evaluator = Evaluator(_engine(packs), at)
        evidence, listed, digest = _pinned(store)
        policy = Policy(tuple(packs), at, evidence, listed, prices_on(paths["prices"], at))
        stages: dict[str, float] = {"policy_s": time.perf_counter() - t0}
        with_balances = bool(evaluator.thresholds)
        n = _states(
            engine, policy, paths, with_balances, output / "states", workers, master, partitions, stages
        )
    changed = None if previous is None else _diff(engine, previous, output, stages)
    report = EvaluateReport(
        engine=engine.value,
        output=str(output),
        at=at.isoformat(),
        policy_version=evaluator.engine.policy_version,
        customers=n,
        states=_counts(output / "states"),
        changed=changed,
        previous=None if previous is None else str(previous),
        policy_bytes=len(pickle.dumps(policy, protocol=pickle.HIGHEST_PROTOCOL)),
        started_at=started.isoformat(),
        registry_as_of=as_of,
        seconds=round(time.perf_counter() - t0, 3),
        stages={k: round(v, 3) for k, v in stages.items()},
    )
    manifest = {"job": "evaluate", **asdict(report), "pinned": digest}
    (output / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return report


def _states(
    engine: Engine,
    policy: Policy,
    paths: dict[str, Source],
    with_balances: bool,
    output: Path,
    workers: int,
    master: str,
    partitions: int,
    stages: dict[str, float],
) -> int:
    """Run the evaluation on ``engine``; the accounts are read only if a holdings threshold is in force."""
    if engine is Engine.SPARK:
        from vaspguard.batch._spark import run_spark_states

        return run_spark_states(
            policy, paths["customers"], paths["accounts"] if with_balances else None, output,
            master=master, partitions=partitions, stages=stages,
        )  # fmt: skip
    from vaspguard.batch._local import run_local_states

    local = local_paths(paths)
    return run_local_states(
        policy, local["customers"], local["accounts"] if with_balances else None, output,
        workers=workers, stages=stages,
    )  # fmt: skip


def _engine(packs: list[RulePack]) -> Any:
    from vaspguard.policy import Engine as PolicyEngine

    return PolicyEngine(packs)


def _counts(states: Path) -> dict[str, int]:
    import pyarrow.dataset as ds

    counts = dict.fromkeys((s.value for s in CustomerState), 0)
    column = ds.dataset(states, format="parquet").to_table(columns=["state"]).column("state")
    for item in column.value_counts().to_pylist():
        counts[item["values"]] = item["counts"]
    return counts


def _diff(engine: Engine, previous: Path, output: Path, stages: dict[str, float]) -> int:
    t = time.perf_counter()
    if engine is Engine.SPARK:
        from vaspguard.batch._spark import spark_diff

        spark_diff(previous / "states", output / "states", output / "diff")
    else:
        from vaspguard.batch._local import local_diff

        local_diff(previous / "states", output / "states", output / "diff")
    stages["diff_s"] = time.perf_counter() - t
    import pyarrow.dataset as ds

    return int(ds.dataset(output / "diff", format="parquet").count_rows())


def read_rows(directory: Path, order: tuple[str, ...] = STATES_ORDER) -> list[dict[str, Any]]:
    """The rows of a job's ``states/`` or ``diff/``, in customer order."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    try:
        rows: list[dict[str, Any]] = ds.dataset(directory, format="parquet").to_table().to_pylist()
    except (pa.ArrowException, OSError) as exc:
        raise InvalidFile(directory, f"not a readable Parquet dataset: {exc}") from None
    rows.sort(key=lambda r: tuple(r[k] for k in order))
    return rows


def _restricted(states: Path, customers: int) -> Iterator[tuple[str, Standing]]:
    """The restricted customers' standings in customer order, in one pass over the parts (``merged``); all
    ``customers`` of the job must be there."""
    import pyarrow.compute as pc

    for r in merged(
        states,
        STATES_ORDER,
        rows=customers,
        where=lambda batch: pc.not_equal(batch.column("state"), CustomerState.UNRESTRICTED.value),
    ):
        try:
            state = CustomerState(r["state"])
        except ValueError:
            raise InvalidFile(states, f"customer {r['customer_id']}: unknown state {r['state']!r}") from None
        yield (
            r["customer_id"],
            Standing(
                state,
                r["rule_id"],
                r["citation"],
                r["reason"],
                tuple(r["allowed"]),
                tuple(r["review"]),
                tuple(r["denied"]),
            ),
        )


def import_states(
    store: Store,
    output: Path,
    *,
    packs: list[RulePack] | None = None,
    actor: str = "vaspguard",
    keep_changes: bool = False,
) -> Any:
    """Store a finished ``evaluate`` job's states as an evaluation of the registry (``policy evaluate``'s
    semantics: the diff against the stored states, a notice and its events per change), logged to the audit
    log; refused if the policy, the exemption evidence or the confirmed listings changed since the job.

    Streamed in one transaction: the parts are merged in customer order and stored a step at a time, so
    memory does not grow with the registry. The result counts the changes; ``keep_changes`` also lists
    them (``policy notices --evaluation N`` lists the notices from the store)."""
    from vaspguard.policy import PolicyService, open_audit, record_evaluation

    manifest = manifest_of(output, "evaluate")
    service = PolicyService(store, packs, log_decisions=False, actor=actor)
    if manifest["policy_version"] != service.policy_version:
        raise Refused(
            f"{output}: evaluated with policy {manifest['policy_version']}, but the packs given are "
            f"{service.policy_version}: run the job again, or import with the packs it used"
        )
    if manifest["pinned"] != _pinned(store)[2]:
        raise Refused(
            f"{output}: exemption evidence or confirmed listings changed since the job: run it again"
        )
    service.register_version()
    at = date.fromisoformat(manifest["at"])
    result = record_evaluation(
        store,
        service.engine,
        at,
        _restricted(output / "states", int(manifest["customers"])),
        counts=dict(manifest["states"]),
        customers=int(manifest["customers"]),
        profiles=0,
        keep_changes=keep_changes,
    )
    from vaspguard.audit import Event

    open_audit(store).append(
        Event(
            type="policy.batch_import",
            actor=actor,
            actor_role="compliance",
            subjects=(f"policy:{service.policy_version}",),
            policy_version=service.policy_version,
            payload={
                "evaluation_id": result.evaluation_id,
                "output": str(output),
                "engine": manifest["engine"],
                "at": manifest["at"],
                "customers": result.customers,
                "states": result.counts,
                "changed": result.changed,
                "registry_as_of": manifest["registry_as_of"],
            },
        )
    )
    return result
