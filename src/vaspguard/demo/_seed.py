# ruff: noqa: RUF001  (Cyrillic letters in names are meant)
"""The demo exchange: a deterministic synthetic registry that looks like a European exchange's.

Determinism: customer ``i`` is generated from its own RNG, seeded with ``(seed, i)``, and the prices from
``(seed, "prices")``. The same ``--seed`` and options therefore give the same registry, row for row, on
either backend, and however the work is chunked. Nothing reads the clock: times are anchored at ``as_of``.

What it holds, by design (each is something a later part of vaspguard must handle):

- nationals of Europe, Russia, Belarus, Ukraine, Central Asia, Turkey, the Gulf, the US, China and Iran,
  named in Latin, Cyrillic, Arabic, Greek and Chinese with the Latin forms a passport carries;
- dual nationals; Russian nationals resident in the EU/EEA/Switzerland with valid, expired and permanent
  permits, others with UK permits, pending permit applications, visas;
- legal persons established in Russia and elsewhere, some owned or controlled by Russian residents,
  some owned by other customers;
- accounts in every product with balances in several assets (some above EUR 10,000), EUR prices for every
  day of the year, a year of on-chain deposits and withdrawals, trades, internal transfers, earn and fiat
  movements, and logins from the country of residence and elsewhere;
- planted: customers named like listed persons (``LISTED_PERSONS`` by default, or the fictional ones of
  the offline demo; one with the listed date of birth, one with another), withdrawals to every address in
  the addresses-of-interest file, and deposits from every address in ``deposits_from``.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import random
import unicodedata
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from vaspguard.demo._names import (
    BGN,
    CULTURE_OF,
    CULTURES,
    ICAO,
    LISTED_PERSONS,
    Culture,
    ListedPerson,
    transliterate,
)
from vaspguard.errors import InvalidFile, Refused
from vaspguard.registry import (
    Contact,
    Customer,
    KycStatus,
    Name,
    NameKind,
    Owner,
    PermitApplication,
    PermitKind,
    PersonType,
    ResidencePermit,
    Rows,
    Visa,
    customer_rows,
)
from vaspguard.registry import bulk_write as write
from vaspguard.store import Store, metadata

DEFAULT_AS_OF = date(2026, 11, 1)
CHUNK = 2000  # customers generated and committed together
PARALLEL_FROM = 20_000  # customers; below this, starting worker processes costs more than it saves
DEFER_INDEXES_FROM = 50_000  # customers; below this, building indexes afterwards costs more than it saves
_REGISTRY_TABLES = ("customers", "customer_names", "customer_nationalities", "customer_contacts",
                    "residence_permits", "visas", "permit_applications", "owners", "accounts", "balances",
                    "transactions", "logins", "prices")  # fmt: skip

EEA_CH = ("NO", "IS", "LI", "CH")

# Nationality weights of natural-person customers.
NATIONALITIES: tuple[tuple[str, float], ...] = (
    ("DE", 10), ("FR", 6), ("IT", 5), ("ES", 5), ("NL", 4), ("PL", 4), ("AT", 2), ("CZ", 2), ("LV", 1),
    ("LT", 1), ("EE", 1), ("FI", 1), ("SE", 1), ("CY", 1), ("GR", 1), ("PT", 1), ("BE", 1), ("IE", 1),
    ("NO", 1), ("IS", 0.2), ("LI", 0.1), ("CH", 2), ("GB", 5), ("RU", 12), ("BY", 3), ("UA", 6), ("KZ", 3),
    ("UZ", 2), ("KG", 1), ("TJ", 1), ("TR", 5), ("AE", 2), ("SA", 1), ("QA", 0.5), ("US", 5), ("CN", 4),
    ("IR", 3), ("GE", 1), ("AM", 1),
)  # fmt: skip
ESTABLISHED: tuple[tuple[str, float], ...] = (
    ("RU", 30), ("CY", 15), ("AE", 10), ("DE", 8), ("GB", 8), ("CH", 5), ("KZ", 5), ("TR", 5), ("NL", 4),
    ("EE", 4), ("US", 4), ("LV", 2),
)  # fmt: skip
# Where Russian nationals live, and where Ukrainians and Belarusians moved to.
RU_ABROAD_EU = ("DE", "CY", "LV", "ES", "FI", "EE", "LT", "CZ", "FR", "IT", "AT", "NL", "PL", "BG", "MT")
UA_BY_ABROAD = ("PL", "DE", "CZ", "LT", "LV", "SK", "IT", "ES", "IE", "NL")

CALLING = {
    "RU": "7", "KZ": "7", "BY": "375", "UA": "380", "UZ": "998", "KG": "996", "TJ": "992", "TR": "90",
    "AE": "971", "SA": "966", "QA": "974", "IR": "98", "CN": "86", "US": "1", "GB": "44", "DE": "49",
    "FR": "33", "IT": "39", "ES": "34", "NL": "31", "PL": "48", "AT": "43", "CZ": "420", "LV": "371",
    "LT": "370", "EE": "372", "FI": "358", "SE": "46", "CY": "357", "GR": "30", "PT": "351", "BE": "32",
    "IE": "353", "NO": "47", "IS": "354", "LI": "423", "CH": "41", "GE": "995", "AM": "374", "BG": "359",
    "MT": "356", "SK": "421",
}  # fmt: skip
MAIL = {
    "RU": ("mail.ru", "yandex.ru", "gmail.com"),
    "BY": ("tut.by", "gmail.com"),
    "UA": ("ukr.net", "gmail.com"),
    "DE": ("web.de", "gmx.de", "gmail.com"),
    "CN": ("qq.com", "163.com"),
    "IR": ("yahoo.com", "gmail.com"),
}
FIAT_OF = {"GB": "GBP", "CH": "CHF", "TR": "TRY", "US": "USD", "AE": "AED", "PL": "PLN", "CZ": "CZK"}

# Assets with a starting EUR price and daily volatility (the price path is a seeded random walk).
ASSETS: tuple[tuple[str, Decimal, float], ...] = (
    ("BTC", Decimal("58000"), 0.03), ("ETH", Decimal("2600"), 0.035), ("USDT", Decimal("0.92"), 0.001),
    ("USDC", Decimal("0.92"), 0.001), ("SOL", Decimal("135"), 0.045), ("XRP", Decimal("0.48"), 0.04),
    ("TRX", Decimal("0.11"), 0.03), ("TON", Decimal("5.2"), 0.04), ("LTC", Decimal("65"), 0.035),
    ("USD", Decimal("0.92"), 0.003), ("GBP", Decimal("1.18"), 0.003), ("CHF", Decimal("1.05"), 0.003),
    ("TRY", Decimal("0.027"), 0.004), ("AED", Decimal("0.25"), 0.003), ("PLN", Decimal("0.23"), 0.003),
    ("CZK", Decimal("0.040"), 0.003),
)  # fmt: skip
# (chain, asset) pairs for on-chain movements.
ON_CHAIN = (
    ("bitcoin", "BTC"),
    ("ethereum", "ETH"),
    ("ethereum", "USDT"),
    ("ethereum", "USDC"),
    ("tron", "USDT"),
    ("tron", "TRX"),
    ("solana", "SOL"),
    ("litecoin", "LTC"),
)
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
B32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
Q8 = Decimal("0.00000001")
Q2 = Decimal("0.01")


@dataclass(frozen=True)
class SeedReport:
    """What ``seed`` wrote, and where the planted features are (for demos and tests; not in the registry)."""

    customers: int
    accounts: int
    transactions: int
    logins: int
    prices: int
    as_of: date
    planted_listed: dict[str, str] = field(default_factory=dict)  # customer id -> listed name it resembles
    planted_withdrawals: dict[str, str] = field(default_factory=dict)  # transaction id -> address
    planted_deposits: dict[str, str] = field(default_factory=dict)  # transaction id -> source address


def read_addresses(path: Path) -> list[str]:
    """One address a line; blank lines and ``#`` comments ignored; an address given twice is refused."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidFile(path, f"cannot read: {exc}") from None
    out: list[str] = []
    for n, line in enumerate(lines, start=1):
        addr = line.split("#", 1)[0].strip()
        if not addr:
            continue
        if any(c.isspace() for c in addr) or len(addr) > 128:
            raise InvalidFile(path, f"line {n}: {addr[:40]!r} is not one address")
        if addr in out:
            raise InvalidFile(path, f"line {n}: {addr} given twice")
        out.append(addr)
    return out


