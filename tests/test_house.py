"""House rules that keep vaspguard easy to change (issue 17), checked on the source itself.

- Capabilities meet through each other's public face (the package ``__init__`` and its ``__all__``), never
  through another package's ``_private`` modules.
- No function is longer than 80 lines.

Both lists of exceptions below are what was left when the rules came in. They only shrink: a test fails
when an entry no longer breaks its rule (delete it), and when something new breaks one.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "vaspguard"
MAX_LINES = 80

LONG_FUNCTIONS: set[str] = set()  # none left: a function over 80 lines is split

# Cross-package imports of private modules (none left: each package is reached through its __init__).
PRIVATE_IMPORTS: set[str] = set()


def _modules(root: Path) -> list[tuple[Path, ast.Module]]:
    return [
        (path.relative_to(root), ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(root.rglob("*.py"))
        if "migrations" not in path.parts
    ]


def long_functions(root: Path = SRC) -> set[str]:
    return {
        f"{rel.as_posix()}::{node.name}"
        for rel, tree in _modules(root)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_LINES
    }


def private_imports(root: Path = SRC) -> set[str]:
    found = set()
    for rel, tree in _modules(root):
        package = rel.parts[0] if len(rel.parts) > 1 else None
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if (
                    parts[0] == "vaspguard"
                    and len(parts) >= 3
                    and parts[1] != package
                    and any(p.startswith("_") for p in parts[2:])
                ):
                    found.add(f"{rel.as_posix()} -> {name}")
    return found


def test_no_function_is_longer_than_80_lines() -> None:
    found = long_functions()
    assert found - LONG_FUNCTIONS == set(), "split these functions (at most 80 lines each)"
    assert LONG_FUNCTIONS - found == set(), "these are short now: remove them from LONG_FUNCTIONS"


def test_capabilities_meet_through_public_faces() -> None:
    found = private_imports()
    assert found - PRIVATE_IMPORTS == set(), "import these through the package's public face (__init__)"
    assert PRIVATE_IMPORTS - found == set(), "these are gone: remove them from PRIVATE_IMPORTS"


def test_the_checks_see_what_they_look_for(tmp_path: Path) -> None:
    """The scanners work: in a planted tree they find a long function and a private import across packages,
    and leave alone a short function and a package's import of its own private module."""
    (tmp_path / "policy").mkdir()
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_LINES))
    (tmp_path / "policy" / "_planted.py").write_text(
        "from vaspguard.registry._tables import CustomerRow\n"
        "from vaspguard.policy._model import Facts\n"
        "from vaspguard.registry import Registry\n\n"
        f"def too_long():\n{body}\n\n"
        "def short():\n    return 1\n"
    )
    assert long_functions(tmp_path) == {"policy/_planted.py::too_long"}
    assert private_imports(tmp_path) == {"policy/_planted.py -> vaspguard.registry._tables"}


def test_every_package_declares_its_public_face() -> None:
    for init in sorted(SRC.glob("*/__init__.py")):
        if "__all__" in init.read_text(encoding="utf-8"):
            continue
        raise AssertionError(f"{init.relative_to(SRC)} has no __all__")
