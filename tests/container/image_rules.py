"""The rules the Dockerfile, .dockerignore and compose.yaml keep (docs/container.md), as checks that return
the problems they find: the tests run each on the real files (no problems) and on a broken copy (the problem
is named), so a check that could not fail would show.

Parsing is the little the files need: Dockerfile instructions with ``\\`` continuations and ``#`` comments,
grouped by ``FROM`` into stages; compose.yaml through PyYAML (merge keys included).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]

# What builds software: none of it may be installed in, or copied into, the final image.
BUILD_TOOLS = re.compile(
    r"(?<![\w.-])(build-essential|gcc|g\+\+|cpp|clang|make|cmake|pkg-config|[\w.+-]+-dev|uv|pip install)"
    r"(?=[\s=]|$)"
)
# Environment names that hold a secret's value (a *_FILE or PGPASSFILE names a file holding it).
SECRET_NAME = re.compile(r"(KEY|PASSWORD|SECRET|TOKEN|PASS)(?!.*FILE)", re.I)


@dataclass
class Stage:
    base: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for kw, args in self.instructions if kw == keyword]


@dataclass
class Dockerfile:
    args: dict[str, str]
    stages: list[Stage]

    @property
    def final(self) -> Stage:
        return self.stages[-1]


def parse_dockerfile(text: str) -> Dockerfile:
    joined = re.sub(
        r"\\\n", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    )
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in joined.splitlines():
        if not line.strip():
            continue
        keyword, _, rest = line.strip().partition(" ")
        keyword, rest = keyword.upper(), " ".join(rest.split())
        if keyword == "FROM":
            words = rest.split()
            base = words[0]
            for name, value in args.items():
                base = base.replace("${" + name + "}", value).replace("$" + name, value)
            stages.append(Stage(base, words[2] if len(words) > 2 and words[1].upper() == "AS" else ""))
        elif not stages and keyword == "ARG":
            name, _, value = rest.partition("=")
            args[name] = value
        elif stages:
            stages[-1].instructions.append((keyword, rest))
    return Dockerfile(args, stages)


def _exec_form(args: str) -> list[str] | None:
    try:
        value = json.loads(args)
    except ValueError:
        return None
    return value if isinstance(value, list) else None


def dockerfile_problems(text: str) -> list[str]:
    """Every broken rule of the Dockerfile ``text``, one line each (empty when it keeps them all)."""
    doc = parse_dockerfile(text)
    if len(doc.stages) < 2:
        return ["not multi-stage: the compilers would ship in the only stage"]
    problems = _base_problems(doc) + _final_stage_problems(doc.final)
    builder = doc.stages[0]
    if not any("compileall" in run and "unchecked-hash" in run for run in builder.all("RUN")):
        problems.append("the builder does not byte-compile the environment (compileall, unchecked-hash)")
    builder_icu = re.search(r"libicu-dev=(\S+)", " ".join(builder.all("RUN")))
    final_icu = re.search(r"libicu\d+=(\S+)", " ".join(doc.final.all("RUN")))
    if final_icu is None:
        problems.append("the final stage installs no ICU runtime (libicuNN=VERSION)")
    elif builder_icu is None or builder_icu.group(1) != final_icu.group(1):
        problems.append(
            "the final stage's ICU runtime is not the version PyICU was built against (libicu-dev)"
        )
    return problems


def _base_problems(doc: Dockerfile) -> list[str]:
    problems = []
    bases = {stage.base for stage in doc.stages}
    if len(bases) != 1:
        problems.append(
            f"the stages use different bases {sorted(bases)}: the environment's python would differ"
        )
    for base in bases:
        image, _, digest = base.partition("@")
        tag = image.rpartition(":")[2] if ":" in image else ""
        if not re.match(r"\d+\.\d+\.\d+", tag) or not re.fullmatch(r"sha256:[0-9a-f]{64}", digest):
            problems.append(f"base {base!r} is not pinned by a full version tag and a sha256 digest")
    return problems


def _final_stage_problems(final: Stage) -> list[str]:
    problems = []
    users = final.all("USER")
    user = users[-1].split(":")[0] if users else "root"
    if user in {"root", "0", ""}:
        problems.append(f"the final stage runs as {user or 'root'!r}: set USER to an unprivileged uid")
    for run in final.all("RUN"):
        for tool in BUILD_TOOLS.findall(run):
            problems.append(f"the final stage installs or runs a build tool: {tool}")
    for copy in final.all("COPY"):
        if "--from=" in copy and copy.split()[1:2] != ["/opt/vaspguard"]:
            problems.append(f"the final stage copies more than the environment from the builder: {copy}")
    if "PYTHONDONTWRITEBYTECODE=1" not in " ".join(final.all("ENV")):
        problems.append("the final stage does not set PYTHONDONTWRITEBYTECODE=1")
    checks = final.all("HEALTHCHECK")
    if not checks or "/healthz" not in checks[-1]:
        problems.append("no HEALTHCHECK on /healthz in the final stage")
    if [_exec_form(a) for a in final.all("ENTRYPOINT")][-1:] != [["vaspguard"]]:
        problems.append('ENTRYPOINT is not ["vaspguard"]')
    if [_exec_form(a) for a in final.all("CMD")][-1:] != [["serve"]]:
        problems.append('CMD is not ["serve"]')
    return problems


def dockerignore_problems(text: str) -> list[str]:
    """The build context is an allow-list: everything excluded, then only what the Dockerfile copies."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not lines or lines[0] != "*":
        return ["the .dockerignore does not start by excluding everything ('*')"]
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    extra = allowed - {"pyproject.toml", "uv.lock", "README.md", "src"}
    return [f"the build context lets in {name!r}" for name in sorted(extra)]


