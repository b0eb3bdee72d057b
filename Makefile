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

SANDBOX_PORT ?= 8787
DEMO_SHIP_FROM := {"name": "Demo Specialty Pharmacy", "line1": "1 Test Plaza", "city": "Boston", "state": "MA", "postal_code": "02110"}
# Demo carrier accounts, all on the local carrier sandbox; FINALMILE_CARRIERS, when set, wins.
run: export DEMO_CARRIERS := {"easypost": {"type": "easypost", "api_key": "EZTK_sandbox", "api_base": "http://127.0.0.1:$(SANDBOX_PORT)/easypost/v2", "ship_from": $(DEMO_SHIP_FROM)}, "shippo": {"type": "shippo", "api_key": "shippo_test_sandbox", "server_url": "http://127.0.0.1:$(SANDBOX_PORT)/shippo", "ship_from": $(DEMO_SHIP_FROM)}, "drivers": {"type": "courier", "ship_from": $(DEMO_SHIP_FROM)}}

## run: install, migrate, start the carrier sandbox (:8787), load demo data (one order shipped
## through the sandbox), plan the demo courier day and serve HTTP :8000 + MLLP :2575
run: $(STAMP)
	$(BIN)/finalmile sandbox --port $(SANDBOX_PORT) --db "$${FINALMILE_DATA_DIR:-.finalmile}/sandbox.db" & \
	sandbox=$$!; trap 'kill $$sandbox 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -m finalmile.testing.wait_http http://127.0.0.1:$(SANDBOX_PORT)/_sandbox/clock || exit 1; \
	export FINALMILE_CARRIERS="$${FINALMILE_CARRIERS:-$$DEMO_CARRIERS}"; \
	$(BIN)/finalmile demo || exit 1; \
	data="$${FINALMILE_DATA_DIR:-.finalmile}"; \
	$(BIN)/finalmile routes plan --demo --seconds 2 --manifests "$$data/manifests" > "$$data/demo-routes.json" && \
	echo "demo courier day: routes in $$data/demo-routes.json, driver manifests in $$data/manifests/"; \
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
	$(BIN)/python bench/routing_pharmacy.py --seconds 10

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .finalmile .pytest_cache .mypy_cache .ruff_cache
