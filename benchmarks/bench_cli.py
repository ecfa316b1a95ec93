"""CLI start-up: how long a user waits for ``vaspguard --help``, ``lists show`` and ``audit append`` on
SQLite, beside the baseline ``python -c pass`` measured in the same run (issue 17 targets: --help <= 0.4 s,
the two commands <= 0.8 s).

Each command runs as a fresh process (what a shell script or a user pays), ``BENCH_CLI_RUNS`` times
(default 9); the median is reported, with the best and worst. The database is a migrated SQLite file in a
temporary folder with an empty list store and an audit log that grows by one entry a run.

Python byte-compiles modules on first import and caches the result in ``__pycache__``; where
``PYTHONDONTWRITEBYTECODE`` is set (containers, CI runners) nothing is cached and every start compiles every
module again. ``make install`` byte-compiles the environment and the package for that reason; this
benchmark compiles ``src`` too, so it measures what an installed vaspguard costs.
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = int(os.environ.get("BENCH_CLI_RUNS", "9"))
_SCRIPT = Path(sys.executable).with_name("vaspguard")  # the installed entry point, as a user runs it
VASPGUARD = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "vaspguard.cli"]
TARGETS = {"--help": 0.4, "lists show": 0.8, "audit append": 0.8}


def _time(argv: list[str], env: dict[str, str], cwd: Path) -> list[float]:
    out = []
    for _ in range(RUNS):
        t = time.perf_counter()
        done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, check=False)
        out.append(time.perf_counter() - t)
        if done.returncode != 0:
            raise SystemExit(f"bench_cli: {' '.join(argv)} failed: {done.stderr.decode()[:300]}")
    return out


def _row(label: str, seconds: list[float], baseline: float, target: float | None) -> str:
    median = statistics.median(seconds)
    goal = f"target <= {target:.1f} s, {'met' if median <= target else 'MISSED'}" if target else "baseline"
    return (
        f"{label:<34} median {median:5.2f} s  (best {min(seconds):.2f}, worst {max(seconds):.2f}); "
        f"{median - baseline:+.2f} s over python -c pass; {goal}"
    )


def main() -> None:
    src = Path(__file__).resolve().parents[1] / "src"
    compileall.compile_dir(src, quiet=1, workers=0)
    with tempfile.TemporaryDirectory(prefix="vaspguard-bench-cli-") as tmp:
        cwd = Path(tmp)
        env = {**os.environ, "VASPGUARD_DB": f"sqlite:///{cwd / 'bench.db'}", "VASPGUARD_DATA_DIR": str(cwd)}
        subprocess.run([*VASPGUARD, "db", "migrate"], env=env, cwd=cwd, check=True, capture_output=True)
        subprocess.run(  # the first append creates the log's key
            [*VASPGUARD, "audit", "append", "-m", "bench", "--actor", "bench"],
            env=env,
            cwd=cwd,
            check=True,
            capture_output=True,
        )
        base = _time([sys.executable, "-c", "pass"], env, cwd)
        baseline = statistics.median(base)
        rows = [
            ("python -c pass", base, None),
            ("vaspguard --help", _time([*VASPGUARD, "--help"], env, cwd), TARGETS["--help"]),
            ("vaspguard lists show", _time([*VASPGUARD, "lists", "show"], env, cwd), TARGETS["lists show"]),
            (
                "vaspguard audit append (SQLite)",
                _time([*VASPGUARD, "audit", "append", "-m", "note", "--actor", "bench"], env, cwd),
                TARGETS["audit append"],
            ),
            (
                "python -c 'import vaspguard.cli'",
                _time([sys.executable, "-c", "import vaspguard.cli"], env, cwd),
                None,
            ),
        ]
    print(
        f"CLI start-up, {RUNS} fresh processes each, "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    for label, seconds, target in rows:
        print(_row(label, seconds, baseline, target))


if __name__ == "__main__":
    main()
