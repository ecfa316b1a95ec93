"""Wallet screening on the genuine OFAC address lists: every listed address found in every case and
checksum variant, no false hits, and a wrong EIP-55 checksum refused."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from vaspguard.errors import InvalidRequest
from vaspguard.lists import CryptoAddress, EntityKind, ListEntity, ListName, Source
from vaspguard.screening import AddressBook, normalise_address
from vaspguard.screening._address import eip55_checksum

LISTS = "lists/ofac_digital_currency_addresses/chainsentry-ai_fork_lists_2025-06-20"


def published(shared_data: Path) -> list[tuple[str, str]]:
    out = []
    for path in sorted((shared_data / LISTS).glob("sanctioned_addresses_*.txt")):
        tag = path.stem.rsplit("_", 1)[1]
        out += [(tag, line.strip()) for line in path.read_text().splitlines() if line.strip()]
    return out


def book_of(pairs: list[tuple[str, str]]) -> AddressBook:
    entities = [
        ListEntity(
            source=Source.OFAC_SDN,
            source_id=f"{tag}-{i}",
            kind=EntityKind.WALLET,
            names=(ListName(f"wallet {i}"),),
            crypto_addresses=(CryptoAddress(addr, tag),),
        )
        for i, (tag, addr) in enumerate(pairs)
    ]
    return AddressBook.from_entities(entities)


def test_eip55_reference_vectors() -> None:
    # The test vectors of EIP-55 itself.
    for a in (
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ):
        assert eip55_checksum(a.lower()) == a
        assert normalise_address(a) == a.lower()


def test_case_rules_per_format() -> None:
    evm = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    assert normalise_address(evm.lower()) == normalise_address("0x" + evm[2:].upper()) == evm.lower()
    with pytest.raises(InvalidRequest, match="EIP-55"):
        normalise_address("0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")  # one letter's case flipped
    bech = "bc1qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6"
    assert normalise_address(bech.upper()) == bech
    with pytest.raises(InvalidRequest, match="mixed case"):
        normalise_address("bc1Qa5wkgaew2dkv56kfvj49j0av5nml45x9ek9hz6")
    base58 = "1FzWLkAahHooV3kzTgyx6qsswXJ6sCXkSR"
    assert normalise_address(base58) == base58
    assert normalise_address(base58.lower()) != base58  # base58 is case-sensitive
    with pytest.raises(InvalidRequest, match="not an EVM"):
        normalise_address(base58, "ethereum")
    with pytest.raises(InvalidRequest, match="empty"):
        normalise_address("  ")


def test_every_listed_address_found_in_all_variants(shared_data: Path) -> None:
    pairs = published(shared_data)
    assert len(pairs) > 600
    book = book_of(pairs)
    for tag, addr in pairs:
        hits = book.lookup(addr)
        assert any(h.currency == tag for h in hits), addr
        if addr.startswith("0x"):
            assert book.lookup(addr.lower()) == hits
            assert book.lookup("0x" + addr[2:].upper()) == hits
            assert book.lookup(eip55_checksum(addr)) == hits
        elif addr.lower().startswith("bc1"):
            assert book.lookup(addr.upper()) == hits
    # bulk screening finds them all too
    found = book.screen_many([a for _, a in pairs])
    assert len(found) == len(pairs)


def test_same_address_under_several_tags(shared_data: Path) -> None:
    pairs = published(shared_data)
    book = book_of(pairs)
    by_addr: dict[str, set[str]] = {}
    for tag, addr in pairs:
        by_addr.setdefault(normalise_address(addr, strict=False), set()).add(tag)
    multi = {a: tags for a, tags in by_addr.items() if len(tags) > 1}
    assert multi, "the genuine lists carry addresses under several tags"
    for addr, tags in multi.items():
        assert {h.currency for h in book.lookup(addr, strict=False)} == tags


def test_no_false_hits(shared_data: Path) -> None:
    pairs = published(shared_data)
    book = book_of(pairs)
    rng = random.Random(7)
    listed = {normalise_address(a, strict=False) for _, a in pairs}
    probes = []
    for _, addr in pairs:
        # one character changed, keeping the alphabet: a different address
        i = rng.randrange(2 if addr.startswith("0x") else 1, len(addr))
        alphabet = (
            "0123456789abcdef"
            if addr.startswith("0x")
            else "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
        )
        c = rng.choice([ch for ch in alphabet if ch.lower() != addr[i].lower()])
        probes.append(addr[:i] + c + addr[i + 1 :])
    probes = [p for p in probes if normalise_address(p, strict=False) not in listed]
    assert book.screen_many(probes) == {}
    # base58 with its case changed is a different address
    b58 = [a for _, a in pairs if a[0] in "13" and a.swapcase() != a]
    assert b58
    assert book.screen_many([a.swapcase() for a in b58]) == {}