def chain_of(address: str) -> tuple[str, str]:
    """The (chain, asset) an address most likely belongs to, from its form alone."""
    a = address
    if a.startswith("0x") and len(a) == 42:
        return "ethereum", "USDT"
    if a.startswith("T") and len(a) == 34:
        return "tron", "USDT"
    if a.startswith(("bc1", "1", "3")) and 26 <= len(a) <= 62:
        return "bitcoin", "BTC"
    if a.startswith(("ltc1", "L", "M")):
        return "litecoin", "LTC"
    if a.startswith("r") and 25 <= len(a) <= 35:
        return "xrp", "XRP"
    if 32 <= len(a) <= 44:
        return "solana", "SOL"
    return "other", "USDT"


def _weighted(pairs: tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], list[float]]:
    total = 0.0
    cum = []
    for _, w in pairs:
        total += w
        cum.append(total)
    return tuple(k for k, _ in pairs), cum


class _Generator:
    def __init__(
        self,
        seed: int,
        n: int,
        as_of: date,
        tx_per_customer: int,
        logins_per_customer: int,
        addresses: list[str],
        listed: tuple[ListedPerson, ...] = LISTED_PERSONS,
        deposit_sources: tuple[str, ...] = (),
    ) -> None:
        self.seed, self.n, self.as_of = seed, n, as_of
        self.listed = listed
        self.tx_per, self.logins_per = tx_per_customer, logins_per_customer
        self.end = datetime.combine(as_of, time(), UTC)
        self.start = self.end - timedelta(days=365)
        self.width = max(7, len(str(n)))
        self.nat_keys, self.nat_cum = _weighted(NATIONALITIES)
        self.est_keys, self.est_cum = _weighted(ESTABLISHED)
        self.prices = self._prices()
        self.planted = self._plant_listed()
        self.address_plants = self._plant_addresses(addresses)
        self.deposit_plants = self._plant_deposits(deposit_sources)

    def cid(self, i: int) -> str:
        return f"C{i:0{self.width}d}"

    def rng(self, i: int) -> random.Random:
        return _Rng((self.seed << 32) | i)

    # -- prices ------------------------------------------------------------------------------------------

    def _prices(self) -> dict[str, list[Decimal]]:
        """EUR price of each asset for each day of the year up to ``as_of`` (index 0 = first day)."""
        rng = _Rng(f"{self.seed}:prices")
        out: dict[str, list[Decimal]] = {}
        for asset, start, vol in ASSETS:
            p = float(start)
            series = []
            for _ in range(366):
                p *= 1.0 + rng.gauss(0.0003, vol)
                series.append(Decimal(repr(round(p, 8 if p < 1 else 6 if p < 100 else 2))))
            out[asset] = series
        return out

    def price_rows(self) -> list[tuple[Any, ...]]:
        first = self.as_of - timedelta(days=365)
        return [
            (asset, first + timedelta(days=d), series[d])
            for asset, series in self.prices.items()
            for d in range(366)
        ]

    # -- plants ------------------------------------------------------------------------------------------

    def _plant_listed(self) -> dict[int, tuple[int, bool]]:
        """Customer index -> (listed person, same date of birth?). Two look-alikes per listed person per
        10,000 customers (at least one pair), spread over the id range."""
        rounds = max(1, self.n // 10_000)
        wanted = [(p, same) for _ in range(rounds) for p in range(len(self.listed)) for same in (True, False)]
        wanted = wanted[: self.n]
        if not wanted:
            return {}
        step = self.n / len(wanted)
        return {int(k * step + step / 2): w for k, w in enumerate(wanted)}

    def _plant_addresses(self, addresses: list[str]) -> dict[int, list[tuple[int, str]]]:
        """Customer index -> [(plant number, address)]: two customers withdraw to each address."""
        out: dict[int, list[tuple[int, str]]] = {}
        if not self.n:
            return out
        rng = _Rng(f"{self.seed}:addresses")
        k = 0
        for addr in addresses:
            for _ in range(2 if self.n > 1 else 1):
                i = rng.randrange(self.n)
                out.setdefault(i, []).append((k, addr))
                k += 1
        return out

    def _plant_deposits(self, sources: tuple[str, ...]) -> dict[int, list[tuple[int, str]]]:
        """Customer index -> [(plant number, address)]: one customer receives a deposit from each address."""
        out: dict[int, list[tuple[int, str]]] = {}
        if not self.n:
            return out
        rng = _Rng(f"{self.seed}:deposits")
        for k, addr in enumerate(sources):
            out.setdefault(rng.randrange(self.n), []).append((k, addr))
        return out

    # -- customers ---------------------------------------------------------------------------------------

    def nationality(self, rng: random.Random) -> str:
        return self.nat_keys[_bisect(self.nat_cum, rng.random() * self.nat_cum[-1])]

    def person_name(self, rng: random.Random, culture: Culture, female: bool) -> tuple[Name, ...]:
        given = rng.choice(culture.female if female else culture.male)
        fam = rng.choice(culture.family)
        fam_native, fam_latin = fam
        if culture.slavic_feminine and female:
            fam_native, fam_latin = _feminine(fam_native), _feminine_latin(fam_native)
        if culture.family_first:
            native = f"{fam_native}{given[0]}"
            latin = f"{fam_latin} {given[1]}"
        else:
            native = f"{given[0]} {fam_native}"
            latin = f"{given[1]} {fam_latin}"
        if culture.script == "Latn":
            return (Name(latin, "Latn", NameKind.PRIMARY),)
        names = [
            Name(latin, "Latn", NameKind.PRIMARY),
            Name(native, culture.script, NameKind.ORIGINAL_SCRIPT),
        ]
        if culture.script == "Cyrl":
            bgn = transliterate(native, BGN)
            if bgn != latin and rng.random() < 0.5:
                names.append(Name(bgn, "Latn", NameKind.ALIAS))
        return tuple(names)

    def customer(
        self, i: int, rng: random.Random, chunk_natural_ru: list[tuple[str, str, str | None]]
    ) -> Customer:
        if i in self.planted:
            return self.listed_lookalike(i, rng)
        created = self.start - timedelta(days=rng.randrange(0, 4 * 365), seconds=rng.randrange(86400))
        updated = created + timedelta(days=rng.randrange(0, 400))
        if updated > self.end:
            updated = self.end - timedelta(seconds=rng.randrange(1, 86400))
        kyc = _pick(
            rng,
            (
                (KycStatus.VERIFIED, 0.9),
                (KycStatus.PENDING, 0.04),
                (KycStatus.EXPIRED, 0.04),
                (KycStatus.REJECTED, 0.02),
            ),
        )
        if rng.random() < 0.07:
            return self.legal_person(i, rng, created, updated, kyc, chunk_natural_ru)
        nat = self.nationality(rng)
        nationalities = [nat]
        if rng.random() < 0.06:
            second = rng.choice(("DE", "CY", "IL", "US", "GB", "LV", "GR", "TR", "AE", "CA", "PL", "ES"))
            if second != nat:
                nationalities.append(second)
        female = rng.random() < 0.45
        culture = CULTURES[CULTURE_OF.get(nat, "en")]
        names = self.person_name(rng, culture, female)
        residence, permits, apps, visas = self.residence(rng, nat, nationalities)
        birth = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
        r = rng.random()
        birth_date = birth.isoformat() if r < 0.9 else birth.isoformat()[:7] if r < 0.95 else str(birth.year)
        contacts = self.contacts(rng, names[0].name, residence)
        return Customer(
            id=self.cid(i),
            type=PersonType.NATURAL,
            names=names,
            nationalities=tuple(sorted(nationalities)),
            residence=residence,
            birth_date=birth_date,
            gender="female" if female else "male",
            residence_permits=permits,
            visas=visas,
            permit_applications=apps,
            contacts=contacts,
            kyc_status=kyc,
            created_at=created,
            updated_at=updated,
        )

    def residence(
        self, rng: random.Random, nat: str, nationalities: list[str]
    ) -> tuple[str, tuple[ResidencePermit, ...], tuple[PermitApplication, ...], tuple[Visa, ...]]:
        permits: list[ResidencePermit] = []
        apps: list[PermitApplication] = []
        visas: list[Visa] = []
        residence = nat
        r = rng.random()
        if nat == "RU":
            residence = self.russian_residence(rng, r, nationalities, permits, apps)
        elif nat in ("UA", "BY") and r < 0.35:
            residence = rng.choice(UA_BY_ABROAD)
            permits.append(self.permit(rng, residence, temporary_only=nat == "UA"))
        elif nat in ("CN", "IR", "TR", "KZ", "UZ", "KG", "TJ", "GE", "AM") and r < 0.2:
            residence = rng.choice(("DE", "NL", "FR", "AT", "GB", "CH", "CY", "IT"))
            permits.append(self.permit(rng, residence))
        elif len(nationalities) > 1 and r < 0.5:
            residence = nationalities[1]
        if rng.random() < 0.05:
            start = self.as_of - timedelta(days=rng.randrange(0, 700))
            visas.append(
                Visa(
                    rng.choice(("US", "GB", "FR", "DE", "IT", "CN", "AE")),
                    rng.choice(("tourist", "business", "student")),
                    start,
                    start + timedelta(days=rng.choice((90, 180, 365, 730, 1825))),
                )
            )
        return residence, tuple(permits), tuple(apps), tuple(visas)

    def russian_residence(
        self,
        rng: random.Random,
        r: float,
        nationalities: list[str],
        permits: list[ResidencePermit],
        apps: list[PermitApplication],
    ) -> str:
        """Where a Russian national lives (``r`` drawn by the caller), with the permits and applications
        that go with it appended to ``permits`` and ``apps``."""
        if r < 0.50:
            residence = "RU"
            if rng.random() < 0.06:  # lives in Russia, holds an EU permit (second home, study, work)
                permits.append(self.permit(rng, rng.choice(RU_ABROAD_EU)))
            if rng.random() < 0.04:
                apps.append(self.application(rng, rng.choice(("FI", "DE", "ES", "PT", "CY"))))
        elif r < 0.72:
            residence = rng.choice(RU_ABROAD_EU)
        elif r < 0.78:
            residence = rng.choice(EEA_CH)
        elif r < 0.86:
            residence = "GB"
        else:
            residence = rng.choice(("AE", "TR", "GE", "AM", "KZ", "RS", "US"))
        if residence != "RU" and residence not in nationalities:
            permits.append(self.permit(rng, residence))
            expired = permits[-1].valid_until is not None and permits[-1].valid_until < self.as_of
            if expired and rng.random() < 0.5:  # renewal filed, decision pending
                apps.append(self.application(rng, residence))
        return residence

    def permit(self, rng: random.Random, country: str, *, temporary_only: bool = False) -> ResidencePermit:
        r = rng.random()
        if r < 0.15 and not temporary_only:
            start = self.as_of - timedelta(days=rng.randrange(400, 3650))
            return ResidencePermit(country, PermitKind.PERMANENT, start, None)
        if r < 0.40:  # expired before as_of
            until = self.as_of - timedelta(days=rng.randrange(1, 700))
            return ResidencePermit(
                country, PermitKind.TEMPORARY, until - timedelta(days=rng.choice((365, 730))), until
            )
        start = self.as_of - timedelta(days=rng.randrange(30, 1400))
        until = self.as_of + timedelta(days=rng.randrange(60, 1500))
        return ResidencePermit(country, PermitKind.TEMPORARY, start, until)

    def application(self, rng: random.Random, country: str) -> PermitApplication:
        return PermitApplication(country, self.as_of - timedelta(days=rng.randrange(5, 300)), "pending")

    def contacts(self, rng: random.Random, latin_name: str, residence: str) -> tuple[Contact, ...]:
        plain = unicodedata.normalize("NFKD", latin_name.lower().replace(" ", ".").replace("ı", "i"))
        local = "".join(ch for ch in plain if ch.isascii() and (ch.isalnum() or ch == "."))
        domain = rng.choice(MAIL.get(residence, ("gmail.com", "outlook.com", "proton.me")))
        email = f"{local or 'user'}{rng.randrange(10, 9999)}@{domain}"
        phone = "+" + CALLING.get(residence, "44") + "".join(str(rng.randrange(10)) for _ in range(9))
        return (Contact("email", email), Contact("phone", phone))

    def listed_lookalike(self, i: int, rng: random.Random) -> Customer:
        person_idx, same_dob = self.planted[i]
        p = self.listed[person_idx]
        primary = rng.choice(p.variants)
        birth = (
            p.birth_date
            if same_dob
            else (date.fromisoformat(p.birth_date) + timedelta(days=rng.randrange(400, 9000))).isoformat()
        )
        residence = rng.choice(("RU", "CY", "AE", "LV", "DE", "CH", "GB", "TR"))
        permits = (self.permit(rng, residence),) if residence != "RU" else ()
        created = self.start - timedelta(days=rng.randrange(0, 900))
        return Customer(
            id=self.cid(i),
            type=PersonType.NATURAL,
            names=(Name(primary, "Latn", NameKind.PRIMARY), Name(p.native, "Cyrl", NameKind.ORIGINAL_SCRIPT)),
            nationalities=("RU",),
            residence=residence,
            birth_date=birth,
            gender="male",
            residence_permits=permits,
            contacts=self.contacts(rng, primary, residence),
            kyc_status=KycStatus.VERIFIED,
            created_at=created,
            updated_at=created,
        )

    def legal_person(
        self,
        i: int,
        rng: random.Random,
        created: datetime,
        updated: datetime,
        kyc: KycStatus,
        chunk_natural_ru: list[tuple[str, str, str | None]],
    ) -> Customer:
        est = self.est_keys[_bisect(self.est_cum, rng.random() * self.est_cum[-1])]
        ru = CULTURES["ru"]
        word_native, word_latin = rng.choice(_FIRM_WORDS)
        names: tuple[Name, ...]
        if est == "RU":
            native = f"ООО «{word_native}»"
            names = (
                Name(f"OOO {transliterate(word_native, ICAO)}", "Latn", NameKind.PRIMARY),
                Name(native, "Cyrl", NameKind.ORIGINAL_SCRIPT),
            )
        elif est == "KZ":
            names = (
                Name(f"TOO {transliterate(word_native, ICAO)}", "Latn", NameKind.PRIMARY),
                Name(f"ТОО «{word_native}»", "Cyrl", NameKind.ORIGINAL_SCRIPT),
            )
        else:
            qualifier = rng.choice(("", " Group", " Trading", " Partners", " International", " Ventures"))
            names = (Name(f"{word_latin}{qualifier} {_FORMS.get(est, 'Ltd')}", "Latn", NameKind.PRIMARY),)
        owners: list[Owner] = []
        remaining = Decimal(1)
        russian_owned = est == "RU" or rng.random() < 0.35
        for k in range(rng.choice((1, 1, 2, 2, 3))):
            share = (
                remaining
                if k == 2
                else (remaining * Decimal(rng.choice((25, 33, 50, 51, 60, 75, 100))) / 100).quantize(Q2)
            )
            if share <= 0:
                break
            remaining -= share
            if russian_owned and k == 0 and chunk_natural_ru and rng.random() < 0.3:
                linked, linked_name, linked_residence = rng.choice(chunk_natural_ru)
                owners.append(
                    Owner(
                        linked_name, PersonType.NATURAL, linked, ("RU",), linked_residence, None, share, True
                    )
                )
                continue
            if russian_owned and k == 0:
                female = rng.random() < 0.3
                nm = self.person_name(rng, ru, female)[0].name
                owners.append(
                    Owner(nm, PersonType.NATURAL, None, ("RU",), "RU", None, share, share > Decimal("0.25"))
                )
            else:
                nat = self.nationality(rng)
                nm = self.person_name(rng, CULTURES[CULTURE_OF.get(nat, "en")], rng.random() < 0.4)[0].name
                owners.append(
                    Owner(nm, PersonType.NATURAL, None, (nat,), nat, None, share, share > Decimal("0.25"))
                )
        contacts = (Contact("email", f"office{i}@{word_latin.lower().replace(' ', '-')}.example"),)
        return Customer(
            id=self.cid(i),
            type=PersonType.LEGAL,
            names=names,
            established=est,
            residence=est,
            owners=tuple(owners),
            contacts=contacts,
            kyc_status=kyc,
            created_at=created,
            updated_at=updated,
        )

    # -- accounts, transactions, logins -------------------------------------------------------------------

    def activity(
        self,
        i: int,
        c: Customer,
        rng: random.Random,
        peers: list[str],
        rows: Rows,
        report: dict[str, dict[str, str]],
    ) -> None:
        cid = c.id
        opened = max(c.created_at or self.start, self.start - timedelta(days=3 * 365))
        products, fiat = self.accounts(c, opened, rng, rows)
        seconds = int((self.end - self.start).total_seconds())
        txs = rows["transactions"]
        self.transactions(i, cid, rng, peers, txs, set(products), fiat, seconds)
        self.planted_movements(i, cid, rng, txs, report, seconds)
        # logins: from the country of residence, sometimes from elsewhere (travel, VPN)
        logins = rows["logins"]
        home = c.residence or c.established or "DE"
        for _ in range(self.logins_per):
            when = self.start + timedelta(seconds=rng.randrange(seconds))
            country = (
                home
                if rng.random() < 0.88
                else rng.choice(("RU", "TR", "AE", "GE", "NL", "US", "DE", "CY", "RS"))
            )
            logins.append((cid, when, _ip(rng, country), country))

    def accounts(
        self, c: Customer, opened: datetime, rng: random.Random, rows: Rows
    ) -> tuple[list[str], str]:
        """The customer's accounts (spot, and other products by chance) and balances; returns the
        products and the customer's fiat currency."""
        cid = c.id
        products = ["spot"]
        for product, p in (
            ("funding", 0.6),
            ("earn", 0.3),
            ("futures", 0.15),
            ("margin", 0.08),
            ("custody", 0.03),
        ):
            if rng.random() < (0.3 if product == "custody" and c.type is PersonType.LEGAL else p):
                products.append(product)
        accounts = rows["accounts"]
        balances = rows["balances"]
        last_prices = {a: s[-1] for a, s in self.prices.items()}
        whale = rng.random() < 0.04
        fiat = FIAT_OF.get(c.residence or "", "EUR")
        for product in products:
            aid = f"{cid}-{product}"
            accounts.append((aid, cid, product, opened + timedelta(hours=rng.randrange(0, 2000)), "open"))
            if product == "funding":
                held = [fiat, "USDT"]
            elif product == "earn":
                held = [rng.choice(("USDT", "USDC", "ETH"))]
            elif product in ("futures", "margin"):
                held = ["USDT"]
            else:
                held = rng.sample(
                    ("BTC", "ETH", "USDT", "USDC", "SOL", "XRP", "TRX", "TON", "LTC"), rng.randint(1, 4)
                )
            for asset in held:
                eur = Decimal(repr(round(10 ** rng.uniform(1, 6.3 if whale else 4.3), 2)))
                price = last_prices.get(asset, Decimal(1))
                amount = (eur / price).quantize(Q8)
                if product == "margin" and asset == "USDT" and rng.random() < 0.3:
                    amount = -(amount / 4).quantize(Q8)  # a margin loan outstanding
                balances.append((aid, asset, amount))
        return products, fiat

    def transactions(
        self,
        i: int,
        cid: str,
        rng: random.Random,
        peers: list[str],
        txs: list[tuple[Any, ...]],
        has: set[str],
        fiat: str,
        seconds: int,
    ) -> None:
        """A year of movements of every kind, in the proportions of a retail exchange."""
        count = int(self.tx_per * rng.choice((0.2, 0.5, 1.0, 1.0, 1.3, 2.0)) + 0.5)
        width = 4
        for j in range(count):
            when = self.start + timedelta(seconds=rng.randrange(seconds))
            day = (when - self.start).days
            r = rng.random()
            tid = f"T{i:0{self.width}d}-{j:0{width}d}"
            eur = Decimal(repr(round(10 ** rng.uniform(1.3, 4.6), 2)))
            if r < 0.40:  # on-chain deposit or withdrawal
                chain, asset = ON_CHAIN[rng.randrange(len(ON_CHAIN))]
                amount = (eur / self.prices[asset][day]).quantize(Q8)
                kind = "deposit" if r < 0.25 else "withdrawal"
                address = _address(rng, chain)
                tx_hash = _tx_hash(rng, chain)
                txs.append(
                    _tx(
                        tid,
                        cid,
                        "spot",
                        kind,
                        when,
                        asset,
                        amount,
                        chain=chain,
                        address=address,
                        tx_hash=tx_hash,
                    )
                )
            elif r < 0.75:
                asset, counter = rng.sample(
                    ("BTC", "ETH", "SOL", "XRP", "TRX", "TON", "LTC", "USDT", "USDC"), 2
                )
                amount = (eur / self.prices[asset][day]).quantize(Q8)
                counter_amount = (eur / self.prices[counter][day]).quantize(Q8)
                txs.append(
                    _tx(
                        tid,
                        cid,
                        "spot",
                        "trade",
                        when,
                        asset,
                        amount,
                        counter=counter,
                        counter_amount=counter_amount,
                    )
                )
            elif r < 0.80 and len(peers) > 1:
                other = rng.choice(peers)
                if other == cid:
                    other = peers[0] if peers[0] != cid else peers[1]
                amount = (eur / self.prices["USDT"][day]).quantize(Q2)
                txs.append(_tx(tid, cid, "spot", "internal_transfer", when, "USDT", amount, peer=other))
            elif r < 0.88 and "earn" in has:
                kind = "earn_subscribe" if r < 0.85 else "earn_redeem"
                amount = (eur / self.prices["USDT"][day]).quantize(Q2)
                txs.append(
                    (tid, cid, f"{cid}-earn", kind, when, "USDT", amount, None, None, None, None, None, None)
                )
            else:
                kind = "fiat_deposit" if rng.random() < 0.6 else "fiat_withdrawal"
                acct = f"{cid}-funding" if "funding" in has else f"{cid}-spot"
                price = self.prices[fiat][day] if fiat in self.prices else Decimal(1)
                amount = (eur / price).quantize(Q2)
                txs.append((tid, cid, acct, kind, when, fiat, amount, None, None, None, None, None, None))

    def planted_movements(
        self,
        i: int,
        cid: str,
        rng: random.Random,
        txs: list[tuple[Any, ...]],
        report: dict[str, dict[str, str]],
        seconds: int,
    ) -> None:
        """The withdrawals to addresses of interest and the deposits from them planted on this customer."""
        for k, addr in self.address_plants.get(i, ()):
            chain, asset = chain_of(addr)
            when = self.start + timedelta(seconds=rng.randrange(seconds))
            day = (when - self.start).days
            eur = Decimal(repr(round(10 ** rng.uniform(2, 4), 2)))
            amount = (eur / self.prices[asset][day]).quantize(Q8)
            tid = f"T{i:0{self.width}d}-P{k:03d}"
            txs.append(
                (
                    tid,
                    cid,
                    f"{cid}-spot",
                    "withdrawal",
                    when,
                    asset,
                    amount,
                    chain,
                    addr,
                    _tx_hash(rng, chain),
                    None,
                    None,
                    None,
                )
            )
            report["withdrawals"][tid] = addr
        for k, addr in self.deposit_plants.get(i, ()):
            chain, asset = chain_of(addr)
            when = self.start + timedelta(seconds=rng.randrange(seconds))
            eur = Decimal(repr(round(10 ** rng.uniform(2, 4), 2)))
            amount = (eur / self.prices[asset][(when - self.start).days]).quantize(Q8)
            tid = f"T{i:0{self.width}d}-D{k:03d}"
            hash_ = _tx_hash(rng, chain)
            txs.append(
                (
                    tid,
                    cid,
                    f"{cid}-spot",
                    "deposit",
                    when,
                    asset,
                    amount,
                    chain,
                    addr,
                    hash_,
                    None,
                    None,
                    None,
                )
            )
            report["deposits"][tid] = addr

    def chunk(self, lo: int, hi: int, report: dict[str, dict[str, str]]) -> Rows:
        customers: list[Customer] = []
        natural_ru: list[tuple[str, str, str | None]] = []
        rngs = []
        for i in range(lo, hi):
            rng = self.rng(i)
            c = self.customer(i, rng, natural_ru)
            if c.type is PersonType.NATURAL and "RU" in c.nationalities and i not in self.planted:
                natural_ru.append((c.id, c.primary_name, c.residence))
            if i in self.planted:
                report["listed"][c.id] = self.listed[self.planted[i][0]].latin
            customers.append(c)
            rngs.append(rng)
        rows: Rows = customer_rows(customers)
        for table in ("accounts", "balances", "transactions", "logins"):
            rows.setdefault(table, [])
        peers = [c.id for c in customers]
        for i, c, rng in zip(range(lo, hi), customers, rngs, strict=True):
            self.activity(i, c, rng, peers, rows, report)
        return rows


_FIRM_WORDS = (
    ("Северная логистика", "Northern Logistics"), ("Балтийский транзит", "Baltic Transit"),
    ("Восток Трейд", "Vostok Trade"), ("Уральские металлы", "Ural Metals"), ("Горизонт", "Horizon Capital"),
    ("Альфа Инвест", "Alpha Invest"), ("Сибирский лес", "Siberian Timber"), ("Технопром", "Technoprom"),
    ("Меридиан", "Meridian Holdings"), ("Каспий Нефть", "Caspian Energy"), ("Полярная звезда", "Polar Star"),
    ("Невский капитал", "Nevsky Capital"),
)  # fmt: skip
_FORMS = {
    "DE": "GmbH",
    "CH": "AG",
    "NL": "B.V.",
    "EE": "OÜ",
    "LV": "SIA",
    "TR": "A.Ş.",
    "US": "LLC",
    "AE": "FZE",
    "CY": "Ltd",
    "GB": "Ltd",
}


class _Rng(random.Random):
    """Mersenne Twister with a float-based ``_randbelow``: several times faster for ``choice``/``randrange``,
    deterministic as ever, and its bias (below 2**-40 for our ranges) does not matter for demo data."""

    def _randbelow(self, n: int) -> int:
        return int(self.random() * n)


def _bisect(cum: list[float], x: float) -> int:
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _pick(rng: random.Random, options: tuple[tuple[Any, float], ...]) -> Any:
    x = rng.random()
    for value, p in options:
        x -= p
        if x < 0:
            return value
    return options[-1][0]


def _feminine(surname: str) -> str:
    for masc, fem in (("ский", "ская"), ("ов", "ова"), ("ев", "ева"), ("ёв", "ёва"), ("ин", "ина")):
        if surname.endswith(masc):
            return surname[: -len(masc)] + fem
    return surname


def _feminine_latin(native_masc: str) -> str:
    return transliterate(_feminine(native_masc), ICAO)


def _address(rng: random.Random, chain: str) -> str:
    if chain == "ethereum":
        return "0x" + rng.getrandbits(160).to_bytes(20, "big").hex()
    if chain == "tron":
        return "T" + "".join(rng.choices(B58, k=33))
    if chain == "bitcoin":
        return "bc1q" + "".join(rng.choices(B32, k=38))
    if chain == "litecoin":
        return "ltc1q" + "".join(rng.choices(B32, k=38))
    return "".join(rng.choices(B58, k=44))


def _tx_hash(rng: random.Random, chain: str) -> str:
    h = rng.getrandbits(256).to_bytes(32, "big").hex()
    return "0x" + h if chain == "ethereum" else h


def _ip(rng: random.Random, country: str) -> str:
    """A synthetic address: the first octet is fixed per country so logins cluster; not real geolocation."""
    first = 11 + (sum(map(ord, country)) * 7) % 200
    if rng.random() < 0.05:
        return f"2a0{first % 10}:{rng.getrandbits(16):x}:{rng.getrandbits(16):x}::{rng.getrandbits(16):x}"
    return f"{first}.{rng.getrandbits(8)}.{rng.getrandbits(8)}.{1 + rng.getrandbits(7)}"


def _tx(
    tid: str,
    cid: str,
    product: str,
    kind: str,
    when: datetime,
    asset: str,
    amount: Decimal,
    *,
    chain: str | None = None,
    address: str | None = None,
    tx_hash: str | None = None,
    counter: str | None = None,
    counter_amount: Decimal | None = None,
    peer: str | None = None,
) -> tuple[Any, ...]:
    """A transactions row: the on-chain fields for deposits and withdrawals, the counter asset for a
    trade, the receiving customer for an internal transfer."""
    return (
        tid,
        cid,
        f"{cid}-{product}",
        kind,
        when,
        asset,
        amount,
        chain,
        address,
        tx_hash,
        counter,
        counter_amount,
        peer,
    )


def _customer_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(metadata.tables["customers"])).scalar_one())


