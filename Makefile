# Scentiss Live. `make run` serves the app with SQLite and the in-memory channel layer;
# `make test` runs every test (against PostgreSQL and Redis: see TEST_DATABASE_URL below; the
# tests marked both_databases on SQLite too).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The tests run against the real services; CI (.ci/run) sets these to the local servers.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# pytest-xdist workers for the PostgreSQL runs (TEST_WORKERS=0 runs in one process, which is
# what a debugger or -x wants). Three on this 2-core machine: the browser tests wait on Chromium
# and their servers, so a third worker fills the cores (make test 6 min 13 s with two, 5 min
# 14 s with three). Tests of one module stay on one worker, which keeps its browser and app
# server from one module to the next (tests/conftest.py: _SharedBrowser, _ServerPool).
# (Not --dist loadgroup: pytest-xdist 3.8 groups by rewriting item._nodeid, which pytest 9
# no longer reads, so it runs as --dist load.) `make test` hands out the modules in the order
# of the collection, the longest first (tests/conftest.py: LONGEST_MODULES), not pytest-xdist's
# order by their number of tests, which left the longest modules (one to seven tests each) for
# the end of the run.
TEST_WORKERS ?= 3
# The fast tier has no browser or server to wait on: two workers, one per core (61.2 and 61.5 s
# against 63.8 and 64.3 s with three, taken in turn; 8 s less CPU).
FAST_WORKERS ?= 2
# pytest with the bytecode caches written even where the shell sets PYTHONDONTWRITEBYTECODE
# (some do): without them every pytest process (three workers and the controller) compiles the
# app and rewrites the tests' asserts again, 4 s of CPU each (collection 7.3 s instead of 3.3 s).
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/pytest
XDIST = $(if $(filter-out 0,$(1)),-n $(1) --dist loadscope)
# The limits on slow clients' headers (scentiss/transport.py); every start command uses them.
UVICORN_ARGS := --http scentiss.transport:HttpToolsProtocol --timeout-keep-alive 5

.PHONY: run test test-fast golden bench lint lock install install-dev messages browser clean docs-screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Exact versions from the locks (pip-tools' requirements format with hashes: plain pip installs
# them, so `make run` needs nothing but Python), then the project itself without dependencies.
$(VENV)/.installed: pyproject.toml requirements/main.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/main.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml requirements/dev.lock | $(BIN)/python
	$(BIN)/pip install -q --require-hashes -r requirements/dev.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@ $(VENV)/.installed

# Renew the locks after changing pyproject.toml's dependencies (LOCK_ARGS=--upgrade: newest
# versions within the bounds). main.lock: the app; dev.lock: the app, the dev and bench extras.
PIP_COMPILE = $(BIN)/pip-compile -q --generate-hashes --strip-extras --allow-unsafe \
	--no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock: | $(BIN)/python
	$(BIN)/pip install -q pip-tools
	$(PIP_COMPILE) --output-file requirements/main.lock pyproject.toml
	$(PIP_COMPILE) --extra dev --extra bench --output-file requirements/dev.lock pyproject.toml

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The compiled translations, made again only when a catalogue changed (a second each).
MESSAGES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))
messages: $(MESSAGES)
locale/%.mo: locale/%.po | $(VENV)/.installed
	$(BIN)/python manage.py compilemo

run: install messages
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1],$(HOST)}" \
	  $(BIN)/python manage.py demo --base-url http://$(HOST):$(PORT)
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1],$(HOST)}" \
	  exec $(BIN)/uvicorn scentiss.asgi:application --host $(HOST) --port $(PORT) --log-level warning \
	    --ws-per-message-deflate false $(UVICORN_ARGS)

# Debian's Chromium drives the browser tests (Playwright's own download cannot work here): its
# headless shell, which Playwright runs for headless tests, for half the CPU of a browser test in
# the full browser (tests/browser_helpers.py); chromium itself for bench/ and docs/screenshots/.
BROWSER_PACKAGES := chromium chromium-headless-shell
browser:
	@command -v chromium >/dev/null && command -v chromium-headless-shell >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	  else echo "Install Debian's packages: sudo apt-get install $(BROWSER_PACKAGES)"; exit 1; fi; }

