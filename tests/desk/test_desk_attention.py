"""The Attention page: what needs this user now, by role."""

from __future__ import annotations

from collections.abc import Callable

from desk_helpers import Demo, sign_in
from fastapi.testclient import TestClient

from vaspguard import screening
from vaspguard.desk import User


def test_legal_roles_see_the_lawful_request_attention_list(
    client: TestClient, demo: Demo, make_user: Callable[..., User]
) -> None:
    from pathlib import Path

    from vaspguard.cli import run

    sample = (
        Path(screening.__file__).resolve().parents[1] / "demo" / "requests" / "dragnet-foundation-donors.json"
    )
    key = demo.data_dir / "demo-operators" / "demo-intake.pem"
    assert run(["requests", "new", "--file", str(sample), "--as", "demo-intake", "--key", str(key)]) == 0
    sign_in(client, make_user("lea", "legal"))
    html = client.get("/").text
    assert "Lawful requests needing attention" in html and "LR-" in html
    sign_in(client, make_user("ana", "analyst"))
    assert "Lawful requests" not in client.get("/").text
