# Jichi — the two commands: `make run` (demo server) and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PG_TEST_URL ?= postgres://jichi_test@127.0.0.1:5432/jichi
PYTEST_ARGS ?=

.PHONY: install system-deps test-deps run test test-sqlite test-postgres lint format bench messages clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev,postgres]"
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

system-deps:
	@scripts/install-system-deps debian-packages.txt

test-deps:
	@scripts/install-system-deps debian-packages-test.txt

run: install system-deps
	JICHI_DEBUG=1 $(BIN)/jichi migrate --noinput
	JICHI_DEBUG=1 $(BIN)/jichi demo --residents 3000
	@# The background worker (event delivery) runs beside the server and stops with it.
	JICHI_DEBUG=1 $(BIN)/jichi worker & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
	JICHI_DEBUG=1 $(BIN)/jichi serve --bind 127.0.0.1:8000

# The whole suite on SQLite; again on PostgreSQL when JICHI_TEST_POSTGRES=1 (CI sets it).
test: install test-deps test-sqlite
	@if [ "$${JICHI_TEST_POSTGRES:-0}" = "1" ]; then $(MAKE) --no-print-directory test-postgres; fi

test-sqlite: install
	JICHI_DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(BIN)/pytest -q $(PYTEST_ARGS)

test-postgres: install
	$(BIN)/python scripts/ensure_pg_role.py
	JICHI_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check jichi tests bench scripts
	$(BIN)/ruff format --check jichi tests bench scripts

format: install
	$(BIN)/ruff format jichi tests bench scripts
	$(BIN)/ruff check --fix jichi tests bench scripts

bench: install
	$(BIN)/python -m bench

messages: install
	JICHI_DEBUG=1 $(BIN)/jichi makemessages -l ja --ignore=.venv --ignore=tests --ignore=bench --ignore=var
	$(BIN)/python scripts/compile_messages.py

clean:
	rm -rf $(VENV) var
