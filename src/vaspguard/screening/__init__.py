"""Screening: names in any script and wallet addresses against the active sanctions lists, explainably.

``Screener`` (the in-memory index) and ``score_names`` for names; ``normalise_address`` and ``AddressBook``
for wallets; alerts and dispositions over the registry's customers.
"""

from vaspguard.screening._address import AddressBook, AddressHit, normalise_address
from vaspguard.screening._index import ALERT_THRESHOLD, Breakdown, Match, Screener
from vaspguard.screening._normalise import NameForm, name_forms, transliterate
from vaspguard.screening._score import Factor, TokenPair, score_names

__all__ = [
    "ALERT_THRESHOLD",
    "AddressBook",
    "AddressHit",
    "Breakdown",
    "Factor",
    "Match",
    "NameForm",
    "Screener",
    "TokenPair",
    "name_forms",
    "normalise_address",
    "score_names",
    "transliterate",
]
