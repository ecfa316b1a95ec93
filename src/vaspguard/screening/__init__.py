"""Screening: names in any script and wallet addresses against the active sanctions lists, explainably.

``Screener`` (the in-memory index) and ``score_names`` for names; ``normalise_address`` and ``AddressBook``
for wallets; alerts and dispositions over the registry's customers.
"""

from vaspguard.screening._address import AddressBook, AddressHit, normalise_address
from vaspguard.screening._alerts import (
    Alert,
    Disposition,
    FailedCustomer,
    RunReport,
    count_alerts,
    decide,
    dispositions,
    entities_touched,
    get_alert,
    last_run,
    list_alerts,
    listed_customer_ids,
    rescreen,
    screen_changes,
    screen_customers,
)
from vaspguard.screening._imported import FOUND_FIELDS, found_for, import_alerts
from vaspguard.screening._index import ALERT_THRESHOLD, PROFILES, Breakdown, Match, Screener, threshold_for
from vaspguard.screening._live import Raised, screen_arrivals
from vaspguard.screening._normalise import NameForm, name_forms, transliterate
from vaspguard.screening._queue import AlertFilter, alert_page, alert_sources, count_matching
from vaspguard.screening._score import Factor, TokenPair, pair_score, score_names
from vaspguard.screening._source import read_lists

__all__ = [
    "ALERT_THRESHOLD",
    "FOUND_FIELDS",
    "PROFILES",
    "AddressBook",
    "AddressHit",
    "Alert",
    "AlertFilter",
    "Breakdown",
    "Disposition",
    "Factor",
    "FailedCustomer",
    "Match",
    "NameForm",
    "Raised",
    "RunReport",
    "Screener",
    "TokenPair",
    "alert_page",
    "alert_sources",
    "count_alerts",
    "count_matching",
    "decide",
    "dispositions",
    "entities_touched",
    "found_for",
    "get_alert",
    "import_alerts",
    "last_run",
    "list_alerts",
    "listed_customer_ids",
    "name_forms",
    "normalise_address",
    "pair_score",
    "read_lists",
    "rescreen",
    "score_names",
    "screen_arrivals",
    "screen_changes",
    "screen_customers",
    "threshold_for",
    "transliterate",
]
