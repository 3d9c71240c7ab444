# HT-Tracker — `make run` serves the app, `make test` runs the suite; both set everything up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app httracker
TEST_DATABASE_URL_POSTGRES ?= postgresql+psycopg://postgres@127.0.0.1:5432/httracker_test
TEST_DATABASE_URL_MYSQL ?= mysql+pymysql://root@127.0.0.1:3306/httracker_test?charset=utf8mb4
PYTEST_ARGS ?=
E2E_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/httracker_e2e
CONTRACT_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/httracker_contract

.PHONY: install run test test-sqlite test-postgres test-mysql test-all test-e2e e2e-browser lint upgrade clean test-api-contract

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

upgrade: install
	$(FLASK) db upgrade

run: upgrade
	$(FLASK) run --host 127.0.0.1 --port 5000

test: test-sqlite

test-sqlite: install
	TEST_DATABASE_URL= $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install
	TEST_DATABASE_URL='$(TEST_DATABASE_URL_POSTGRES)' $(BIN)/pytest $(PYTEST_ARGS)

test-mysql: install
	TEST_DATABASE_URL='$(TEST_DATABASE_URL_MYSQL)' $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --recursive httracker

test-all: lint test-sqlite test-postgres test-mysql test-api-contract

# Schemathesis against the API served by gunicorn on PostgreSQL (about three minutes).
test-api-contract: install
	CONTRACT_DATABASE_URL='$(CONTRACT_DATABASE_URL)' $(BIN)/pytest tests/contract -s $(PYTEST_ARGS)

# Browser tests drive Debian's Chromium (never a browser downloaded by Playwright).
e2e-browser:
	command -v chromium >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

test-e2e: install e2e-browser
	E2E_DATABASE_URL='$(E2E_DATABASE_URL)' $(BIN)/pytest tests/e2e $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Benchmark (bench/README.md): the real server under wrk on the local PostgreSQL. The database
# named here is dropped and rebuilt on every run.
BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/httracker_bench
BENCH_ARGS ?=
.PHONY: bench bench-quick bench-wrk

bench-wrk:
	command -v wrk || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk)

bench: install bench-wrk
	BENCH_DATABASE_URL='$(BENCH_DATABASE_URL)' $(BIN)/python -m bench.run $(BENCH_ARGS)

bench-quick: install bench-wrk
	BENCH_DATABASE_URL='$(BENCH_DATABASE_URL)' $(BIN)/python -m bench.run --quick $(BENCH_ARGS)
