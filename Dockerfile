# vaspguard: the API and desk (`serve`, the default command) and the worker (`worker`), one image.
# Build: docker build -t vaspguard .   Run: docker compose up (compose.yaml). Keys, volumes and upgrades:
# docs/container.md. Linted by hadolint in `make check`; tests/container checks the rules below.
#
# Two stages on one pinned base (the virtual environment's python is the base image's /usr/local/bin/python3,
# so both stages must be the same image): the builder has the compilers and the ICU headers PyICU compiles
# against; the final image has the ICU runtime of the same Debian release and nothing to build with.

# Python 3.11 (the version the test suite runs on) on Debian 12 "bookworm", pinned by tag and by the digest
# of its multi-platform index: a re-pushed tag cannot change what is built.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d

FROM ${PYTHON_IMAGE} AS builder

# Debian bookworm's versions, pinned (hadolint DL3008). When Debian replaces one (a security update), the
# build stops at this line naming it: take the new version from `apt-cache policy NAME` in the base image.
# g++ and pkg-config: PyICU has no binary wheel and compiles against libicu-dev (ICU 72 on bookworm).
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        g++=4:12.2.0-3 \
        libicu-dev=72.1-3+deb12u1 \
        pkg-config=1.8.1-1 \
    && rm -rf /var/lib/apt/lists/*

# uv installs exactly what uv.lock pins, as `make install` does (the same uv version).
RUN pip install --no-cache-dir uv==0.13.9

# UV_PYTHON_DOWNLOADS=never: build with the base image's python, never a downloaded one. UV_NO_CACHE: the
# stage is thrown away, a cache in it would only add to the layer.
ENV UV_PROJECT_ENVIRONMENT=/opt/vaspguard \
    UV_PYTHON=/usr/local/bin/python3 \
    UV_PYTHON_DOWNLOADS=never \
    UV_NO_CACHE=1

WORKDIR /src

# The locked dependencies first, in their own layer: a change to the source alone rebuilds only the next one.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-editable --no-install-project

# The package itself, installed as a wheel (--no-editable), so the final image needs nothing from /src.
# Then everything byte-compiled: the final image sets PYTHONDONTWRITEBYTECODE and its user cannot write /opt
# anyway, so without this every start would compile every import again (3 s more per command;
# benchmarks/bench_cli.py). unchecked-hash: the .pyc files stay valid whatever file times the copy into the
# next stage leaves.
COPY src ./src
RUN uv sync --frozen --no-dev --no-editable \
    && python -m compileall -q -j 0 --invalidation-mode unchecked-hash /opt/vaspguard/lib


FROM ${PYTHON_IMAGE}

LABEL org.opencontainers.image.title="vaspguard" \
      org.opencontainers.image.description="Compliance control plane for cryptocurrency exchanges" \
      org.opencontainers.image.licenses="Apache-2.0"

# The ICU runtime PyICU was compiled against (the builder's libicu-dev, same version); no compiler, no headers.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libicu72=72.1-3+deb12u1 \
    && rm -rf /var/lib/apt/lists/*

# A fixed, unprivileged uid and gid (10001): mounted key files are made readable to it (docs/container.md), and
# Kubernetes' runAsNonRoot can check a numeric USER. Its home is the data directory, owner-only.
RUN groupadd --system --gid 10001 vaspguard \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/vaspguard --no-create-home \
        --shell /usr/sbin/nologin vaspguard \
    && install -d -o 10001 -g 10001 -m 0700 /var/lib/vaspguard

COPY --from=builder /opt/vaspguard /opt/vaspguard

# VASPGUARD_DB: SQLite in the data directory when nothing else is said (a one-container trial); compose.yaml
# and production point it at PostgreSQL. VASPGUARD_API_HOST: listen on the container's interfaces.
# XDG_STATE_HOME: where the CLI saves a crash report, inside the writable data directory.
ENV PATH="/opt/vaspguard/bin:${PATH}" \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    VASPGUARD_DATA_DIR=/var/lib/vaspguard \
    VASPGUARD_DB=sqlite:////var/lib/vaspguard/vaspguard.db \
    VASPGUARD_API_HOST=0.0.0.0 \
    VASPGUARD_API_PORT=8000 \
    XDG_STATE_HOME=/var/lib/vaspguard/state

USER 10001:10001
WORKDIR /var/lib/vaspguard
EXPOSE 8000

# The API's own /healthz (no token needed), with the python the image already has: no curl in the image.
# The worker runs the same image without a port: compose.yaml gives it its own check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('VASPGUARD_API_PORT', '8000') + '/healthz', timeout=4)"]

ENTRYPOINT ["vaspguard"]
CMD ["serve"]
