"""End to end through the lists store: import a genuine OFAC excerpt, screen the registry, decide, import a
changed snapshot of the same list, and rescreen only what the diff touched (CLI and library)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from vaspguard.lists import import_paths
from vaspguard.registry import Customer, Name, PersonType, Registry
from vaspguard.screening import AddressBook, Screener, list_alerts
from vaspguard.store import Store

EXCERPT = "lists/ofac_sdn_csv/watchman_excerpt_2025-05"


def test_import_screen_and_rescreen_the_diff(cli, store: Store, shared_data: Path, tmp_path: Path) -> None:
    src = shared_data / EXCERPT
    v1 = tmp_path / "v1"
    shutil.copytree(src, v1)
    import_paths(store, [v1 / "sdn.csv"])
    screener = Screener.from_store(store)
    assert len(screener) == 17 and screener.snapshots["ofac_sdn"] > 0
    assert AddressBook.from_entities(screener.entities).lookup("bc1qvhnfknw852ephxyc5hm4q520zmvf9maphetc9z")

    Registry(store).add_customers(
        [
            Customer("P1", PersonType.NATURAL, (Name("Artem Lifshits"),), ("RU",)),
            Customer("P2", PersonType.NATURAL, (Name("Daniela Moreno Ruiz"),), ("CO",), birth_date="1985"),
            Customer("P3", PersonType.NATURAL, (Name("Greta Lindqvist"),), ("SE",)),
        ]
    )
    code, out, err = cli("--db", store.url, "screen", "customers", "--json")
    assert code == 0, err
    first = json.loads(out)
    assert first["kind"] == "full"
    # P2 resembles MORENO, Daniel (an extra name part, a contradicting date of birth): below the line
    assert {a.customer_id for a in list_alerts(store)} == {"P1"}
    snapshot_v1 = list_alerts(store)[0].snapshot_id

    # The next publication adds an alias to one entity ("GRETA LINDQVIST" for LOGAN MOREY, ent 10278).
    v2 = tmp_path / "v2"
    shutil.copytree(src, v2)
    alt = (v2 / "alt.csv").read_bytes()
    (v2 / "alt.csv").write_bytes(alt + b'10278,99999,"aka","LINDQVIST, Greta",-0- \r\n')
    import_paths(store, [v2 / "sdn.csv"])
    code, out, err = cli("--db", store.url, "screen", "customers", "--json")
    assert code == 0, err
    second = json.loads(out)
    assert second["kind"] == "incremental"
    assert second["entities_screened"] == 1  # only the changed entity, against every customer
    assert second["alerts_created"] == 1
    new = [a for a in list_alerts(store) if a.customer_id == "P3"]
    assert len(new) == 1 and new[0].entity_key == "ofac_sdn:10278"
    assert new[0].snapshot_id != snapshot_v1

    # nothing changed: an incremental run that screens nothing new
    code, out, _ = cli("--db", store.url, "screen", "customers", "--json")
    assert json.loads(out)["alerts_created"] == 0
