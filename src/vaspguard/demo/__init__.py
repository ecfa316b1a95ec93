"""The demo exchange: a deterministic synthetic registry with planted cases for screening and policy."""

from vaspguard.demo._names import LISTED_PERSONS, ListedPerson, transliterate
from vaspguard.demo._seed import DEFAULT_AS_OF, SeedReport, chain_of, read_addresses, seed

__all__ = [
    "DEFAULT_AS_OF",
    "LISTED_PERSONS",
    "ListedPerson",
    "SeedReport",
    "chain_of",
    "read_addresses",
    "seed",
    "transliterate",
]
