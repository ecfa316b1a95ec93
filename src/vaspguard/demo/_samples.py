"""The fictional sample sanctions lists shipped for the offline demo, and who is on them.

Every person, organisation, address and wallet here is INVENTED for the demo: no real person or body is
meant, and a resemblance to one is a coincidence. The files under ``demo/lists/`` are in the publishers'
genuine formats (OFAC legacy CSV set, UN Security Council consolidated XML, EU Financial Sanctions File
XML) so that ``vaspguard.lists`` reads them unchanged; the wallet addresses carry valid checksums for their
chains (Base58Check, Bech32, EIP-55), so they pass the same checks real ones do (independent verifiers in
``tests/demo/test_offline.py`` check each one).
``FICTIONAL_PERSONS`` is what the demo plants look-alike customers for; ``FICTIONAL_ADDRESSES`` the listed
wallets it plants withdrawals and deposits to; ``FOUNDATION`` an invented opposition foundation whose
donation wallets the demo registers as protected (a lawful-request dragnet on its donors is refused);
``sample_request_paths`` two fictional requests to file against the seeded demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from vaspguard.demo._names import ListedPerson

# fmt: off
FICTIONAL_PERSONS: tuple[ListedPerson, ...] = (
    ListedPerson(
        "Radomir Tikhonovich Volkovsky", "Радомир Тихонович Волковский", "1971-03-14",
        ("Radomir Volkovskiy", "Radomir Wolkowski", "Radomir Volkovskii"),
    ),
    ListedPerson(
        "Milena Arkadyevna Zarechnaya", "Милена Аркадьевна Заречная", "1984-07-02",
        ("Milena Zarechnaia", "Milena Zaretchnaya", "Milena Zarechnaja"),
    ),
    ListedPerson(
        "Stanislav Yurievich Orlovets", "Станислав Юрьевич Орловец", "1975-09-09",
        ("Stanislav Orlovets", "Stanislaw Orlowez", "Stanislav Orlovec"),
    ),
    ListedPerson(
        "Timur Alibekovich Nazarbekov", "Тимур Алибекович Назарбеков", "1988-02-17",
        ("Timur Nazarbekov", "Temur Nazarbekov", "Timour Nazarbekov"),
    ),
    ListedPerson(
        "Sergei Pavlovich Korshunov", "Сергей Павлович Коршунов", "1963-10-30",
        ("Sergey Korshunov", "Sergej Korschunow", "Serguei Korchounov"),
    ),
    ListedPerson(
        "Alena Viktorovna Petrashko", "Алена Викторовна Петрашко", "1990-12-01",
        ("Alena Petrashko", "Alyona Petrashka", "Aliona Petrashko"),
    ),
)
# fmt: on


@dataclass(frozen=True, slots=True)
class SampleAddress:
    """A fictional listed wallet: the OFAC currency tag, the address, and the listed name it belongs to."""

    tag: str
    address: str
    owner: str


# fmt: off
FICTIONAL_ADDRESSES: tuple[SampleAddress, ...] = (
    SampleAddress("XBT", "bc1qmlrjpj5wwhcwg4e8p55xujhmay6wh9vjhy6g4n", "VOLKOVSKY, Radomir Tikhonovich"),
    SampleAddress("ETH", "0xAF308AC717bC8307db17E84CA63d2FF08D30069c", "VOLKOVSKY, Radomir Tikhonovich"),
    SampleAddress("USDT", "TM6i4EiZSzRdV4Mj8CeQxAohGCQg6SMRfV", "VOLKOVSKY, Radomir Tikhonovich"),
    SampleAddress("XBT", "13F62iSFpJLW2mnJnxLjmXNTs84eG31wn7", "ZARECHNAYA, Milena Arkadyevna"),
    SampleAddress("TRX", "TFKiJDpeQue6WVoBk4C2BK24oWuJ64NAok", "ZARECHNAYA, Milena Arkadyevna"),
    SampleAddress("ETH", "0xa66592F052CD09B678b6bffa744710498c2d1b83", "ORLOVETS, Stanislav Yurievich"),
    SampleAddress("LTC", "LRMCfpyo2uqfjp8imMounPt4UiQsY6E5mK", "ORLOVETS, Stanislav Yurievich"),
    SampleAddress("XBT", "39EmtyB6YJ3fHBqq8dt8wu1EGHEWNvgiMA", "NAZARBEKOV, Timur Alibekovich"),
    SampleAddress("USDT", "0x34AD373A11c7360954f9C8Cc875f9F9ca156fa05", "NAZARBEKOV, Timur Alibekovich"),
    SampleAddress("XBT", "bc1qqdfp0envdk87lazw5k5kde7g247al4e48wgdg8", "KHALDOUN, Tariq Samir"),
    SampleAddress("XBT", "1FnVfgaNcfaSCoz16wnjKiHZU94xWLhdVu", "LIU, Haozhen"),
    SampleAddress("ETH", "0x1813129C22a2D85E2BBd06ad63775e9F27D39366", "LIU, Haozhen"),
    SampleAddress("ETH", "0xce6c2a1178d2Ca84f0A2d041e95A78926B7bF744", "KARIMZADEH, Farhad"),
    SampleAddress("XBT", "bc1qchqn9llgvc2rgetlzscksu906750h36pxxv5ac", "NORTHWIND LEDGER EXCHANGE LTD"),
    SampleAddress("XBT", "39nkeaqzJDjf5xXc5AVqkkGNppGNHPrHUK", "NORTHWIND LEDGER EXCHANGE LTD"),
    SampleAddress("ETH", "0xf5db5949576ec0e231527f2521147569645CD3Ed", "NORTHWIND LEDGER EXCHANGE LTD"),
    SampleAddress("USDT", "TDNitj5D8WtamDwuFbb4xW6JFTzBrz5cTk", "NORTHWIND LEDGER EXCHANGE LTD"),
    SampleAddress("LTC", "ltc1q7nz38pfjvx24dc0usc308kd49rqw0jz5dk2579", "NORTHWIND LEDGER EXCHANGE LTD"),
    SampleAddress("XBT", "bc1qhrpnu26q89sgs4uf8dzr83fke5ltz8xqv9ayah", "GREY HARBOUR MIXING SERVICE"),
    SampleAddress("XBT", "bc1qzhjz32dwmzw9qdvv3e3zed7vqgwfcgrhms0qqn", "GREY HARBOUR MIXING SERVICE"),
    SampleAddress("ETH", "0xbA1a24bFEdBC0fcbfF906a5eed45AC84a5653e06", "TUMANNY KRAI TRADING LLC"),
)
# fmt: on

FOUNDATION_NAME = "Free Voices Civic Foundation"
FOUNDATION_ADDRESSES: tuple[tuple[str, str], ...] = (  # (chain, donation address)
    ("bitcoin", "bc1qpd6m3nd936j39yhtdfz5ep9z2fwrylkr092ner"),
    ("ethereum", "0x340944C850C8D3e97FF9491718333A5e05A3B82B"),
    ("tron", "TC6TLQJSXX2nuDDtCdmPVYUyn3NKiGi1Tk"),
)


def sample_request_paths() -> dict[str, Path]:
    """Fictional lawful requests to file against a seeded demo (``vaspguard requests new --file``): a
    security service's dragnet on the foundation's donors (blocked) and a court-ordered request about a
    listed wallet (low tier)."""
    root = Path(str(resources.files("vaspguard.demo") / "requests"))
    return {p.stem: p for p in sorted(root.glob("*.json"))}


def sample_list_paths() -> list[Path]:
    """The shipped sample files, in import order (OFAC's primary file finds its companions itself)."""
    root = Path(str(resources.files("vaspguard.demo") / "lists"))
    return [root / "ofac" / "sdn.csv", root / "un" / "consolidated.xml", root / "eu" / "fsf.xml"]