# -- compose.yaml ----------------------------------------------------------------------------------------


def load_compose(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
        raise ValueError("compose.yaml has no services mapping")
    return data


def vaspguard_services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run the vaspguard image (built from this Dockerfile)."""
    return {
        name: s
        for name, s in compose["services"].items()
        if s.get("build") or "vaspguard" in str(s.get("image"))
    }


def compose_problems(compose: dict[str, Any]) -> list[str]:
    services = compose["services"]
    problems = [
        f"no {name!r} service"
        for name in ("postgres", "nats", "api", "worker", "migrate")
        if name not in services
    ]
    for name, service in services.items():
        if name != "migrate" and "test" not in service.get("healthcheck", {}):
            problems.append(f"service {name!r} has no health check")
        problems += _secret_problems(compose, name, service)
    for name in ("api", "worker"):
        needs = services.get(name, {}).get("depends_on", {})
        if (
            not isinstance(needs, dict)
            or needs.get("migrate", {}).get("condition") != "service_completed_successfully"
        ):
            problems.append(f"service {name!r} does not wait for the migrations to complete")
        elif any(not isinstance(v, dict) or "condition" not in v for v in needs.values()):
            problems.append(f"service {name!r} has a dependency without a condition")
    migrate = services.get("migrate", {})
    if migrate.get("command") != ["db", "migrate"]:
        problems.append("the migrate service does not run `db migrate`")
    elif migrate.get("depends_on", {}).get("postgres", {}).get("condition") != "service_healthy":
        problems.append("the migrate service does not wait for a healthy postgres")
    return problems


def _secret_problems(compose: dict[str, Any], name: str, service: dict[str, Any]) -> list[str]:
    """No secret value in the environment; each file setting names a secret the service mounts from a file."""
    problems = []
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    mounted = set(service.get("secrets", []))
    declared = compose.get("secrets", {})
    for variable, value in environment.items():
        if variable.endswith("_FILE") or variable == "PGPASSFILE":
            secret = str(value).removeprefix("/run/secrets/")
            if not str(value).startswith("/run/secrets/") or secret not in mounted:
                problems.append(f"service {name!r}: {variable} names {value!r}, not a secret it mounts")
            elif "file" not in declared.get(secret, {}):
                problems.append(f"secret {secret!r} is not a file")
        elif SECRET_NAME.search(variable) or re.search(r"://[^/@\s]*:[^/@\s]*@", str(value)):
            problems.append(f"service {name!r}: {variable} puts a secret in the environment")
    return problems
