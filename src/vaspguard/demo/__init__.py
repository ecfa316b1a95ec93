"""The demo exchange: a deterministic synthetic registry with planted cases for screening and policy, and
``seed_demo``, the offline demo across every capability on fictional sample lists shipped in ``lists/``, and
``seed_casebook``, the lawful requests a legal desk holds after a year."""

from vaspguard.demo._casebook import seed_casebook
from vaspguard.demo._lawful import seed_requests
from vaspguard.demo._names import LISTED_PERSONS, ListedPerson, transliterate
from vaspguard.demo._offline import DEMO_OPERATORS, DemoReport, operator_key, seed_demo
from vaspguard.demo._samples import (
    FICTIONAL_ADDRESSES,
    FICTIONAL_PERSONS,
    FOUNDATION_ADDRESSES,
    FOUNDATION_NAME,
    SampleAddress,
    sample_list_paths,
    sample_request_paths,
)
from vaspguard.demo._seed import DEFAULT_AS_OF, SeedReport, chain_of, read_addresses, seed

__all__ = [
    "DEFAULT_AS_OF",
    "DEMO_OPERATORS",
    "FICTIONAL_ADDRESSES",
    "FICTIONAL_PERSONS",
    "FOUNDATION_ADDRESSES",
    "FOUNDATION_NAME",
    "LISTED_PERSONS",
    "DemoReport",
    "ListedPerson",
    "SampleAddress",
    "SeedReport",
    "chain_of",
    "operator_key",
    "read_addresses",
    "sample_list_paths",
    "sample_request_paths",
    "seed",
    "seed_casebook",
    "seed_demo",
    "seed_requests",
    "transliterate",
]
