"""Snapshots in the database (both backends): atomic imports, activation, diffs, search, addresses."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc
from sqlalchemy import update

from vaspguard.errors import InvalidFile, InvalidRow
from vaspguard.lists import (
    EntityKind,
    Source,
    active_entities,
    active_snapshots,
    diff_snapshots,
    get_entity,
    import_paths,
    list_snapshots,
    listed_addresses,
    search,
)
from vaspguard.lists._tables import SnapshotRow
from vaspguard.store import Store

UN = "lists/un_consolidated_xml/watchman_2026-02-27/consolidated.xml"
UN_2024 = "lists/un_consolidated_xml/deriv_perl-Data-Validate-Sanctions_excerpt/sample_unsc.xml"
SDN_2019 = "lists/ofac_sdn_csv/watchman_2019-01/sdn.csv"
SDN_2021 = "lists/ofac_sdn_csv/watchman_bench_2021-07/sdn.csv"
SDN_2024 = "lists/ofac_sdn_csv/jackdwyer_gitscrape_2024-05-03/sdn.csv"
SDN_XML = "lists/ofac_sdn_xml/deriv_perl-Data-Validate-Sanctions_excerpt/sdn.xml"
FTM = "lists/opensanctions/yente_fixture_t1_eu_fsf_2024-06/entities.ftm.json"
DELTA = "lists/opensanctions/yente_fixture_t1_eu_fsf_2024-06/t2_20240527194702-wnk_entities.delta.json"
UN_SHA256 = "66b392a4090868d2d39161e8d748efd39138377b0e6e60b7921aa67a4f99c8bf"  # MANIFEST.md


def test_import_records_snapshot(store: Store, shared_data: Path) -> None:
    (info,) = import_paths(store, [shared_data / UN])
    assert info.source is Source.UN_SC
    assert info.sha256 == UN_SHA256
    assert info.counts == {"organisation": 273, "person": 730}
    assert info.entity_count == 1003
    assert info.published_at is not None and info.published_at.isoformat().startswith("2026-02-27T00:00:09")
    assert info.active
    assert [s.id for s in active_snapshots(store)] == [info.id]
    entities = list(active_entities(store))
    assert len(entities) == 1003
    assert sum(1 for e in entities if e.kind is EntityKind.PERSON) == 730
    badege = get_entity(store, "un_sc:6907993")
    assert badege.primary_name == "ERIC BADEGE"


def test_identical_reimport_is_not_stored_again(store: Store, shared_data: Path) -> None:
    (first,) = import_paths(store, [shared_data / UN])
    (again,) = import_paths(store, [shared_data / UN])
    assert again.id == first.id
    assert again.note == f"identical to active snapshot {first.id}"
    assert len(list_snapshots(store)) == 1


def test_failed_file_keeps_active_snapshot(store: Store, shared_data: Path, tmp_path: Path) -> None:
    (un,) = import_paths(store, [shared_data / UN])
    data = (shared_data / UN_2024).read_bytes()
    broken = tmp_path / "consolidated.xml"
    broken.write_bytes(data[: len(data) - 200])  # truncated download
    with pytest.raises(InvalidFile, match="malformed XML"):
        # a good OFAC set in the same call is not imported either: all or nothing
        import_paths(store, [shared_data / SDN_2019, broken])
    assert [s.id for s in active_snapshots(store)] == [un.id]
    assert len(list_snapshots(store)) == 1


def test_declared_count_mismatch_refused(store: Store, shared_data: Path) -> None:
    with pytest.raises(InvalidFile, match="declares 8197 records but holds 8"):
        import_paths(store, [shared_data / SDN_XML])
    assert list_snapshots(store) == []


@pytest.mark.slow
def test_bad_row_refused_names_row(store: Store, shared_data: Path, tmp_path: Path) -> None:
    import_paths(store, [shared_data / SDN_2024])
    lines = (shared_data / SDN_2024).read_bytes().split(b"\r\n")
    lines[5] = lines[5].replace(b",", b";", 3)  # row 6 loses three separators
    bad = tmp_path / "sdn.csv"
    bad.write_bytes(b"\r\n".join(lines))
    with pytest.raises(InvalidRow) as err:
        import_paths(store, [bad])
    assert err.value.row == 6
    (active,) = active_snapshots(store)
    assert active.entity_count == 14965


def test_older_publication_is_stored_not_activated(store: Store, shared_data: Path) -> None:
    (new,) = import_paths(store, [shared_data / UN])
    (old,) = import_paths(store, [shared_data / UN_2024])
    assert not old.active
    assert old.note is not None and "not activated" in old.note
    assert [s.id for s in active_snapshots(store)] == [new.id]


def test_one_active_snapshot_per_source_enforced_by_database(store: Store, shared_data: Path) -> None:
    (new,) = import_paths(store, [shared_data / UN])
    (old,) = import_paths(store, [shared_data / UN_2024])
    with pytest.raises(sqlalchemy.exc.IntegrityError), store.connect() as conn:
        conn.execute(update(SnapshotRow).where(SnapshotRow.id == old.id).values(active=True))
    assert [s.id for s in active_snapshots(store)] == [new.id]


def _ent_nums(path: Path) -> set[str]:
    text = path.read_bytes().decode("latin-1").replace("\x1a", "")
    return {row[0] for row in csv.reader(text.splitlines()) if row}


@pytest.mark.slow
def test_diff_2019_to_2021(store: Store, shared_data: Path) -> None:
    (a,) = import_paths(store, [shared_data / SDN_2019])
    (b,) = import_paths(store, [shared_data / SDN_2021])
    diff = diff_snapshots(store, a.id, b.id)
    # Added and removed agree with a plain set difference of the ent_num columns.
    before, after = _ent_nums(shared_data / SDN_2019), _ent_nums(shared_data / SDN_2021)
    assert {r.key for r in diff.added} == {f"ofac_sdn:{n}" for n in after - before}
    assert {r.key for r in diff.removed} == {f"ofac_sdn:{n}" for n in before - after}
    removed = {r.name for r in diff.removed}
    # Delisted on 27 Jan 2019, after the 15 Jan 2019 snapshot.
    assert {"EN+ GROUP PLC", "UNITED COMPANY RUSAL PLC", "JSC EUROSIBENERGO"} <= removed
    added = {r.name for r in diff.added}
    # Designated 2020-2021: Rosneft Trading (Feb 2020, Venezuela), the Lazarus launderers (Mar 2020),
    # SecondEye Solution (Apr 2021, with its bitcoin addresses).
    assert {"ROSNEFT TRADING S.A.", "TIAN, Yinyin", "LI, Jiadong", "SECONDEYE SOLUTION"} <= added
    changed = {c.key: c for c in diff.changed}
    slizhevsky = {f.field: f for f in changed["ofac_sdn:10138"].changes}
    assert slizhevsky["names"].added == ("aka: SLIZHEVSKIY, Oleg",)
    assert slizhevsky["birth_dates"].added == ("16 Aug 1972",)
    assert len(diff.changed) > 500  # remarks and programmes change often; most entities do not
    assert len(diff.changed) < len(before & after) // 4
    assert diff.changed_keys >= {"ofac_sdn:10138", "ofac_sdn:30518", "ofac_sdn:24226"}


def test_diff_refuses_different_sources(store: Store, shared_data: Path) -> None:
    from vaspguard.errors import InvalidRequest

    (un,) = import_paths(store, [shared_data / UN])
    (ftm,) = import_paths(store, [shared_data / FTM])
    with pytest.raises(InvalidRequest, match="not comparable"):
        diff_snapshots(store, un.id, ftm.id)


@pytest.mark.slow
def test_search_active_names(store: Store, shared_data: Path) -> None:
    import_paths(store, [shared_data / SDN_2021, shared_data / UN])
    names = [e.primary_name for e in search(store, "nacional cuba")]
    assert "BANCO NACIONAL DE CUBA" in names
    # aliases and original-script names are searched too, accent-insensitively
    assert "ERIC BADEGE" in [e.primary_name for e in search(store, "badège")]
    assert search(store, "100%") == []  # LIKE wildcards are escaped


@pytest.mark.slow
def test_listed_addresses_by_chain_without_fragments(store: Store, shared_data: Path) -> None:
    import_paths(store, [shared_data / SDN_2024])
    everything = listed_addresses(store, include_fragments=True)
    usable = listed_addresses(store)
    fragments = {a.address for a in everything if a.possibly_truncated}
    assert fragments == {"1Gq", "1B64QRxf", "3", "1B11Ezqg3AXj", "3F6bbvS1krsc1qR8FsbTDfYQyvkMm", "1N6XqS"}
    assert not fragments & {a.address for a in usable}
    eth = listed_addresses(store, chain="ethereum")
    assert eth and all(a.address.startswith("0x") for a in eth)
    usdt = listed_addresses(store, currency="USDT")
    # USDT lives on several chains: Ethereum, Tron and (Omni Layer) bitcoin addresses all occur.
    assert {a.chain for a in usdt} == {"ethereum", "tron", "bitcoin"}
    assert {a.address for a in usdt if a.chain == "bitcoin"} == {"3E6ZCKRrsdPc35chA9Eftp1h3DLW18NFNV"}


def test_opensanctions_delta_applies_to_active(store: Store, shared_data: Path) -> None:
    (base,) = import_paths(store, [shared_data / FTM])
    (after,) = import_paths(store, [shared_data / DELTA])
    assert after.active and not list_snapshots(store)[-1].active
    assert after.entity_count == base.entity_count + 2
    diff = diff_snapshots(store, base.id, after.id)
    assert {r.name for r in diff.added} == {"AL-QAIDA IN IRAQ", "Janan Agha"}


class _FailingAudit:
    def append_many(self, events: list[Any]) -> list[Any]:
        raise RuntimeError("audit log unavailable")

    def events(self, type_prefix: str | None = None, subject: str | None = None) -> list[Any]:
        return []


def test_import_logged_to_audit(store: Store, shared_data: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from vaspguard.audit import AuditLog

    log = AuditLog(store, signer=Ed25519PrivateKey.generate())
    (info,) = import_paths(store, [shared_data / UN], audit=log, actor="alice", actor_role="compliance")
    assert info.active
    (event,) = log.events("lists.import")
    assert f"list-snapshot:{info.id}" in event.subjects
    assert event.payload["sha256"] == UN_SHA256
    assert event.payload["entity_count"] == 1003


@pytest.mark.slow
def test_no_activation_without_audit_record(store: Store, shared_data: Path) -> None:
    (first,) = import_paths(store, [shared_data / SDN_2019])
    with pytest.raises(RuntimeError, match="audit log unavailable"):
        import_paths(store, [shared_data / SDN_2021], audit=_FailingAudit())
    assert [s.id for s in active_snapshots(store)] == [first.id]
    assert [s.id for s in list_snapshots(store)] == [first.id]  # the unlogged snapshot rolled back


@pytest.mark.slow
def test_unchanged_entities_stored_once(store: Store, shared_data: Path) -> None:
    from sqlalchemy import func, select

    from vaspguard.lists._tables import EntityDataRow, EntityRow

    (a,) = import_paths(store, [shared_data / SDN_2019])
    (b,) = import_paths(store, [shared_data / SDN_2021])
    diff = diff_snapshots(store, a.id, b.id)
    with store.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(EntityDataRow)).scalar_one()
        refs = conn.execute(select(func.count()).select_from(EntityRow)).scalar_one()
    assert refs == a.entity_count + b.entity_count
    # the second snapshot added content only for its new and changed entities
    assert stored == a.entity_count + len(diff.added) + len(diff.changed)


def test_delta_without_base_and_unknown_deletes_warned(
    store: Store, shared_data: Path, tmp_path: Path
) -> None:
    from vaspguard.lists import snapshot_warnings

    delta = tmp_path / "entities.delta.json"
    lines = (shared_data / DELTA).read_text(encoding="utf-8").splitlines()
    delta.write_text(
        "\n".join([*lines, '{"op": "DEL", "entity": {"id": "NK-gone"}}']) + "\n", encoding="utf-8"
    )
    (info,) = import_paths(store, [delta])
    assert info.entity_count == 2
    assert snapshot_warnings(store, info.id) == [
        "a delta with no active snapshot to apply it to: its entities alone form the snapshot",
        "1 deleted entities were not in the base snapshot: NK-gone",
    ]
