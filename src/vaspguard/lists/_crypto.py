"""Digital currency addresses: the publisher's currency tag, the chain the address lives on, and checks.

OFAC tags addresses with a *currency* (``Digital Currency Address - XBT``), not a chain. For native coins
the two coincide. Tokens do not: a ``USDT`` or ``USDC`` address is an Ethereum-style (``0x`` + 40 hex), a
Tron-style (``T`` + 33 base58) or, for USDT on the Omni Layer, a bitcoin address (``1``/``3`` + base58),
and the same string can appear under several tags. The chain is
therefore decided from the tag *and* the address shape; an address whose chain cannot be told is kept
with ``chain=None`` rather than guessed.
"""

from __future__ import annotations

import re

# Tag -> chain for native coins (the tag names the chain's own currency).
NATIVE_CHAINS = {
    "XBT": "bitcoin",
    "BTC": "bitcoin",
    "ETH": "ethereum",
    "XMR": "monero",
    "LTC": "litecoin",
    "ZEC": "zcash",
    "DASH": "dash",
    "BTG": "bitcoin-gold",
    "ETC": "ethereum-classic",
    "BSV": "bitcoin-sv",
    "BCH": "bitcoin-cash",
    "XVG": "verge",
    "XRP": "xrp-ledger",
    "TRX": "tron",
    "ARB": "arbitrum",
    "BSC": "bnb-smart-chain",
    "SOL": "solana",
}

# Token tags: the chain follows from the address shape.
TOKEN_TAGS = frozenset({"USDT", "USDC"})

# Every chain name and currency tag the lists use: what a request's chain is checked against.
CHAINS = frozenset(NATIVE_CHAINS) | frozenset(NATIVE_CHAINS.values())

EVM_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
TRON_ADDRESS = re.compile(r"^T[1-9A-HJ-NP-Za-km-z]{33}$")
OMNI_ADDRESS = re.compile(r"^[13][1-9A-HJ-NP-Za-km-z]{25,34}$")
_BASE58 = re.compile(r"^[1-9A-HJ-NP-Za-km-z]+$")
_BECH32 = re.compile(r"^(bc|ltc|tb)1[02-9ac-hj-np-z]{6,87}$", re.IGNORECASE)

# Shortest plausible length of a whole address per chain (used to flag fragments in legacy files).
_MIN_LENGTH = {
    "bitcoin": 26,
    "litecoin": 26,
    "bitcoin-cash": 26,
    "bitcoin-sv": 26,
    "bitcoin-gold": 26,
    "dash": 26,
    "zcash": 35,
    "verge": 26,
    "xrp-ledger": 25,
    "tron": 34,
    "monero": 64,  # 95-character addresses; OFAC has also published a 64-hex value under XMR
    "ethereum": 42,
    "ethereum-classic": 42,
    "arbitrum": 42,
    "bnb-smart-chain": 42,
}


def chain_for(currency: str, address: str) -> str | None:
    """The chain an address published under ``currency`` lives on, or ``None`` when it cannot be told."""
    tag = currency.upper()
    if tag in TOKEN_TAGS:
        if EVM_ADDRESS.match(address):
            return "ethereum"
        if TRON_ADDRESS.match(address):
            return "tron"
        if OMNI_ADDRESS.match(address):
            return "bitcoin"  # USDT issued on the Omni Layer lives in bitcoin addresses
        return None
    return NATIVE_CHAINS.get(tag)


def looks_whole(address: str, chain: str | None) -> bool:
    """Whether ``address`` has the shape of a complete address on ``chain`` (length and alphabet only)."""
    if chain in ("ethereum", "ethereum-classic", "arbitrum", "bnb-smart-chain"):
        return bool(EVM_ADDRESS.match(address))
    if chain == "tron":
        return bool(TRON_ADDRESS.match(address))
    if chain in ("bitcoin", "litecoin") and _BECH32.match(address):
        return len(address) in (42, 43, 62, 63, 64)
    minimum = _MIN_LENGTH.get(chain or "", 20)
    if chain == "bitcoin-cash" and address.lower().startswith(("q", "p", "bitcoincash:")):
        return len(address.split(":")[-1]) >= 42
    return len(address) >= minimum and (chain == "monero" or bool(_BASE58.match(address)) or chain is None)
