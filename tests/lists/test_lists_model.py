"""Entity model serialisation, chains for currency tags, country and date normalisation."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vaspguard.lists import DatePrecision, ListEntity, read_path
from vaspguard.lists._countries import country_code
from vaspguard.lists._crypto import chain_for
from vaspguard.lists._dates import birth_date


@pytest.mark.parametrize(
    ("tag", "address", "chain"),
    [
        ("XBT", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h", "bitcoin"),
        ("ETH", "0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c", "ethereum"),
        ("TRX", "TWwxR5pvEW2A6C5cCTNN2GYJjgqbTKJ8ib", "tron"),
        ("LTC", "LWnbjLYUfqeokfbWM4FcU7uk2FP2DSxuWS", "litecoin"),
        ("USDT", "0x7F19720A857F834887FC9A7bC0a0fBe7Fc7f8102", "ethereum"),
        ("USDT", "TWwxR5pvEW2A6C5cCTNN2GYJjgqbTKJ8ib", "tron"),
        ("USDT", "3E6ZCKRrsdPc35chA9Eftp1h3DLW18NFNV", "bitcoin"),
        ("USDC", "0x7F19720A857F834887FC9A7bC0a0fBe7Fc7f8102", "ethereum"),
        ("USDT", "not-an-address", None),
        ("BSC", "0x7F19720A857F834887FC9A7bC0a0fBe7Fc7f8102", "bnb-smart-chain"),
        ("ARB", "0x7F19720A857F834887FC9A7bC0a0fBe7Fc7f8102", "arbitrum"),
        ("XYZ", "whatever", None),
    ],
)
def test_chain_for_tag(tag: str, address: str, chain: str | None) -> None:
    assert chain_for(tag, address) == chain


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Democratic Republic of the Congo", "CD"),
        ("Iran (Islamic Republic of)", "IR"),
        ("Korea, North", "KP"),
        ("Democratic People's Republic of Korea", "KP"),
        ("Syrian Arab Republic", "SY"),
        ("Russian Federation", "RU"),
        ("Burma", "MM"),
        ("CS", "RS"),
        ("Côte d'Ivoire", "CI"),
        ("United Kingdom", "GB"),
        ("UNKNOWN", None),
        ("Middle East", None),
        ("", None),
    ],
)
def test_country_code(text: str, code: str | None) -> None:
    assert country_code(text) == code


@pytest.mark.parametrize(
    ("text", "start", "end", "precision", "circa"),
    [
        ("12 Jan 1960", date(1960, 1, 12), date(1960, 1, 12), DatePrecision.DAY, False),
        ("Jan 1960", date(1960, 1, 1), date(1960, 1, 31), DatePrecision.MONTH, False),
        ("1960", date(1960, 1, 1), date(1960, 12, 31), DatePrecision.YEAR, False),
        ("circa 1960", date(1960, 1, 1), date(1960, 12, 31), DatePrecision.YEAR, True),
        ("1960 to 1962", date(1960, 1, 1), date(1962, 12, 31), DatePrecision.YEAR, False),
        ("01 Jan 1960 to 31 Dec 1961", date(1960, 1, 1), date(1961, 12, 31), DatePrecision.YEAR, False),
        ("Feb 1960 to Mar 1960", date(1960, 2, 1), date(1960, 3, 31), DatePrecision.MONTH, False),
    ],
)
def test_birth_dates_keep_precision(
    text: str, start: date, end: date, precision: DatePrecision, circa: bool
) -> None:
    b = birth_date(text)
    assert b is not None
    assert (b.start, b.end, b.precision, b.circa, b.text) == (start, end, precision, circa, text)


def test_not_a_date() -> None:
    assert birth_date("unknown") is None
    assert birth_date("31 Feb 1960") is None
    assert birth_date("24/06/1402") is None  # a Hijri date is not the Gregorian year 1402


@pytest.fixture(scope="module")
def un_entities(shared_data: Path) -> list[ListEntity]:
    return read_path(shared_data / "lists/un_consolidated_xml/watchman_2026-02-27/consolidated.xml").entities


def test_round_trip_every_un_entity(un_entities: list[ListEntity]) -> None:
    for e in un_entities:
        assert ListEntity.from_dict(e.to_dict()) == e


@given(st.data())
def test_round_trip_property(un_entities: list[ListEntity], data: st.DataObject) -> None:
    e = data.draw(st.sampled_from(un_entities))
    extra = data.draw(st.dictionaries(st.text(max_size=5), st.text(max_size=10), max_size=3))
    from dataclasses import replace

    changed = replace(e, extra=extra)
    assert ListEntity.from_dict(changed.to_dict()) == changed
