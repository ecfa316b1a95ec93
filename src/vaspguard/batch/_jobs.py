"""The batch jobs: what they read, what they write, and how their output comes back into the store.

A job's output directory holds ``alerts/`` (Parquet) and ``manifest.json``, written last: a directory
without a manifest is an unfinished job, and ``import_alerts`` refuses it. The manifest names the list
snapshots the job screened against; importing after the lists changed is refused (run the job again).
"""

from __future__ import annotations

import enum
import json
import pickle
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from vaspguard.batch._inputs import Inputs, Source, exported_at, find_input
from vaspguard.batch._jdbc import Jdbc, Table, opened
from vaspguard.batch._parts import FOUND_ORDER, merged
from vaspguard.batch._score import Index
from vaspguard.errors import InvalidFile, InvalidRequest, Refused
from vaspguard.store import Store, utcnow

MANIFEST = "manifest.json"


class Engine(enum.StrEnum):
    LOCAL = "local"
    SPARK = "spark"


@dataclass(frozen=True, slots=True)
class ScreenReport:
    engine: str
    output: str
    customers: int
    entities: int
    alerts: int
    snapshots: dict[str, int]
    index_bytes: int  # the pickled index: what a broadcast ships to every executor
    started_at: str
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)
    registry_as_of: str | None = None  # when the export started (its files' metadata), if it says


@dataclass(frozen=True, slots=True)
class ImportReport:
    run_id: int
    customers_screened: int
    alerts_created: int
    suppressed: int
    already_open: int


def fresh(output: Path) -> None:
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise Refused(f"{output} exists and is not empty: a job writes into a new directory")


def check_engine(engine: Engine | str) -> Engine:
    if engine not in {e.value for e in Engine}:
        raise InvalidRequest("engine", f"{engine!r} is not local or spark")
    return Engine(engine)


def registry_as_of(*paths: Path) -> str | None:
    """When the registry export a job reads was taken (its earliest part), if the export says."""
    when = exported_at(*paths)
    return None if when is None else when.isoformat()


# What a job reads the registry from: the directory of a Parquet export, or PostgreSQL over JDBC.
Registry = Path | Jdbc


@contextmanager
def sources(
    inputs: Registry, kinds: tuple[str, ...], engine: Engine, output: Path
) -> Iterator[tuple[dict[str, Source], str | None]]:
    """(where each of ``kinds`` is read, ``registry_as_of``) for a job over ``inputs`` that writes
    ``output`` (a new directory, removed again if the job fails). An export: its files, and when the export
    started; JDBC (Spark only): the tables in one snapshot, held while the job runs, and when the snapshot
    was taken."""
    if not isinstance(inputs, Jdbc):
        paths = {k: find_input(inputs, k) for k in kinds}
        with _written(output):
            yield dict(paths), registry_as_of(*paths.values())
        return
    if engine is not Engine.SPARK:
        raise InvalidRequest(
            "--engine", "the local engine reads the store or an export, not JDBC: use --engine spark"
        )
    with opened(inputs) as snapshot, _written(output):
        try:
            yield {k: Table(snapshot, k) for k in kinds}, snapshot.as_of.isoformat()
        except Exception as exc:
            if not _from_spark(exc):
                raise
            where = inputs.url.split("?", 1)[0]
            raise Refused(f"{where}: the JDBC read failed: {_cause(exc)}") from None


@contextmanager
def _written(output: Path) -> Iterator[None]:
    """``output`` for a job: refused unless new or empty; what the job wrote is removed if it fails."""
    import shutil

    fresh(output)
    existed = output.exists()
    try:
        yield
    except BaseException:
        if output.is_dir():
            for item in output.iterdir():
                shutil.rmtree(item) if item.is_dir() else item.unlink()
            if not existed:
                output.rmdir()
        raise


def _from_spark(exc: Exception) -> bool:
    """Whether ``exc`` is Spark's or its JVM's (a read that failed in the database), not this program's."""
    module = type(exc).__module__
    return module.startswith(("py4j", "pyspark"))


def _cause(exc: Exception) -> str:
    """The database's words in a Spark error: its ``SQLException`` line, else the first line."""
    lines = [line.strip(" :") for line in str(exc).splitlines() if line.strip(" :")]
    for line in lines:
        if "SQLException: " in line:
            return line.split("SQLException: ", 1)[1]
    return lines[0] if lines else type(exc).__name__


def local_paths(paths: dict[str, Source]) -> dict[str, Path]:
    """``paths`` for the local engine, which reads exported files only (``sources`` refuses JDBC)."""
    out = {k: v for k, v in paths.items() if isinstance(v, Path)}
    assert len(out) == len(paths)
    return out


