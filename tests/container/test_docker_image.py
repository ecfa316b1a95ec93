"""Where a Docker daemon answers: build the image, serve it and ask ``/healthz``, and run the worker once.

Where none answers (``docker info`` fails, or there is no ``docker`` at all: the development machines and
CI have no Docker engine) these tests skip, saying so. That skip is allowed even under ``CI=true``, unlike
the PostgreSQL and NATS skips: the image's rules are still checked there (test_image_files.py, and
hadolint in ``make check``). ``VASPGUARD_REQUIRE_DOCKER=1`` makes a missing daemon a failure, for a runner
that has one.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator

import pytest
from image_rules import ROOT

pytestmark = pytest.mark.slow
TAG = "vaspguard:test"


def _docker(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=False)


def _no_daemon() -> str | None:
    """Why no Docker daemon can be used here, or None when one answers."""
    if shutil.which("docker") is None:
        return "no docker command on the PATH"
    try:
        info = _docker("info", "--format", "{{.ServerVersion}}", timeout=20)
    except subprocess.TimeoutExpired:
        return "docker info did not answer in 20 s"
    if info.returncode != 0 or not info.stdout.strip():
        lines = (info.stderr or info.stdout).strip().splitlines()
        return f"docker info: {lines[-1] if lines else 'exit ' + str(info.returncode)}"
    return None


@pytest.fixture(scope="module")
def image() -> str:
    reason = _no_daemon()
    if reason is not None:
        message = f"no Docker daemon answers ({reason}): the image is not built here"
        if os.environ.get("VASPGUARD_REQUIRE_DOCKER") == "1":
            pytest.fail(message + " (VASPGUARD_REQUIRE_DOCKER=1)")
        pytest.skip(message + "; allowed (docs/container.md#tests)")
    built = _docker("build", "--tag", TAG, str(ROOT), timeout=1800)
    assert built.returncode == 0, built.stderr[-4000:]
    return TAG


@pytest.fixture
def served(image: str) -> Iterator[str]:
    name = f"vaspguard-test-{uuid.uuid4().hex[:8]}"
    started = _docker("run", "--detach", "--name", name, "--publish", "127.0.0.1::8000", image)
    assert started.returncode == 0, started.stderr
    try:
        port = _docker("port", name, "8000/tcp").stdout.strip().splitlines()[0].rpartition(":")[2]
        yield f"http://127.0.0.1:{port}"
    finally:
        _docker("rm", "--force", name)


def test_the_image_serves_healthz(served: str) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(served + "/healthz", timeout=5) as answer:
                body = json.loads(answer.read())
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    assert body["status"] == "ok" and body["backend"] == "sqlite"


def test_the_image_runs_as_its_unprivileged_user(image: str) -> None:
    result = _docker("run", "--rm", "--entrypoint", "id", image, "-u")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "10001"


def test_the_worker_starts_and_runs_its_jobs_once(image: str) -> None:
    result = _docker("run", "--rm", image, "worker", "--once", timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["failed"] == [] and "policy.evaluate" in report["ran"]


def test_the_image_has_no_compiler(image: str) -> None:
    result = _docker("run", "--rm", "--entrypoint", "sh", image, "-c", "command -v gcc g++ cc make || true")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