@contextmanager
def _indexes_deferred(store: Store, *, defer: bool) -> Iterator[None]:
    """With ``defer``, the registry's secondary indexes are dropped for the load and built again after it,
    also when it fails or is interrupted."""
    indexes = [idx for table in _REGISTRY_TABLES for idx in metadata.tables[table].indexes]
    if defer:
        with store.connect() as conn:
            for idx in indexes:
                idx.drop(conn, checkfirst=True)
    try:
        yield
    finally:
        if defer:
            # Built once over the loaded rows (a sort), instead of row by row at random places in the B-tree.
            with store.connect() as conn:
                for idx in indexes:
                    idx.create(conn, checkfirst=True)


def _load(
    store: Store,
    args: tuple[Any, ...],
    workers: int,
    totals: dict[str, int],
    report: dict[str, dict[str, str]],
    on_progress: Callable[[int], None] | None,
) -> None:
    """Generate and write the customers chunk by chunk, counting rows into ``totals`` and the planted
    features into ``report``."""
    # One writer thread: chunk k is written (the database works, or sqlite3 runs without the GIL)
    # while chunk k+1 is generated, here or in worker processes.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-writer") as writer:
        pending: Future[int] | None = None
        done = 0
        for hi, rows, part in _generated(args, workers):
            for key in ("customers", "accounts", "transactions", "logins"):
                totals[key] += len(rows.get(key, ()))
            for key in ("listed", "withdrawals", "deposits"):
                report[key].update(part[key])
            if pending is not None:
                pending.result()
                if on_progress:
                    on_progress(done)
            pending = writer.submit(_write_chunk, store, rows)
            done = hi
        if pending is not None:
            pending.result()


