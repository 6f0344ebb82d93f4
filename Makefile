# hocso: two commands do all the set-up. `make start` opens the classroom, `make test` tests it.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8888
# The apps' light front end (hocso serve), built from frontend/.
FRONTEND := src/hocso/apps/share/voila/templates/hocso-light/static/hocso-widgets.js

# nbgrader runs `alembic` by name: the environment's scripts must come first on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: start test install install-test check release clean-notebooks lint

start: install
	$(BIN)/hocso lab --port $(PORT)

test: install-test
	$(BIN)/python -m pytest -n auto --dist loadfile

install: $(VENV)/.installed $(FRONTEND)
install-test: $(VENV)/.installed-test $(FRONTEND)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || { echo "Cần Python 3.11 có venv (Debian: apt-get install python3-venv)."; exit 1; }

# Reinstalled only when pyproject.toml changes, so both commands are quick the second time.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

# npm packages exactly as frontend/package-lock.json names them, bundled by esbuild (a second
# or two); rebuilt only when the front end's sources change.
$(FRONTEND): frontend/package.json frontend/package-lock.json frontend/build.mjs $(wildcard frontend/src/*.js)
	command -v npm >/dev/null || { apt-get update && apt-get install -y npm; }
	cd frontend && npm ci --no-fund --no-audit --loglevel=error && node build.mjs
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	test -x /usr/bin/chromium || { apt-get update && apt-get install -y chromium; }
	# The hub tests (tests/hub): JupyterHub's proxy from npm, and a PostgreSQL server.
	test -x $(BIN)/configurable-http-proxy || { command -v npm >/dev/null || { apt-get update && apt-get install -y npm; }; npm install --global --prefix $(VENV) --no-fund --no-audit configurable-http-proxy@5; }
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update && apt-get install -y postgresql; }
	touch $@

release: install
	$(BIN)/hocso release

check: install
	$(BIN)/hocso check

clean-notebooks: install
	$(BIN)/hocso clean

lint: install-test
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