# axe-core (accessibility checks in the browser tests), a test-only tool from the npm registry.
node_modules/axe-core/axe.min.js: package.json
	npm install --no-audit --no-fund --no-package-lock --silent
	touch $@

# First in `make test`: the logic of the browser scripts (static/js/: the offline queue, the
# taps, the chair's notes, the websocket client) under Node's own test runner with a fake page:
# seconds, no browser, no npm package. Node >= 20.11; the files are named, not the folder (Node 22
# no longer searches a folder given to --test).
.PHONY: test-js
test-js:
	node --disable-warning=ExperimentalWarning --test --test-reporter=spec tests/js/*.test.mjs

# The import contracts and the types, then the suite on PostgreSQL, and the tests where the two
# databases differ (answers, tallies, aggregation: marker both_databases) again on SQLite, `make
# run`'s database (its test database is test-db.sqlite3; the in-memory channel layer). The SQLite
# run (one process, 15 s) goes beside the rest, its report in test-sqlite.log, shown at the end:
# after it, one core idled for its whole length.
test: install-dev messages browser node_modules/axe-core/axe.min.js
	@DATABASE_URL="sqlite:///$(CURDIR)/test-db.sqlite3" REDIS_URL= \
	  $(PYTEST) -m both_databases -p no:cacheprovider $(PYTEST_ARGS) > test-sqlite.log 2>&1 & sqlite=$$!; \
	  trap 'kill $$sqlite 2>/dev/null' INT TERM; \
	  $(MAKE) --no-print-directory test-js && $(BIN)/lint-imports && $(BIN)/mypy && \
	  DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
	  CHANNEL_PREFIX="$${CHANNEL_PREFIX:-scentiss-test}" $(PYTEST) $(call XDIST,$(TEST_WORKERS)) \
	  $(if $(call XDIST,$(TEST_WORKERS)),--no-loadscope-reorder) $(PYTEST_ARGS); postgresql=$$?; \
	  wait $$sqlite; sqlite=$$?; \
	  echo "--- the tests marked both_databases on SQLite (test-sqlite.log):"; cat test-sqlite.log; \
	  test $$postgresql = 0 && test $$sqlite = 0

# The fast tier, while changing code: the browser scripts' unit tests, the import contracts, and
# every test that needs no browser, no server process and no committed data, but the walks of every
# route as every role (tests/conftest.py marks the others `slow`), on PostgreSQL and Redis as `make
# test`. The test database is kept between runs (--reuse-db still applies new migrations). The
# property tests try a quarter of their examples (Hypothesis profile "quick", tests/conftest.py);
# make test tries them all.
test-fast: install-dev messages
	$(MAKE) --no-print-directory test-js
	$(BIN)/lint-imports
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
	  CHANNEL_PREFIX="$${CHANNEL_PREFIX:-scentiss-test}" $(PYTEST) -m "not slow" --reuse-db -q \
	  --hypothesis-profile quick $(call XDIST,$(FAST_WORKERS)) $(PYTEST_ARGS)

# The exports' golden files (tests/data/golden/, tests/test_golden_exports.py) rewritten from
# the fixed session, after a meant change to an export or a merge of several: then read
# `git diff tests/data/golden/` and commit what is meant.
golden: install-dev messages
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
	  CHANNEL_PREFIX="$${CHANNEL_PREFIX:-scentiss-test}" UPDATE_GOLDEN=1 \
	  $(PYTEST) tests/test_golden_exports.py -p no:xdist -q --reuse-db $(PYTEST_ARGS)

# Load benchmark against uvicorn + PostgreSQL + Redis (bench/README.md): short by default,
# `make bench BENCH=full` for the 2-minute sustained stage. Results in bench/results/. The
# phone's first load is measured in Chromium (bench/firstload.py).
BENCH ?= short
bench: install-dev browser
	$(BIN)/python bench/load.py --mode $(BENCH)

lint: install-dev
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# docs/day.md's screenshots: small copies of those the browser tests saved in test-artifacts/.
docs-screenshots:
	$(BIN)/python docs/screenshots/shrink.py

clean:
	rm -rf $(VENV) staticfiles .test-static node_modules db.sqlite3* test-db.sqlite3* test-sqlite.log
