# Scentiss Live. `make run` serves the app with SQLite and the in-memory channel layer;
# `make test` runs every test (against PostgreSQL and Redis: see TEST_DATABASE_URL below).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# The tests run against the real services; CI (.ci/run) sets these to the local servers.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
# The limits on slow clients' headers (scentiss/transport.py); every start command uses them.
UVICORN_ARGS := --http scentiss.transport:HttpToolsProtocol --timeout-keep-alive 5

.PHONY: run test bench lint install install-dev messages browser bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

messages: $(VENV)/.installed
	$(BIN)/python manage.py compilemo

run: install messages
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1],$(HOST)}" \
	  $(BIN)/python manage.py demo --base-url http://$(HOST):$(PORT)
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-localhost,127.0.0.1,[::1],$(HOST)}" \
	  exec $(BIN)/uvicorn scentiss.asgi:application --host $(HOST) --port $(PORT) --log-level warning \
	    --ws-per-message-deflate false $(UVICORN_ARGS)

# Debian's Chromium drives the browser tests (Playwright's own download cannot work here).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "Install Debian's chromium package (sudo apt-get install chromium)"; exit 1; fi; }

# axe-core (accessibility checks in the browser tests), a test-only tool from the npm registry.
node_modules/axe-core/axe.min.js: package.json
	npm install --no-audit --no-fund --no-package-lock --silent
	touch $@

test: install-dev messages browser node_modules/axe-core/axe.min.js
	$(BIN)/lint-imports
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(TEST_REDIS_URL)}" \
	  CHANNEL_PREFIX="scentiss-test" $(BIN)/pytest $(PYTEST_ARGS)

# Load benchmark against uvicorn + PostgreSQL + Redis (bench/README.md): short by default,
# `make bench BENCH=full` for the 2-minute sustained stage. Results in bench/results/.
BENCH ?= short
bench: install-dev
	$(BIN)/python bench/load.py --mode $(BENCH)

lint: install-dev
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) staticfiles node_modules db.sqlite3* test-db.sqlite3*
