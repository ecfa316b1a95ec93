"""Router state lives on app.state, set up per app; configuration comes through Settings."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import vaspguard
from vaspguard.api import Role, create_app, create_token
from vaspguard.store import Store

SRC = Path(vaspguard.__file__).parent


def test_lifespan_builds_the_engine_and_shutdown_releases_it(
    sqlite_store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("VASPGUARD_API_WARM", "true")
    monkeypatch.setenv("VASPGUARD_DATA_DIR", str(tmp_path))  # the audit key, not in the cwd
    app = create_app(sqlite_store)
    assert app.state.policy_service is None and app.state.token_checks == {}
    with TestClient(app):
        assert app.state.policy_service is not None  # built at start-up, before any request
    assert app.state.policy_service is None


def test_two_apps_share_no_token_checks(sqlite_store: Store) -> None:
    headers = {"Authorization": f"Bearer {create_token(sqlite_store, name='e', role=Role.SERVICE)}"}
    first, second = create_app(sqlite_store), create_app(sqlite_store)
    TestClient(first).post("/v1/decisions", json={}, headers=headers)
    assert len(first.state.token_checks) == 1
    assert second.state.token_checks == {}


def test_policy_packs_come_from_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from vaspguard.settings import Settings

    monkeypatch.setenv("VASPGUARD_POLICY_PACKS", f"{tmp_path / 'a.yaml'}:{tmp_path / 'b.yaml'}")
    assert Settings().policy_pack_paths() == [str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")]


def test_no_environment_reads_or_module_state_in_the_api() -> None:
    files = [*sorted((SRC / "api").rglob("*.py")), SRC / "cli" / "_serve.py"]
    for path in files:
        text = path.read_text()
        assert "getenv" not in text and "os.environ.get" not in text, path
        for node in ast.parse(text).body:  # module-level mutable containers are per-process state
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Dict | ast.List):
                names = [t.id for t in getattr(node, "targets", [getattr(node, "target", None)]) if t]
                assert names in (["__all__"], ["authenticators"]), (path, names)
