"""Batch jobs over the whole registry, on one machine or on Apache Spark, with the same answers.

``screen`` scores every customer's names (all scripts) and every deposit and withdrawal address against the
store's active list snapshots and writes the matches, with their breakdown, as Parquet; ``import_alerts``
stores them with the semantics of ``vaspguard.screening`` (one alert per customer, entity and snapshot; a
false positive stays quiet while nothing changed). The engine is the one seam: ``local`` (this process, or
``workers`` forked processes) or ``spark`` (PySpark, the ``spark`` extra). Both call the same scoring
function on the same Arrow batches, so only reading, joining and writing differ between them.
"""

from vaspguard.batch._evaluate import EvaluateReport, evaluate, import_states, read_rows
from vaspguard.batch._jdbc import Jdbc, is_jdbc, jdbc_source
from vaspguard.batch._jobs import Engine, ImportReport, ScreenReport, import_alerts, screen
from vaspguard.batch._reach import ReachReport, reach, read_reach, read_scope, request_scope
from vaspguard.batch._spark import stop_spark

__all__ = [
    "Engine",
    "EvaluateReport",
    "ImportReport",
    "Jdbc",
    "ReachReport",
    "ScreenReport",
    "evaluate",
    "import_alerts",
    "import_states",
    "is_jdbc",
    "jdbc_source",
    "reach",
    "read_reach",
    "read_rows",
    "read_scope",
    "request_scope",
    "screen",
    "stop_spark",
]
