"""A broad scope over the demo exchange for the reach tests: every kind of target, a planted listed wallet
and a name written in another script than some of the customers who bear it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.parquet as pq

from vaspguard.demo import FICTIONAL_ADDRESSES
from vaspguard.requests import DateRange, Scope, Target, TargetType


def broad_scope(flat: Path) -> Scope:
    customers = pq.read_table(flat / "customers.parquet", columns=["id", "names", "contacts"]).to_pylist()
    tx = pq.read_table(flat / "transactions.parquet", columns=["account_id", "tx_hash"]).to_pylist()
    cyrillic = next(n["name"] for c in customers for n in c["names"] or () if n["script"] == "Cyrl")
    email = next(x["value"] for c in customers[7:] for x in c["contacts"] or () if x["kind"] == "email")
    tx_hash = next(t["tx_hash"] for t in tx[100:] if t["tx_hash"])
    account = next(t["account_id"] for t in tx[500:] if t["account_id"])
    wallets = FICTIONAL_ADDRESSES
    return Scope(
        (
            Target(TargetType.WALLET_ADDRESS, wallets[0].address),
            Target(TargetType.COUNTERPARTY_ADDRESS, wallets[1].address, "ethereum"),
            Target(TargetType.NAME, cyrillic),
            Target(TargetType.EMAIL, email.upper()),
            Target(TargetType.TX_HASH, tx_hash),
            Target(TargetType.ACCOUNT_ID, account),
            Target(TargetType.CUSTOMER_ID, customers[3]["id"]),
            Target(TargetType.CUSTOMER_ID, "C-NOT-THERE"),
        ),
        (),
        DateRange(date(2026, 3, 1), date(2026, 9, 30)),
    )
