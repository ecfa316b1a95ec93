"""The offline demo: the fictional sample lists are genuine formats with valid wallets, and one seed gives
every capability something to show, the same way every time."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from Crypto.Hash import keccak
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from vaspguard.audit import AuditLog
from vaspguard.demo import (
    FICTIONAL_ADDRESSES,
    FICTIONAL_PERSONS,
    FOUNDATION_ADDRESSES,
    operator_key,
    sample_list_paths,
    sample_request_paths,
    seed_demo,
)
from vaspguard.errors import InvalidRequest
from vaspguard.lists import EntityKind, NameKind, active_snapshots, read_path
from vaspguard.registry import RecordKind, Registry, export_file
from vaspguard.requests import LawfulRequests, ReasonCode, Tier, load_json, parse_request, public_hex
from vaspguard.screening import list_alerts, normalise_address
from vaspguard.store import Store

CliRunner = Callable[..., tuple[int, str, str]]

# -- independent checksum verifiers (the reference the shipped addresses are held to) --------------------

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def base58check_version(address: str) -> int:
    """The version byte of a valid Base58Check string (raises on a bad checksum or length)."""
    n = 0
    for c in address:
        n = n * 58 + B58.index(c)
    raw = n.to_bytes(25, "big")
    body, check = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(body).digest()).digest()[:4] != check:
        raise ValueError(f"{address}: Base58Check checksum mismatch")
    return body[0]


def bech32_hrp(address: str) -> str:
    """BIP-173: the human-readable part of a valid Bech32 segwit v0 string (raises when invalid)."""
    hrp, _, data = address.rpartition("1")
    values = [BECH32.index(c) for c in data]
    chk = 1
    for v in [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp] + values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i, g in enumerate((0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)):
            chk ^= g if (top >> i) & 1 else 0
    if chk != 1 or values[0] != 0 or len(values) != 1 + 32 + 6:  # v0, 20-byte program, 6 checksum chars
        raise ValueError(f"{address}: not a valid Bech32 v0 P2WPKH address")
    return hrp


def eip55_valid(address: str) -> bool:
    body = address[2:]
    digest = keccak.new(data=body.lower().encode(), digest_bits=256).hexdigest()
    return (
        all(c == (c.upper() if int(h, 16) >= 8 else c.lower()) for c, h in zip(body, digest, strict=False))
        and len(body) == 40
    )


def check(address: str) -> str:
    """The chain an address is valid for, by its checksum (raises when none fits)."""
    if address.startswith("0x"):
        if not eip55_valid(address):
            raise ValueError(f"{address}: EIP-55 checksum mismatch")
        return "ethereum"
    if address.startswith(("bc1", "ltc1")):
        return {"bc": "bitcoin", "ltc": "litecoin"}[bech32_hrp(address)]
    version = base58check_version(address)
    return {0x00: "bitcoin", 0x05: "bitcoin", 0x30: "litecoin", 0x41: "tron"}[version]


TAG_CHAINS = {"XBT": {"bitcoin"}, "ETH": {"ethereum"}, "LTC": {"litecoin"}, "TRX": {"tron"}}
TAG_CHAINS["USDT"] = {"ethereum", "tron"}
ALL_WALLETS = [(a.tag, a.address) for a in FICTIONAL_ADDRESSES] + [
    ({"bitcoin": "XBT", "ethereum": "ETH", "tron": "TRX"}[c], a) for c, a in FOUNDATION_ADDRESSES
]


@pytest.mark.parametrize(("tag", "address"), ALL_WALLETS)
def test_every_fictional_wallet_has_a_valid_checksum(tag: str, address: str) -> None:
    assert check(address) in TAG_CHAINS[tag]
    chain = check(address)
    assert normalise_address(address, chain, strict=True) in (address, address.lower())


def test_the_checksum_verifiers_refuse_a_mistyped_wallet() -> None:
    for _, address in ALL_WALLETS:
        i = len(address) // 2
        swapped = address[:i] + ("2" if address[i] != "2" else "3") + address[i + 1 :]
        with pytest.raises(ValueError):
            check(swapped)
    evm = next(a for _, a in ALL_WALLETS if a.startswith("0x") and a[2:] != a[2:].lower())
    miscased = evm[:2] + evm[2:].swapcase()
    with pytest.raises(InvalidRequest):
        normalise_address(miscased, "ethereum", strict=True)


# -- the sample files ------------------------------------------------------------------------------------


def test_sample_files_are_genuine_formats_read_unchanged() -> None:
    ofac, un, eu = (read_path(p) for p in sample_list_paths())
    assert (ofac.source.value, len(ofac.entities)) == ("ofac_sdn", 10)
    assert (un.source.value, len(un.entities)) == ("un_sc", 5)
    assert (eu.source.value, len(eu.entities)) == ("eu_fsf", 6)
    assert not (ofac.warnings or un.warnings or eu.warnings)
    # The OFAC legacy set as the publisher writes it: CRLF and a closing 0x1A, four files.
    folder = sample_list_paths()[0].parent
    for name in ("sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"):
        data = (folder / name).read_bytes()
        assert data.endswith(b"\r\n\x1a") and b"\n" not in data.replace(b"\r\n", b"")
    # Every entity says it is fictional; names come in several scripts; weak aliases and DOBs are there.
    entities = [*ofac.entities, *un.entities, *eu.entities]
    assert all("FICTIONAL" in (e.remarks or "") for e in entities)
    scripts = {n.script for e in entities for n in e.names if n.script}
    assert {"Latn", "Cyrl", "Arab", "Hani"} <= scripts
    assert sum(n.kind is NameKind.WEAK for e in entities for n in e.names) >= 5
    for e in entities:  # a weak alias is its own name, not a strong one repeated
        weak = {n.name for n in e.names if n.kind is NameKind.WEAK}
        assert not weak & {n.name for n in e.names if n.kind is not NameKind.WEAK}, e.key
    assert {e.kind for e in entities} == {EntityKind.PERSON, EntityKind.ORGANISATION}
    # Every listed wallet is on the OFAC entity it is said to belong to, under its own tag's chain.
    on_list = {(c.address, e.primary_name) for e in ofac.entities for c in e.crypto_addresses}
    assert {(a.address, a.owner) for a in FICTIONAL_ADDRESSES} == on_list


def test_every_fictional_person_is_listed_with_date_of_birth_and_original_script() -> None:
    entities = [e for p in sample_list_paths() for e in read_path(p).entities]
    for person in FICTIONAL_PERSONS:
        found = [e for e in entities if person.native in {n.name for n in e.names}]
        assert found, person.latin
        assert any(b.start.isoformat() == person.birth_date for e in found for b in e.birth_dates if b.start)


# -- the seeded demo -------------------------------------------------------------------------------------


def _seed(store: Store, tmp_path: Path) -> tuple[object, AuditLog]:
    log = AuditLog(store, signer=Ed25519PrivateKey.generate())
    report = seed_demo(
        store,
        customers=150,
        seed=7,
        audit=log,
        keys_dir=tmp_path / "keys",
        transactions_per_customer=2,
        logins_per_customer=1,
    )
    return report, log


def test_demo_gives_every_capability_something(store: Store, tmp_path: Path) -> None:
    report, log = _seed(store, tmp_path)
    # lists: three active snapshots, their imports logged by the demo actor
    assert sorted(s.source.value for s in active_snapshots(store)) == ["eu_fsf", "ofac_sdn", "un_sc"]
    imports = log.events(type_prefix="lists")
    assert len(imports) == 3 and {e.entry.actor for e in imports} == {"demo"}
    # screening: the look-alikes of fictional persons have name alerts, the listed-wallet customers address
    # alerts
    alerts = list_alerts(store, limit=10_000)
    fictional = {p.latin for p in FICTIONAL_PERSONS}
    twins = {cid for cid, name in report.seed.planted_listed.items() if name in fictional}  # type: ignore[attr-defined]
    assert len(twins) == 2 * len(FICTIONAL_PERSONS)
    name_alerted = {a.customer_id for a in alerts if a.kind == "name"}
    same_dob = [
        cid
        for cid in twins
        if Registry(store).get_customer(cid).birth_date in {p.birth_date for p in FICTIONAL_PERSONS}
    ]
    assert same_dob and set(same_dob) <= name_alerted
    hits = report.listed_address_transactions  # type: ignore[attr-defined]
    listed = {a.address for a in FICTIONAL_ADDRESSES}
    assert set(hits.values()) == listed  # every listed wallet is used by some customer
    txs = {
        t.id: t
        for c in {tid.split("-")[0].replace("T", "C") for tid in hits}
        for t in Registry(store).transactions(c)
    }
    assert all(txs[tid].address == addr for tid, addr in hits.items())
    assert {t.kind.value for tid, t in txs.items() if tid in hits} == {"withdrawal", "deposit"}
    address_alerted = {a.customer_id for a in alerts if a.kind == "address"}
    assert {txs[tid].customer_id for tid in hits} <= address_alerted
    # requests: the foundation is protected with its donation wallets; authorities and operators exist
    lawful = LawfulRequests(store, audit=log)
    (party,) = lawful.list_parties()
    assert {a.address for a in party.addresses} == {a for _, a in FOUNDATION_ADDRESSES}
    assert {a.id for a in lawful.list_agencies()} == set(report.authorities)  # type: ignore[attr-defined]
    operators = {o.name: o for o in lawful.list_operators()}
    assert operators["demo-legal"].public_key == public_hex(operator_key(7, "demo-legal"))
    assert (tmp_path / "keys" / "demo-legal.pem").exists()
    assert log.events(type_prefix="requests.protected")
    # the foundation's donors are customers of the exchange
    foundation = {a for _, a in FOUNDATION_ADDRESSES}
    assert foundation <= set(report.seed.planted_withdrawals.values())  # type: ignore[attr-defined]
    # the shipped sample requests: the dragnet on the donors is blocked, the court order is not
    requests = sample_request_paths()
    intake = operator_key(7, "demo-intake")
    dragnet = lawful.file(
        parse_request(load_json(requests["dragnet-foundation-donors"])), intake="demo-intake", key=intake
    )
    assert dragnet.tier is Tier.BLOCKED
    assert {ReasonCode.DRAGNET, ReasonCode.PROTECTED_TARGET, ReasonCode.POLITICAL_OFFENCE} <= dragnet.codes()
    assert dragnet.reach["customers"] >= 1  # the donors are reached, so they are protected
    court = lawful.file(
        parse_request(load_json(requests["police-listed-wallet"])), intake="demo-intake", key=intake
    )
    assert court.tier is Tier.LOW and court.required_approvals == ("legal",)


def _fingerprint(store: Store, out: Path) -> tuple[object, ...]:
    out.mkdir()
    files = []
    for kind in RecordKind:
        export_file(store, kind, out / f"{kind}.jsonl")
        files.append((out / f"{kind}.jsonl").read_bytes())
    alerts = sorted(
        (a.customer_id, a.entity_key, a.kind, a.screened_value, round(a.score, 6))
        for a in list_alerts(store, limit=100_000)
    )
    return tuple(files), tuple(alerts)


@pytest.mark.slow
def test_demo_is_deterministic_for_a_seed(store: Store, second_store: Store, tmp_path: Path) -> None:
    a, _ = _seed(store, tmp_path / "a")
    b, _ = _seed(second_store, tmp_path / "b")
    assert a.listed_address_transactions == b.listed_address_transactions  # type: ignore[attr-defined]
    assert a.alerts == b.alerts > 0  # type: ignore[attr-defined]
    assert _fingerprint(store, tmp_path / "fa") == _fingerprint(second_store, tmp_path / "fb")


def test_demo_cli_offline_and_without_lists(
    store: Store, second_store: Store, cli: CliRunner, _data_dir: Path
) -> None:
    code, out, err = cli("--db", store.url, "demo", "seed", "--customers", "60", "--seed", "2", "--no-token")
    assert code == 0, err
    assert "sample lists (FICTIONAL) imported as snapshots: ofac_sdn" in out
    assert "protected party free-voices-foundation" in out
    assert (_data_dir / "demo-operators" / "demo-legal.pem").exists()
    assert (_data_dir / "audit" / "log.key").exists()
    code, out, err = cli("--db", store.url, "demo", "seed", "--customers", "60", "--if-empty", "--no-token")
    assert code == 0 and "not seeding" in out
    code, out, err = cli(
        "--db", second_store.url, "demo", "seed", "--customers", "20", "--no-lists", "--no-token", "--json"
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["report"]["snapshots"] == []
    assert active_snapshots(second_store) == []
