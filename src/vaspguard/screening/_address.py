"""Wallet screening: exact matching of addresses after per-chain normalisation.

The comparable form of an address (``normalise_address``) follows each format's own case rule:

- EVM (``0x`` + 40 hex: Ethereum, Arbitrum, BNB Smart Chain, Ethereum Classic, USDT/USDC on them): the
  hex is case-insensitive, so the form is lower case. A mixed-case address carries an EIP-55 checksum
  (Keccak-256 of the lower-case hex decides each letter's case); it is verified, and a wrong checksum is
  refused as a mistyped address rather than silently matched or silently missed.
- Bech32/Bech32m (``bc1``, ``ltc1``, ``tb1``) and CashAddr (``bitcoincash:q...``): case-insensitive by the
  standard but never mixed, so the form is lower case and mixed case is refused.
- Base58 (legacy Bitcoin, Litecoin, Tron, XRP, Monero, Zcash, Dash ...): case is part of the value, so the
  form is the address exactly as written (trimmed).

The ``AddressBook`` maps forms to every listing of the address: the same address may be published under
several currency tags (USDT and ETH, say) and by several sources; ``lookup`` returns all of them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from Crypto.Hash import keccak

from vaspguard.errors import InvalidRequest
from vaspguard.lists import ListEntity

if TYPE_CHECKING:
    from vaspguard.store import Store

__all__ = ["AddressBook", "AddressHit", "address_family", "eip55_checksum", "normalise_address"]

_EVM = re.compile(r"^0x[0-9a-fA-F]{40}$")
_BECH32 = re.compile(r"^(bc|ltc|tb|bcrt)1[02-9ac-hj-np-z]{6,87}$", re.IGNORECASE)
_CASHADDR = re.compile(r"^(bitcoincash|bchtest):[qp][02-9ac-hj-np-z]{41}$", re.IGNORECASE)
_BASE58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]{20,110}$")

# Prefixes of the formats whose case carries no meaning (EVM hex, bech32, CashAddr).
_CASE_FREE_PREFIXES = ("0x", "bc1", "ltc1", "tb1", "bcrt1", "bitcoincash:", "bchtest:")

EVM_CHAINS = frozenset(
    {"ethereum", "ethereum-classic", "arbitrum", "bnb-smart-chain", "polygon", "optimism", "base", "evm"}
)


def eip55_checksum(address: str) -> str:
    """The EIP-55 mixed-case form of a ``0x`` address: a hex letter is upper case when the matching nibble
    of Keccak-256(lower-case hex, as ASCII) is 8 or more."""
    hexpart = address[2:].lower()
    digest = keccak.new(data=hexpart.encode("ascii"), digest_bits=256).hexdigest()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(h, 16) >= 8 else c for c, h in zip(hexpart, digest[:40], strict=True)
    )


def address_family(address: str) -> str:
    """``evm``, ``bech32``, ``cashaddr``, ``base58`` or ``other``: which case rule applies."""
    a = address.strip()
    if _EVM.match(a):
        return "evm"
    if _BECH32.match(a):
        return "bech32"
    if _CASHADDR.match(a):
        return "cashaddr"
    if _BASE58.match(a):
        return "base58"
    return "other"


def normalise_address(address: str, chain: str | None = None, *, strict: bool = True) -> str:
    """The comparable form of a wallet address (see the module doc).

    ``chain`` names the chain when known (``ethereum``, ``bitcoin``, ``tron`` ...); an EVM-chain hint on a
    string that is not an EVM address is refused. With ``strict`` (the default, for addresses a user or a
    customer typed) a wrong EIP-55 checksum or mixed-case bech32 raises ``InvalidRequest``; published list
    addresses are read with ``strict=False``.
    """
    a = address.strip()
    if not a:
        raise InvalidRequest("address", "empty address")
    family = address_family(a)
    if chain is not None and chain.lower() in EVM_CHAINS and family != "evm":
        raise InvalidRequest("address", f"{address!r} is not an EVM address (0x and 40 hex digits)")
    if family == "evm":
        body = a[2:]
        if strict and body != body.lower() and body != body.upper() and eip55_checksum(a) != "0x" + body:
            raise InvalidRequest("address", f"{address!r}: EIP-55 checksum does not match (mistyped?)")
        return "0x" + body.lower()
    if family in ("bech32", "cashaddr"):
        if strict and a != a.lower() and a != a.upper():
            raise InvalidRequest("address", f"{address!r}: mixed case is not allowed in bech32/CashAddr")
        return a.lower()
    return a


@dataclass(frozen=True, slots=True)
class AddressHit:
    """One listing of a screened address."""

    address: str  # as published
    normalised: str
    currency: str  # the publisher's tag (XBT, ETH, USDT ...)
    chain: str | None
    entity_key: str
    source: str
    source_id: str
    entity_name: str
    possibly_truncated: bool = False


class AddressBook:
    """Every listed wallet address of the given entities, by normalised form."""

    def __init__(self, entities: Iterable[ListEntity]) -> None:
        self._hits: dict[str, list[AddressHit]] = defaultdict(list)
        for entity in entities:
            for ca in entity.crypto_addresses:
                if ca.possibly_truncated:  # a fragment cut off by a legacy file is no address
                    continue
                form = normalise_address(ca.address, strict=False)
                hit = AddressHit(
                    address=ca.address,
                    normalised=form,
                    currency=ca.currency,
                    chain=ca.chain,
                    entity_key=entity.key,
                    source=entity.source.value,
                    source_id=entity.source_id,
                    entity_name=entity.primary_name,
                    possibly_truncated=ca.possibly_truncated,
                )
                if hit not in self._hits[form]:
                    self._hits[form].append(hit)
        self._hits = dict(self._hits)

    @classmethod
    def from_entities(cls, entities: Iterable[ListEntity]) -> AddressBook:
        return cls(entities)

    @classmethod
    def from_store(cls, store: Store) -> AddressBook:
        from vaspguard.lists import active_entities

        return cls(active_entities(store))

    def __len__(self) -> int:
        return len(self._hits)

    def __contains__(self, address: object) -> bool:
        return isinstance(address, str) and bool(self.lookup(address, strict=False))

    def lookup(self, address: str, chain: str | None = None, *, strict: bool = True) -> list[AddressHit]:
        """Every listing of ``address`` (all currency tags and sources), or ``[]``."""
        return list(self._hits.get(normalise_address(address, chain, strict=strict), ()))

    def screen_many(self, addresses: Sequence[str]) -> dict[int, list[AddressHit]]:
        """Bulk screening: {position in ``addresses``: hits} for the listed ones only. Addresses that do
        not parse (bad checksum, mixed-case bech32) are looked up by their lower-case form, so a mistyped
        but listed address still hits."""
        out: dict[int, list[AddressHit]] = {}
        hits = self._hits
        for i, a in enumerate(addresses):
            a = a.strip()
            low = a.lower()
            form = low if low.startswith(_CASE_FREE_PREFIXES) else a
            found = hits.get(form)
            if found:
                out[i] = list(found)
        return out
