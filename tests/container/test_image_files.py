"""The Dockerfile, .dockerignore and compose.yaml keep their rules (image_rules.py), without a Docker daemon:
these run everywhere. Each rule is shown finding its problem in a broken copy."""

from __future__ import annotations

import shlex
from typing import Any

import pytest
import yaml
from image_rules import (
    ROOT,
    compose_problems,
    dockerfile_problems,
    dockerignore_problems,
    load_compose,
    parse_dockerfile,
    vaspguard_services,
)

DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE = (ROOT / "compose.yaml").read_text()


def test_the_dockerfile_keeps_every_rule() -> None:
    assert dockerfile_problems(DOCKERFILE) == []


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("USER 10001:10001", "USER root", "the final stage runs as 'root'"),
        ("USER 10001:10001", "USER 0:0", "the final stage runs as '0'"),
        ("USER 10001:10001\n", "", "the final stage runs as 'root'"),
        (
            "libicu72=72.1-3+deb12u1 \\",
            "libicu72=72.1-3+deb12u1 build-essential \\",
            "the final stage installs or runs a build tool: build-essential",
        ),
        ("libicu72=72.1-3+deb12u1 \\", "libicu72=72.1-3+deb12u1 gcc \\", "build tool: gcc"),
        ("libicu72=72.1-3+deb12u1 \\", "libicu72=72.1-3+deb12u1 libicu-dev \\", "build tool: libicu-dev"),
        ("libicu72=72.1-3+deb12u1 \\", "libicu-dev \\", "installs no ICU runtime"),
        ("libicu72=72.1-3+deb12u1", "libicu72=72.1-3", "not the version PyICU was built against"),
        (
            "COPY --from=builder /opt/vaspguard",
            "COPY --from=builder /src",
            "copies more than the environment",
        ),
        ('ENTRYPOINT ["vaspguard"]', 'ENTRYPOINT ["sh"]', 'ENTRYPOINT is not ["vaspguard"]'),
        ('CMD ["serve"]', 'CMD ["worker"]', 'CMD is not ["serve"]'),
        ("/healthz'", "/'", "no HEALTHCHECK on /healthz"),
        ("    PYTHONDONTWRITEBYTECODE=1 \\\n", "", "does not set PYTHONDONTWRITEBYTECODE=1"),
        ("--invalidation-mode unchecked-hash ", "", "does not byte-compile"),
        ("@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d", "", "is not pinned"),
        ("python:3.11.14-slim-bookworm", "python:3.11-slim-bookworm", "is not pinned"),
        ("FROM ${PYTHON_IMAGE}\n", "FROM python:3.11.14-slim-bookworm\n", "the stages use different bases"),
    ],
)
def test_a_broken_dockerfile_is_named(old: str, new: str, problem: str) -> None:
    assert old in DOCKERFILE, old  # the real file still has what this case breaks
    problems = dockerfile_problems(DOCKERFILE.replace(old, new))
    assert any(problem in p for p in problems), problems


def test_a_single_stage_dockerfile_is_refused() -> None:
    assert dockerfile_problems("FROM python:3.11.14-slim-bookworm\nUSER 1\n") == [
        "not multi-stage: the compilers would ship in the only stage"
    ]


def test_the_builder_has_the_compilers_the_final_stage_lacks() -> None:
    """The rule's own premise: PyICU compiles in the builder (g++, ICU headers), so their absence from the
    final stage is a real difference, not a file that never had them."""
    stages = parse_dockerfile(DOCKERFILE).stages
    builder = " ".join(stages[0].all("RUN"))
    assert "g++=" in builder and "libicu-dev=" in builder and "pkg-config=" in builder


def test_the_build_context_is_an_allow_list() -> None:
    assert dockerignore_problems((ROOT / ".dockerignore").read_text()) == []
    assert dockerignore_problems("*\n!src/\n!secrets/\n") == ["the build context lets in 'secrets'"]
    assert dockerignore_problems(".venv\n") == [
        "the .dockerignore does not start by excluding everything ('*')"
    ]


def test_the_compose_file_keeps_every_rule() -> None:
    compose = load_compose(COMPOSE)
    assert compose_problems(compose) == []
    assert {"postgres", "nats", "api", "worker"} <= set(compose["services"])
    assert set(vaspguard_services(compose)) == {"migrate", "api", "worker"}


def _broken(path: str, value: Any) -> dict[str, Any]:
    compose = load_compose(COMPOSE)
    *parents, last = path.split(".")
    node = compose
    for key in parents:
        node = node[key]
    if value is None:
        del node[last]
    else:
        node[last] = value
    return compose


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (
            "services.worker.environment.VASPGUARD_PSEUDONYM_KEY",
            "ab" * 32,
            "puts a secret in the environment",
        ),
        ("services.api.environment.POSTGRES_PASSWORD", "hunter2", "puts a secret in the environment"),
        (
            "services.api.environment.VASPGUARD_DB",
            "postgresql://u:pw@postgres/db",
            "puts a secret in the environment",
        ),
        ("services.api.environment.VASPGUARD_AUDIT_KEY_FILE", "/etc/audit.key", "not a secret it mounts"),
        ("services.api.secrets", ["pgpass"], "not a secret it mounts"),
        (
            "secrets.disclosure_key",
            {"environment": "DISCLOSURE_KEY"},
            "secret 'disclosure_key' is not a file",
        ),
        ("services.nats", None, "no 'nats' service"),
        ("services.worker.healthcheck", None, "service 'worker' has no health check"),
        (
            "services.api.depends_on.migrate",
            {"condition": "service_started"},
            "does not wait for the migrations",
        ),
        ("services.worker.depends_on", ["migrate", "nats"], "does not wait for the migrations"),
        ("services.api.depends_on.nats", {"restart": True}, "a dependency without a condition"),
        ("services.migrate.command", ["serve"], "does not run `db migrate`"),
        (
            "services.migrate.depends_on.postgres.condition",
            "service_started",
            "does not wait for a healthy postgres",
        ),
    ],
)
def test_a_broken_compose_file_is_named(path: str, value: Any, problem: str) -> None:
    problems = compose_problems(_broken(path, value))
    assert any(problem in p for p in problems), problems


def test_the_compose_file_is_plain_yaml() -> None:
    """PyYAML reads it as docker compose does (the services share one block through a merge key)."""
    compose = yaml.safe_load(COMPOSE)
    assert compose["services"]["api"]["environment"] == compose["services"]["worker"]["environment"]


def _entry_commands() -> list[list[str]]:
    """The commands the image runs: its CMD, and each vaspguard service's command in compose.yaml."""
    final = parse_dockerfile(DOCKERFILE).final
    commands = [shlex.split(final.all("CMD")[-1].strip("[]").replace(",", " "))]
    commands += [list(s["command"]) for s in vaspguard_services(load_compose(COMPOSE)).values()]
    commands.append(["db", "status"])  # the worker's health check
    return commands


@pytest.mark.parametrize("command", _entry_commands(), ids=" ".join)
def test_the_images_commands_exist_in_the_cli(cli: Any, command: list[str]) -> None:
    words = [w for w in command if not w.startswith("-") and not w.isdigit()]
    code, out, err = cli(*words, "--help")
    assert code == 0, err
    for option in (w for w in command if w.startswith("--")):
        assert option in out, f"vaspguard {' '.join(words)} has no option {option}"