def seed(
    store: Store,
    *,
    customers: int,
    seed: int,
    transactions_per_customer: int = 10,
    logins_per_customer: int = 4,
    addresses_of_interest: list[str] | None = None,
    as_of: date = DEFAULT_AS_OF,
    on_progress: Callable[[int], None] | None = None,
    defer_indexes: bool | None = None,
    workers: int | None = None,
    listed_persons: Sequence[ListedPerson] = LISTED_PERSONS,
    deposits_from: Sequence[str] = (),
) -> SeedReport:
    """Write the demo exchange into an empty registry (refused when customers exist).

    Prices go in first, then customers in chunks of ``CHUNK``, each chunk with its accounts, transactions
    and logins in one transaction: an interrupted seed leaves whole customers, never half of one.
    ``defer_indexes`` (default: from ``DEFER_INDEXES_FROM`` customers on) drops the registry's secondary
    indexes for the load and builds them again at the end, also when the load fails or is interrupted.
    ``workers`` processes generate chunks (default: up to 4, one core left free, from ``PARALLEL_FROM``
    customers on); the output does not depend on it, since every customer has its own seeded RNG.
    """
    if customers < 0 or transactions_per_customer < 0 or logins_per_customer < 0:
        raise Refused("counts must not be negative")
    with store.connect() as conn:
        existing = _customer_count(conn)
    if existing:
        raise Refused(f"the registry already has {existing} customers; seed an empty database")
    addresses = list(addresses_of_interest or ())
    args = (
        seed,
        customers,
        as_of,
        transactions_per_customer,
        logins_per_customer,
        addresses,
        tuple(listed_persons),
        tuple(deposits_from),
    )
    if workers is None:
        workers = min(4, (os.cpu_count() or 1) - 1) if customers >= PARALLEL_FROM else 1
    totals = {"customers": 0, "accounts": 0, "transactions": 0, "logins": 0, "prices": 0}
    report: dict[str, dict[str, str]] = {"listed": {}, "withdrawals": {}, "deposits": {}}
    if defer_indexes is None:
        defer_indexes = customers >= DEFER_INDEXES_FROM
    with _indexes_deferred(store, defer=defer_indexes):
        with store.connect() as conn:
            _bulk_settings(conn)
            totals["prices"] = write(conn, {"prices": _Generator(*args).price_rows()})
        _load(store, args, workers, totals, report, on_progress)
        if on_progress:
            on_progress(customers)
    # Planner statistics for what was just bulk-loaded: without them PostgreSQL guesses row counts from
    # an empty table and picks poor plans (a dragnet count took 1.2 s instead of 70 ms on 10M rows), and
    # SQLite's planner has no sqlite_stat1 to choose between indexes.
    with store.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
    return SeedReport(
        customers=totals["customers"],
        accounts=totals["accounts"],
        transactions=totals["transactions"],
        logins=totals["logins"],
        prices=totals["prices"],
        as_of=as_of,
        planted_listed=report["listed"],
        planted_withdrawals=report["withdrawals"],
        planted_deposits=report["deposits"],
    )