def build_index(store: Store) -> Index:
    from vaspguard.screening import AddressBook, Screener

    screener = Screener.from_store(store)
    return Index(screener, AddressBook.from_entities(screener.entities))


def screen(
    store: Store,
    inputs: Registry,
    output: Path,
    *,
    engine: Engine | str = Engine.LOCAL,
    workers: int = 1,
    master: str = "local[2]",
    partitions: int = 8,
) -> ScreenReport:
    """Screen every customer of the registry in ``inputs`` (a Parquet export's directory, or PostgreSQL
    over JDBC with the Spark engine) against the store's active list snapshots; write the matches to
    ``output`` (a new directory)."""
    engine = check_engine(engine)
    with sources(inputs, ("customers", "transactions"), engine, output) as (paths, as_of):
        started = utcnow()
        t0 = time.perf_counter()
        index = build_index(store)
        stages: dict[str, float] = {"index_s": time.perf_counter() - t0}
        index_bytes = len(pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
        alerts_dir = output / "alerts"
        if engine is Engine.SPARK:
            from vaspguard.batch._spark import run_spark

            customers = run_spark(
                index, paths["customers"], paths["transactions"], alerts_dir,
                master=master, partitions=partitions, stages=stages,
            )  # fmt: skip
        else:
            from vaspguard.batch._local import run_local

            local = local_paths(paths)
            source = Inputs(local["customers"], local["transactions"])
            customers = run_local(index, source, alerts_dir, workers=workers, stages=stages)
    alerts = _count(alerts_dir)
    report = ScreenReport(
        engine=engine.value,
        output=str(output),
        customers=customers,
        entities=len(index.screener),
        alerts=alerts,
        snapshots=dict(sorted(index.screener.snapshots.items())),
        index_bytes=index_bytes,
        started_at=started.isoformat(),
        seconds=round(time.perf_counter() - t0, 3),
        stages={k: round(v, 3) for k, v in stages.items()},
        registry_as_of=as_of,
    )
    (output / MANIFEST).write_text(json.dumps({"job": "screen", **asdict(report)}, indent=2) + "\n")
    return report


def _count(alerts_dir: Path) -> int:
    import pyarrow.dataset as ds

    return int(ds.dataset(alerts_dir, format="parquet").count_rows())


def read_found(alerts_dir: Path) -> list[dict[str, Any]]:
    """The rows of a job's ``alerts/``, in a stable order (customer, kind, entity)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    try:
        table = ds.dataset(alerts_dir, format="parquet").to_table()
    except (pa.ArrowException, OSError) as exc:
        raise InvalidFile(alerts_dir, f"not a readable Parquet dataset: {exc}") from None
    rows: list[dict[str, Any]] = table.to_pylist()
    rows.sort(key=lambda r: tuple(r[k] for k in FOUND_ORDER))
    return rows


def manifest_of(output: Path, job: str) -> dict[str, Any]:
    """The manifest of a finished ``job`` (screen, evaluate ...) in ``output``."""
    path = output / MANIFEST
    if not path.is_file():
        raise InvalidFile(output, f"no {MANIFEST}: not the output of a finished batch job")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text())
    except (ValueError, OSError) as exc:
        raise InvalidFile(path, f"unreadable: {exc}") from None
    if manifest.get("job") != job:
        raise InvalidFile(path, f"job {manifest.get('job')!r} is not a {job} job")
    return manifest


def import_alerts(store: Store, output: Path) -> ImportReport:
    """Store the matches of a finished ``screen`` job as one screening run (``vaspguard.screening``'s
    semantics), if the store's active snapshots are still the ones the job screened against."""
    from vaspguard.lists import active_snapshots
    from vaspguard.screening import import_alerts as store_found

    manifest = manifest_of(output, "screen")
    active = {s.source.value: s.id for s in active_snapshots(store)}
    if manifest["snapshots"] != active:
        raise Refused(
            f"{output}: screened against list snapshots {manifest['snapshots']}, but the active ones are "
            f"{active}: run the job again"
        )
    report = store_found(
        store,
        merged(output / "alerts", FOUND_ORDER, rows=manifest.get("alerts")),
        active=active,
        customers_screened=int(manifest["customers"]),
        entities_screened=int(manifest["entities"]),
        # The run starts when the registry was exported, not when the job started: a customer changed
        # in between is screened by the next incremental run. An export that does not say: the job start.
        started_at=datetime.fromisoformat(manifest.get("registry_as_of") or manifest["started_at"]),
    )
    return ImportReport(
        report.run_id,
        report.customers_screened,
        report.alerts_created,
        report.suppressed,
        report.already_open,
    )
