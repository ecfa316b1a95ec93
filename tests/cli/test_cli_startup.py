"""The CLI starts at once (issue 17): importing it, and building its whole help, loads typer and the command
modules only. The web stack, numpy, pyarrow, the database layer and Alembic load inside the commands that
use them. (Start-up times are measured by benchmarks/bench_cli.py, not here.)"""

from __future__ import annotations

import json
import subprocess
import sys

# (pydantic itself is typer's: it converts option values once a subcommand is reached)
HEAVY = (
    "fastapi",
    "starlette",
    "uvicorn",
    "numpy",
    "pyarrow",
    "alembic",
    "sqlalchemy",
    "pydantic_settings",
    "rich",
)

PROBE = """
import json, sys
import typer
import vaspguard.cli
after_import = sorted(m for m in sys.modules)
typer.main.get_command(vaspguard.cli.app).get_help  # the whole command tree, as --help builds it
from vaspguard.cli import run
import contextlib, io
with contextlib.redirect_stdout(io.StringIO()):
    codes = [run(["--help"]), run(["lists", "--help"]), run(["audit", "append", "--help"])]
print(json.dumps({"import": after_import, "help": sorted(sys.modules), "codes": codes}))
"""


def _top(modules: list[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_heavy_modules_stay_out_of_import_and_help() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    seen = json.loads(done.stdout)
    assert seen["codes"] == [0, 0, 0]
    for stage in ("import", "help"):
        loaded = _top(seen[stage]) & set(HEAVY)
        assert not loaded, f"{stage} of vaspguard.cli loads {sorted(loaded)}"


def test_the_probe_would_see_a_heavy_import() -> None:
    """The check itself works: a module that imports the API is seen."""
    probe = "import json, sys; import vaspguard.api; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert {"fastapi", "sqlalchemy"} <= _top(json.loads(done.stdout))
