"""Child process of the kill -9 test: append batches of 100 forever, printing each committed size."""

from __future__ import annotations

import sys

from vaspguard.audit import AuditLog, Event, SigningKey
from vaspguard.store import open_store


def main() -> None:
    url, skey = sys.argv[1], sys.argv[2]
    log = AuditLog(open_store(url), signer=SigningKey.parse(skey))
    batch = 0
    while True:
        events = [
            Event(
                type="test.crash", actor=f"writer-{batch}-{i}", subjects=(f"batch:{batch}",), payload={"i": i}
            )
            for i in range(100)
        ]
        receipts = log.append_many(events)
        # Printed only after the commit returned: everything up to this size must survive the kill.
        print(receipts[-1].checkpoint.size, flush=True)
        batch += 1


if __name__ == "__main__":
    main()
