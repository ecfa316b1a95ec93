"""``vaspguard screen`` end to end on genuine list files (read with --list, and from the registry)."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from vaspguard.registry import Customer, Name, PersonType, Registry, Transaction, TransactionKind
from vaspguard.store import Store

EXCERPT = "lists/ofac_sdn_csv/watchman_excerpt_2025-05/sdn.csv"
WALLET = "bc1qvhnfknw852ephxyc5hm4q520zmvf9maphetc9z"  # KHOROSHEV's, on the SDN list


def test_name_json_and_text(cli, shared_data: Path) -> None:
    sdn = shared_data / EXCERPT
    code, out, err = cli("screen", "name", "Dmitry Yuryevich Khoroshev", "--dob", "1993-04-17",
                         "--nationality", "RU", "--list", sdn, "--json")  # fmt: skip
    assert code == 0, err
    matches = json.loads(out)
    top = matches[0]
    assert top["entity_key"] == "ofac_sdn:48603"
    assert top["alert"] is True
    assert {f["name"] for f in top["breakdown"]["factors"]} == {"dob_exact", "nationality_match"}
    code, out, _ = cli("screen", "name", "Дмитрий Хорошев", "--list", sdn)
    assert code == 0
    assert "ofac_sdn:48603" in out.splitlines()[0]


def test_name_rejects_bad_fields(cli, shared_data: Path) -> None:
    code, _, err = cli("screen", "name", "X", "--dob", "17/04/1993", "--list", shared_data / EXCERPT)
    assert code == 2
    assert "dob" in err and len(err.strip().splitlines()) == 1


def test_batch(cli, shared_data: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "id,name,dob,nationality,country,kind\n"
        "a,Artem Mikhaylovich Lifshits,1992-12-26,RU,,person\n"
        "b,Maria Gonzalez,,,,\n"
        "c,SUEX OTC,,,,organisation\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    code, _, err = cli("screen", "batch", "--input", src, "--output", out, "--list", shared_data / EXCERPT)
    assert code == 0, err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    assert rows[0]["alert"] and rows[0]["matches"][0]["source_id"] == "29702"
    assert not rows[1]["alert"]
    assert rows[2]["alert"] and rows[2]["matches"][0]["source_id"] == "33151"
    assert "breakdown" in rows[0]["matches"][0]


def test_batch_bad_row_leaves_nothing(cli, shared_data: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "1", "name": "Ok Name"}\n{"id": "2", "name": "X", "kind": "ship"}\n')
    out = tmp_path / "out.jsonl"
    code, _, err = cli("screen", "batch", "--input", src, "--output", out, "--list", shared_data / EXCERPT)
    assert code == 2
    assert err.strip() == f"vaspguard: {src}: row 2: field 'kind': 'ship' is not person or organisation"
    assert not out.exists()
    assert list(tmp_path.glob(".vaspguard-*")) == []


def test_batch_workers_same_output_in_input_order(cli, shared_data: Path, tmp_path: Path) -> None:
    names = ["Artem Mikhaylovich Lifshits", "Maria Gonzalez", "SUEX OTC", "Дмитрий Хорошев", "Jane Doe"]
    src = tmp_path / "in.csv"
    src.write_text(
        "id,name\n" + "".join(f"r{i},{names[i % len(names)]}\n" for i in range(40)), encoding="utf-8"
    )
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}.jsonl"
        args = ("--input", src, "--output", out, "--list", shared_data / EXCERPT, "--workers", workers)
        code, _, err = cli("screen", "batch", *args)
        assert code == 0, err
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] == outs[1]
    assert [json.loads(line)["id"] for line in outs[1].splitlines()] == [f"r{i}" for i in range(40)]


def test_batch_workers_bad_row_leaves_nothing(cli, shared_data: Path, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text("".join(f'{{"id": "{i}", "name": "Name {i}"}}\n' for i in range(20))
                   + '{"id": "x", "name": "Bad", "dob": "yesterday"}\n')  # fmt: skip
    out = tmp_path / "out.jsonl"
    args = ("--input", src, "--output", out, "--list", shared_data / EXCERPT, "--workers", "2")
    code, _, err = cli("screen", "batch", *args)
    assert code == 2
    assert err.startswith(f"vaspguard: {src}: row 21: field 'dob': ")
    assert not out.exists()


def test_pairs(cli, shared_data: Path, tmp_path: Path) -> None:
    text = (shared_data / "lists/name_matching/watchman_cross_script_pairs.csv").read_text()
    rows = [r for r in text.splitlines() if r and not r.startswith("#")]
    src = tmp_path / "pairs.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name1", "name2", "kind"])
        for q, expected, *_ in csv.reader(rows):
            w.writerow([q, expected, ""])
        w.writerow(["George Bush", "HABBASH, George", ""])
        # an agreeing legal form decides this one (0.9 x 0.87 = 0.78, + 0.02)
        w.writerow(["Nevskiy OOO", "NEVSKIY NEWS LLC", "organisation"])
        w.writerow(["Nevskiy", "NEVSKIY NEWS LLC", "organisation"])
    out = tmp_path / "scores.csv"
    code, _, err = cli("screen", "pairs", "--input", src, "--output", out)
    assert code == 0, err
    with out.open(encoding="utf-8") as fh:
        result = list(csv.DictReader(fh))
    assert len(result) == len(rows) + 3
    by_pair = {(r["name1"], r["name2"]): r for r in result}
    assert by_pair[("Nevskiy OOO", "NEVSKIY NEWS LLC")]["match"] == "True"
    assert by_pair[("Nevskiy", "NEVSKIY NEWS LLC")]["match"] == "False"
    assert (
        by_pair[("Nevskiy OOO", "NEVSKIY NEWS LLC")]["score"]
        == by_pair[("Nevskiy", "NEVSKIY NEWS LLC")]["score"]
    )
    assert by_pair[("Владимир Путин", "Vladimir Putin")]["match"] == "True"
    assert by_pair[("محمد علي", "Mohamed Ali")]["match"] == "True"
    assert by_pair[("George Bush", "HABBASH, George")]["match"] == "False"
    assert all(0 <= float(r["score"]) <= 1 for r in result)


def test_address(cli, shared_data: Path) -> None:
    sdn = shared_data / EXCERPT
    code, out, _ = cli("screen", "address", "BC1QVHNFKNW852EPHXYC5HM4Q520ZMVF9MAPHETC9Z", "--list", sdn)
    assert code == 1
    assert "ofac_sdn:48603" in out
    code, out, _ = cli("screen", "address", "12udabs2TkX7NXCSj6KpqXfakjE52ZPLhz".lower(), "--list", sdn)
    assert code == 0 and out.strip() == "not listed"
    code, _, err = cli("screen", "address", "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "--list", sdn)
    assert code == 2 and "EIP-55" in err


def test_customers_alerts_decide(cli, store: Store, shared_data: Path) -> None:
    reg = Registry(store)
    reg.add_customers(
        [
            Customer("K1", PersonType.NATURAL, (Name("Artem Lifshits"),), ("RU",), birth_date="1992-12-26"),
            Customer("K2", PersonType.NATURAL, (Name("Jane Doe"),), ("GB",)),
        ]
    )
    reg.add_transactions(
        [
            Transaction("T9", "K2", TransactionKind.DEPOSIT, datetime(2025, 3, 1, tzinfo=UTC), "BTC",
                        Decimal("0.1"), chain="bitcoin", address=WALLET),
        ]
    )  # fmt: skip
    sdn = shared_data / EXCERPT
    code, out, err = cli("--db", store.url, "screen", "customers", "--list", sdn, "--json")
    assert code == 0, err
    assert json.loads(out)["alerts_created"] == 2
    code, out, _ = cli("--db", store.url, "screen", "alerts", "--status", "open", "--json")
    alerts = {a["customer_id"]: a for a in json.loads(out)}
    assert alerts["K1"]["kind"] == "name" and alerts["K2"]["kind"] == "address"
    code, _, err = cli("--db", store.url, "screen", "decide", str(alerts["K1"]["id"]),
                       "--decision", "false_positive", "--reason", " ", "--actor", "ana")  # fmt: skip
    assert code == 2 and "reason" in err


def test_batch_lone_surrogate_is_a_bad_row(cli, shared_data: Path, tmp_path: Path) -> None:
    # a JSON escape can spell a lone surrogate, which the UTF-8 output cannot hold: a bad row, not a crash
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "1", "name": "Ok Name"}\n{"id": "2", "name": "Ab\\ud800e"}\n')
    out = tmp_path / "out.jsonl"
    code, _, err = cli("screen", "batch", "--input", src, "--output", out, "--list", shared_data / EXCERPT)
    assert code == 2
    assert err.strip() == f"vaspguard: {src}: row 2: field 'name': not valid Unicode: a lone surrogate"
    assert not out.exists()


def test_threshold_and_profile_options(cli, shared_data: Path, tmp_path: Path) -> None:
    sdn = shared_data / EXCERPT
    src = tmp_path / "pairs.csv"
    src.write_text("name1,name2,kind\nSergey Lavrob,Sergey Lavrov,person\n", encoding="utf-8")
    out = tmp_path / "scores.csv"
    matches = {}
    for profile in ("strict", "balanced", "broad"):
        code, _, err = cli("screen", "pairs", "--input", src, "--output", out, "--profile", profile)
        assert code == 0, err
        with out.open(encoding="utf-8") as fh:
            matches[profile] = next(csv.DictReader(fh))["match"]
    assert matches == {"strict": "False", "balanced": "True", "broad": "True"}
    code, out_text, _ = cli(
        "screen", "name", "Artem Lifshits", "--list", sdn, "--threshold", "0.99", "--json"
    )
    assert code == 0 and json.loads(out_text)[0]["alert"] is False
    code, _, err = cli("screen", "name", "Artem Lifshits", "--list", sdn, "--profile", "lax")
    assert code == 2 and err.strip() == "vaspguard: field 'profile': 'lax' is not strict, balanced, broad"
    code, _, err = cli("screen", "batch", "--input", src, "--output", out, "--list", sdn, "--threshold", "2")
    assert code == 2 and "threshold" in err and len(err.strip().splitlines()) == 1


def test_customers_threshold_and_a_changed_threshold_screens_everyone(
    cli, store: Store, shared_data: Path
) -> None:
    from vaspguard.lists import import_paths

    import_paths(store, [shared_data / EXCERPT])
    Registry(store).add_customers([Customer("K1", PersonType.NATURAL, (Name("Artem Lifshits"),), ("RU",))])
    code, out, err = cli("--db", store.url, "screen", "customers", "--profile", "strict", "--json")
    assert code == 0, err
    assert json.loads(out)["kind"] == "full"
    again = json.loads(cli("--db", store.url, "screen", "customers", "--profile", "strict", "--json")[1])
    assert again["kind"] == "incremental"
    # another threshold: the last run is no baseline, everything is screened again
    other = json.loads(cli("--db", store.url, "screen", "customers", "--threshold", "0.7", "--json")[1])
    assert other["kind"] == "full"
