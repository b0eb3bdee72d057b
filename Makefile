# finalmile developer entry points. `make run` and `make test` are the whole quick start.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
ROUTING_SECONDS ?= 5

ifeq ($(CI),true)
export FINALMILE_TEST_POSTGRES_URL ?= $(POSTGRES_URL)
endif

.PHONY: run test check bench format clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: install, migrate, load demo data and serve HTTP :8000 + MLLP :2575
run: $(STAMP)
	$(BIN)/finalmile demo
	$(BIN)/finalmile serve

## test: the whole suite (SQLite; PostgreSQL too when FINALMILE_TEST_POSTGRES_URL is set, always under CI=true)
test: $(STAMP)
	@if [ -n "$$FINALMILE_TEST_POSTGRES_URL" ]; then \
		$(BIN)/python -m finalmile.db_probe "$$FINALMILE_TEST_POSTGRES_URL" || exit 1; fi
	$(BIN)/python -m pytest -q

## check: formatting, lint and types
check: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

## bench: benchmarks (ratios against a baseline measured in the same run; installs the bench extra)
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/hl7_parse.py
	$(BIN)/python bench/mllp_ingest.py
	$(BIN)/python bench/csv_ingest.py
	$(BIN)/python bench/decide.py
	$(BIN)/python bench/labels.py
	$(BIN)/python bench/outbox.py
	$(BIN)/python bench/routing_solomon.py --seconds $(ROUTING_SECONDS)

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .finalmile .pytest_cache .mypy_cache .ruff_cache