Part = dict[str, dict[str, str]]  # planted cases found in one chunk
_WORKER: _Generator | None = None


def _init_worker(args: tuple[Any, ...]) -> None:
    global _WORKER
    _WORKER = _Generator(*args)


def _worker_chunk(lo: int, hi: int) -> tuple[Rows, Part]:
    assert _WORKER is not None
    part: Part = {"listed": {}, "withdrawals": {}, "deposits": {}}
    return dict(_WORKER.chunk(lo, hi, part)), part


def _generated(args: tuple[Any, ...], workers: int) -> Iterator[tuple[int, Rows, Part]]:
    """``(hi, rows, planted)`` for each chunk of customers, in order."""
    customers = args[1]
    ranges = [(lo, min(customers, lo + CHUNK)) for lo in range(0, customers, CHUNK)]
    if workers <= 1:
        gen = _Generator(*args)
        for lo, hi in ranges:
            part: Part = {"listed": {}, "withdrawals": {}, "deposits": {}}
            yield hi, gen.chunk(lo, hi, part), part
        return
    # "spawn": the parent has a writer thread and open database connections, which fork would copy.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(args,)) as pool:
        todo = iter(ranges)
        queue: deque[tuple[int, Future[tuple[Rows, Part]]]] = deque(
            (hi, pool.submit(_worker_chunk, lo, hi)) for lo, hi in itertools.islice(todo, 2 * workers)
        )
        while queue:  # at most 2 * workers chunks in flight: memory stays bounded
            hi, future = queue.popleft()
            following = next(todo, None)
            if following is not None:
                queue.append((following[1], pool.submit(_worker_chunk, *following)))
            rows, part = future.result()
            yield hi, rows, part


def _write_chunk(store: Store, rows: Rows) -> int:
    with store.connect() as conn:
        _bulk_settings(conn)
        return write(conn, rows)


def _bulk_settings(conn: Connection) -> None:
    """Per-transaction settings for bulk loading (the seed is regenerable, so speed beats durability)."""
    if conn.dialect.name == "postgresql":
        # The commit returns before the WAL is flushed; a crash can lose the last chunks, never corrupt.
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
    else:
        # 256 MiB page cache for this connection, so the index B-trees being filled stay in memory.
        conn.exec_driver_sql("PRAGMA cache_size = -262144")
