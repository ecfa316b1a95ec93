"""Restrictions (policy) benchmark: decisions per second in-process beside cedarpy, over HTTP (single and
batch, p99), and batch evaluation of the registry on SQLite and PostgreSQL.

    python -m benchmarks bench_policy
    VASPGUARD_BENCH_CUSTOMERS=1000000 python -m benchmarks bench_policy   # the issue's scale

Requests come from the generator of the differential test (tests/policy/test_cedar_differential.py), and the
Cedar figure uses that test's independent Cedar encoding of the EU pack, so both engines answer the same
questions. ``VASPGUARD_BENCH_PG`` names the PostgreSQL server (default the test server); when none answers,
the PostgreSQL figure is skipped with the reason.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CUSTOMERS = int(os.environ.get("VASPGUARD_BENCH_CUSTOMERS", "200000"))
PG = os.environ.get("VASPGUARD_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _cases() -> Any:
    path = ROOT / "tests" / "policy" / "test_cedar_differential.py"
    spec = importlib.util.spec_from_file_location("policy_cases", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s"


def in_process(n: int = 50_000) -> None:
    import cedarpy

    from vaspguard.policy import Engine, builtin_packs, parse_request

    cases = _cases()
    rng = random.Random(42)
    requests = [cases.generate(rng) for _ in range(n)]
    full = Engine(builtin_packs())
    eu = Engine(builtin_packs(["eu-833-2014-art5b"]))
    facts = [parse_request(r) for r in requests]

    def timed(fn: Any) -> tuple[float, float]:
        """Best wall time and best CPU time of this process over three runs (the machine is shared: CPU
        time is what one core spends, wall time what a caller waits)."""
        best, best_cpu = float("inf"), float("inf")
        for _ in range(3):
            t, c = time.perf_counter(), time.process_time()
            fn()
            best = min(best, time.perf_counter() - t)
            best_cpu = min(best_cpu, time.process_time() - c)
        return best, best_cpu

    t_facts = timed(lambda: [full.decide_facts(f) for f in facts])
    t_eu = timed(lambda: [eu.decide_facts(f) for f in facts])
    t_parse = timed(lambda: [full.decide(r) for r in requests])
    contexts = [
        {
            "principal": 'Customer::"c"',
            "action": f'Action::"{r["action"]}"',
            "resource": 'Exchange::"x"',
            "context": cases.context(r),
        }
        for r in requests
    ]
    deny = cedarpy.PolicySet.from_str(cases.DENY_POLICIES)
    review = cedarpy.PolicySet.from_str(cases.REVIEW_POLICIES)
    entities = cedarpy.Entities.from_json_str("[]")

    def cedar() -> None:
        cedarpy.is_authorized_batch(contexts, deny, entities)
        cedarpy.is_authorized_batch(contexts, review, entities)

    t_cedar = timed(cedar)

    def show(label: str, t: tuple[float, float], note: str = "") -> None:
        print(f"  {label:<45}: {_rate(n, t[0]):>10} wall, {_rate(n, t[1]):>10} per CPU-second {note}")

    print(f"in-process, {n:,} generated requests, one thread, best of 3:")
    show("vaspguard, all built-in packs, facts at hand", t_facts)
    show("vaspguard, EU pack only, facts at hand", t_eu)
    show("vaspguard, all packs, JSON-shaped request", t_parse, "(parsing + validation)")
    show("baseline cedarpy, EU encoding, batch API", t_cedar, "(two policy sets: deny, review)")


# -- HTTP ---------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def app_factory() -> Any:
    """The API app for ``uvicorn --factory`` (the database from ``VASPGUARD_DB``), one per worker process."""
    from vaspguard.api import create_app
    from vaspguard.store import open_store

    return create_app(open_store(os.environ["VASPGUARD_DB"]))


def _load(port: int, token: str, bodies: list[bytes], seconds: float, clients: int) -> dict[str, Any]:
    """The load generator, run in its own process so its CPU is not the server's: ``clients`` threads,
    each one keep-alive connection to 127.0.0.1, sending prepared bodies for ``seconds``. Raw HTTP/1.1
    (request bytes built once, responses read by Content-Length) keeps the client's own cost small."""
    head = (
        f"POST /v1/decisions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        "Content-Type: application/json\r\nContent-Length: "
    ).encode()
    wire = [head + str(len(b)).encode() + b"\r\n\r\n" + b for b in bodies]
    latencies: list[float] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(k: int) -> None:
        mine: list[float] = []
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buf = b""
            i = k
            while time.monotonic() < stop:
                t = time.perf_counter()
                sock.sendall(wire[i % len(wire)])
                while b"\r\n\r\n" not in buf:
                    buf += sock.recv(65536)
                header, _, buf = buf.partition(b"\r\n\r\n")
                assert header.startswith(b"HTTP/1.1 200"), header
                length = int(header.lower().split(b"content-length:")[1].split(b"\r\n")[0])
                while len(buf) < length:
                    buf += sock.recv(max(65536, length - len(buf)))
                buf = buf[length:]
                mine.append(time.perf_counter() - t)
                i += clients
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    t0, c0 = time.perf_counter(), time.process_time()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    return {
        "latencies": latencies,
        "wall": time.perf_counter() - t0,
        "client_cpu": time.process_time() - c0,
    }


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children (uvicorn's worker processes)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(_tree_cpu(int(c)) for c in children)


def _server(name: str, command: list[str], env: dict[str, str], cwd: str) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    print(f"  server {name}: {' '.join(command[2:] if command[1] == '-m' else command[-4:])}")
    return server


def http(seconds: float = 8.0, batch_size: int = 1000, clients: int = 4) -> None:
    import httpx

    from vaspguard.api import Role, create_token
    from vaspguard.policy._service import PolicyService
    from vaspguard.store import migrate, open_store

    cases = _cases()
    rng = random.Random(7)
    requests = [cases.generate(rng) for _ in range(5000)]
    singles = [json.dumps(r).encode() for r in requests]
    batches = [
        json.dumps({"requests": requests[j : j + batch_size]}).encode()
        for j in range(0, len(requests), batch_size)
    ]
    with tempfile.TemporaryDirectory(prefix="pol2_") as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        store = open_store(url)
        migrate(store)
        token = create_token(store, name="bench", role=Role.SERVICE)
        env = {**os.environ, "VASPGUARD_DATA_DIR": f"{tmp}/var", "VASPGUARD_DB": url}
        os.environ["VASPGUARD_DATA_DIR"] = env["VASPGUARD_DATA_DIR"]
        # the policy version recorded (and its audit event written) once, before any server process starts
        PolicyService(store, actor="bench").register_version()
        store.dispose()
        py = sys.executable
        setups = {
            "vaspguard serve (1 process, uvicorn defaults: access log on)": [
                py,
                "-c",
                "from vaspguard.cli import main; main()",
                "serve",
                "--port",
                "{port}",
            ],
            "uvicorn --workers 2 --no-access-log (httptools, uvloop)": [
                py,
                "-m",
                "uvicorn",
                "benchmarks.bench_policy:app_factory",
                "--factory",
                "--port",
                "{port}",
                "--workers",
                "2",
                "--no-access-log",
                "--http",
                "httptools",
                "--loop",
                "uvloop",
            ],
        }
        print(
            f"HTTP on loopback ({clients} keep-alive connections from a client process, "
            f"{seconds:.0f} s per phase; load average {os.getloadavg()[0]:.1f} at start):"
        )
        for name, command in setups.items():
            port = _free_port()
            server = _server(name, [c.format(port=port) for c in command], env, str(ROOT))
            try:
                base = f"http://127.0.0.1:{port}"
                deadline = time.monotonic() + 60
                while True:
                    try:
                        if httpx.get(base + "/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        if time.monotonic() > deadline:
                            raise
                        time.sleep(0.2)
                with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as warm:
                    for body in [*singles[:20], batches[0]]:  # every worker builds its engine
                        r = warm.post("/v1/decisions", content=body)
                        assert r.status_code == 200, r.text
                for label, bodies, per_call in (
                    ("single", singles, 1),
                    (f"batch {batch_size}", batches, batch_size),
                ):
                    cpu = _tree_cpu(server.pid)
                    out = _run_client(port, token, bodies, seconds, clients)
                    cpu = _tree_cpu(server.pid) - cpu
                    lat = out["latencies"]
                    n = len(lat) * per_call
                    p99 = statistics.quantiles(lat, n=100)[98] * 1000 if len(lat) >= 2 else lat[0] * 1000
                    print(
                        f"    {label:<11}: {_rate(n, out['wall']):>9} decisions wall, p50 "
                        f"{statistics.median(lat) * 1000:.1f} ms, p99 {p99:.1f} ms per call; server "
                        f"{cpu:.1f} CPU-s = {_rate(n, cpu)} per CPU-second; client "
                        f"{out['client_cpu'] / out['wall']:.0%} of a core"
                    )
            finally:
                server.terminate()
                server.wait(timeout=30)


def _run_client(port: int, token: str, bodies: list[bytes], seconds: float, clients: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile(prefix="pol2_bodies_", suffix=".json") as f:
        f.write(json.dumps([b.decode() for b in bodies]).encode())
        f.flush()
        code = (
            "import json, sys; from benchmarks.bench_policy import _load; "
            f"bodies = [b.encode() for b in json.load(open({f.name!r}))]; "
            f"print(json.dumps(_load({port}, {token!r}, bodies, {seconds}, {clients})))"
        )
        done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


# -- batch evaluation -------------------------------------------------------------------------------


def _populate(store: Any, n: int) -> None:
    """``n`` customers shaped like an EU exchange: ~6 % Russian nationals or residents, some dual nationals,
    permits, pending applications, owned companies, a few in embargoed jurisdictions; holdings for 10 %."""
    from vaspguard.registry import (
        Account,
        Customer,
        Name,
        Owner,
        PermitApplication,
        PermitKind,
        PersonType,
        Price,
        Product,
        Registry,
        ResidencePermit,
    )

    rng = random.Random(1)
    reg = Registry(store)
    reg.add_prices(
        [Price("BTC", date(2022, 1, 1), Decimal("30000")), Price("ETH", date(2022, 1, 1), Decimal("2000"))]
    )
    common = ["DE", "FR", "ES", "IT", "PL", "NL", "UA", "TR", "GB", "US", "KZ", "GE", "AE"]
    opened = datetime(2021, 1, 1, tzinfo=UTC)
    for start in range(0, n, 20_000):
        customers, accounts = [], []
        for i in range(start, min(n, start + 20_000)):
            cid = f"B{i:08d}"
            roll = rng.random()
            if roll < 0.03:
                c = Customer(cid, PersonType.NATURAL, (Name("x"),), ("RU",), "RU")
            elif roll < 0.05:
                permits: tuple[ResidencePermit, ...] = ()
                if rng.random() < 0.5:
                    permits = (
                        ResidencePermit(
                            "DE",
                            PermitKind.TEMPORARY,
                            date(2020, 1, 1),
                            date(2020 + rng.randint(2, 6), 6, 30),
                        ),
                    )
                c = Customer(cid, PersonType.NATURAL, (Name("x"),), ("RU",), "DE", residence_permits=permits)
            elif roll < 0.055:
                c = Customer(cid, PersonType.NATURAL, (Name("x"),), ("DE", "RU"), "RU")
            elif roll < 0.06:
                c = Customer(
                    cid,
                    PersonType.NATURAL,
                    (Name("x"),),
                    ("RU",),
                    "AT",
                    permit_applications=(PermitApplication("AT"),),
                )
            elif roll < 0.065:
                c = Customer(
                    cid,
                    PersonType.LEGAL,
                    (Name("x"),),
                    established=rng.choice(["RU", "CY", "AE"]),
                    owners=(
                        Owner("o", nationalities=("RU",), share=Decimal(rng.choice(["0.3", "0.51", "1"]))),
                    ),
                )
            elif roll < 0.067:
                c = Customer(cid, PersonType.NATURAL, (Name("x"),), ("IR",), rng.choice(["IR", "SY", "CU"]))
            else:
                nat = rng.choice(common)
                c = Customer(
                    cid, PersonType.NATURAL, (Name("x"),), (nat,), rng.choice([nat, nat, "DE", "ES"])
                )
            customers.append(c)
            if rng.random() < 0.1:
                accounts.append(
                    Account(
                        f"A{i:08d}",
                        cid,
                        Product.SPOT,
                        opened,
                        balances={"BTC": Decimal(rng.randint(1, 100)) / 100},
                    )
                )
        with store.connect() as conn:
            reg.add_customers(customers, conn=conn)
            reg.add_accounts(accounts, conn=conn)


def evaluation(n: int = CUSTOMERS) -> None:
    from vaspguard.policy import Engine, builtin_packs
    from vaspguard.policy._evaluate import evaluate
    from vaspguard.store import migrate, open_store

    print(
        f"batch evaluation of {n:,} customers "
        "(fresh database; the first evaluation writes every restricted customer):"
    )
    backends: list[tuple[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        backends.append(("SQLite", lambda: open_store(f"sqlite:///{tmp}/eval.db")))
        pg_db = None
        try:
            import psycopg

            with psycopg.connect(PG, autocommit=True, connect_timeout=3) as admin:
                pg_db = f"vg_bench_policy_{uuid.uuid4().hex[:8]}"
                admin.execute(f'CREATE DATABASE "{pg_db}"')
            base = PG.rsplit("/", 1)[0]
            backends.append(("PostgreSQL", lambda: open_store(f"{base}/{pg_db}")))
        except Exception as exc:
            print(f"  PostgreSQL skipped: {str(exc).splitlines()[0]}")
        try:
            for name, opener in backends:
                store = opener()
                migrate(store)
                t = time.perf_counter()
                _populate(store, n)
                t_pop = time.perf_counter() - t
                engine = Engine(builtin_packs())
                results = []
                for day in (date(2022, 6, 1), date(2023, 6, 1), date(2026, 6, 1)):
                    t, cpu = time.perf_counter(), time.process_time()
                    r = evaluate(store, engine, day)
                    results.append((day, time.perf_counter() - t, time.process_time() - cpu, r))
                print(f"  {name} (loading the registry took {t_pop:.0f} s):")
                for day, secs, cpu, r in results:
                    print(
                        f"    {day}: {secs:5.1f} s wall ({cpu:.1f} s CPU in this process) = "
                        f"{_rate(r.customers, secs)} customers, {len(r.changes):,} changes, "
                        f"{r.profiles:,} distinct profiles"
                    )
                store.dispose()
        finally:
            if pg_db is not None:
                import psycopg

                with psycopg.connect(PG, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)')


def main() -> None:
    in_process()
    http()
    evaluation()


if __name__ == "__main__":
    main()
