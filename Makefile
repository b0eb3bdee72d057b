# finalmile developer entry points. `make run` and `make test` are the whole quick start.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
POSTGRES_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
ROUTING_SECONDS ?= 5
# pytest-xdist workers for `make test` (auto: one per core; 1 runs the suite in one process).
TEST_WORKERS ?= auto

ifeq ($(CI),true)
export FINALMILE_TEST_POSTGRES_URL ?= $(POSTGRES_URL)
endif

.PHONY: run test check bench fuzz format clean

# The carrier sandbox (sandbox/) and the dev rigs (devtools/) are distributions of their own, which
# `pip install finalmile` never pulls in; the dev extra cannot name them (a requirement cannot be a
# relative path portably), so they are installed beside it here.
$(STAMP): pyproject.toml sandbox/pyproject.toml devtools/pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' -e ./sandbox -e ./devtools
	touch $(STAMP)

SANDBOX_PORT ?= 8787
FAKE_PMS_PORT ?= 8790
DEMO_SHIP_FROM := {"name": "Demo Specialty Pharmacy", "line1": "1 Test Plaza", "city": "Boston", "state": "MA", "postal_code": "02110"}
# Demo carrier accounts, all on the local carrier sandbox; FINALMILE_CARRIERS, when set, wins.
run: export DEMO_CARRIERS := {"easypost": {"type": "easypost", "api_key": "EZTK_sandbox", "api_base": "http://127.0.0.1:$(SANDBOX_PORT)/easypost/v2", "ship_from": $(DEMO_SHIP_FROM)}, "shippo": {"type": "shippo", "api_key": "shippo_test_sandbox", "server_url": "http://127.0.0.1:$(SANDBOX_PORT)/shippo", "ship_from": $(DEMO_SHIP_FROM)}, "drivers": {"type": "courier", "ship_from": $(DEMO_SHIP_FROM)}}
# Demo-only signing secrets between local processes (sandbox -> finalmile -> fake PMS); the
# variables, when set, win.
run: export FINALMILE_EASYPOST_WEBHOOK_SECRET ?= demo-easypost-webhook-secret
run: export FINALMILE_DEMO_PMS_SECRET ?= whsec_ZmluYWxtaWxlIGRlbW8gUE1TIHNlY3JldCwgMzIgQi4=
# Decisions price carriers with live rates from the sandbox accounts, so a carrier decision names
# the account dispatch buys from (docs/rules.md "Live quotes"); the variable, when set, wins.
run: export FINALMILE_QUOTES ?= live

## run: install, migrate, start the carrier sandbox (:8787) and a fake PMS (:8790), load demo data
## (DEMO-RX-011 decided by carrier from live sandbox rates and dispatched as decided), plan the
## demo courier day, serve HTTP :8000 + MLLP :2575, and watch DEMO-RX-011 get delivered and billed
## (FINALMILE_HTTP_PORT, FINALMILE_MLLP_PORT, SANDBOX_PORT, FAKE_PMS_PORT move the ports)
run: $(STAMP)
	data="$${FINALMILE_DATA_DIR:-.finalmile}"; follow=; \
	$(BIN)/finalmile sandbox --port $(SANDBOX_PORT) --db "$$data/sandbox.db" & \
	sandbox=$$!; \
	$(BIN)/python -m finalmile_devtools.fake_pms --port $(FAKE_PMS_PORT) --events "$$data/fake-pms/events.jsonl" & \
	pms=$$!; trap 'kill $$sandbox $$pms $$follow 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python -m finalmile_devtools.wait_http http://127.0.0.1:$(SANDBOX_PORT)/_sandbox/clock || exit 1; \
	$(BIN)/python -m finalmile_devtools.wait_http http://127.0.0.1:$(FAKE_PMS_PORT)/events || exit 1; \
	export FINALMILE_CARRIERS="$${FINALMILE_CARRIERS:-$$DEMO_CARRIERS}"; \
	if [ -z "$$FINALMILE_CONFIG_DIR" ]; then \
		export FINALMILE_CONFIG_DIR="$$data/demo-config"; \
		$(BIN)/python -m finalmile_devtools.demo_config "$$FINALMILE_CONFIG_DIR" \
			--pms-url http://127.0.0.1:$(FAKE_PMS_PORT)/finalmile/events || exit 1; fi; \
	$(BIN)/finalmile demo || exit 1; \
	$(BIN)/finalmile routes plan --demo --seconds 2 --manifests "$$data/manifests" > "$$data/demo-routes.json" && \
	echo "demo courier day: routes in $$data/demo-routes.json, driver manifests in $$data/manifests/"; \
	$(BIN)/python -m finalmile_devtools.demo_delivery --sandbox http://127.0.0.1:$(SANDBOX_PORT) \
		--pms http://127.0.0.1:$(FAKE_PMS_PORT) & \
	follow=$$!; \
	$(BIN)/finalmile serve

## test: the whole suite (SQLite; PostgreSQL too when FINALMILE_TEST_POSTGRES_URL is set, always under
## CI=true, which also installs Debian's chromium for the browser tests when it is missing)
test: $(STAMP)
	@if [ "$$CI" = "true" ] && ! command -v chromium >/dev/null 2>&1; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get install -y -q chromium >/dev/null 2>&1 || \
		{ apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; } || exit 1; fi
	@if [ -n "$$FINALMILE_TEST_POSTGRES_URL" ]; then \
		$(BIN)/python -m finalmile.db_probe "$$FINALMILE_TEST_POSTGRES_URL" || exit 1; fi
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal

## check: formatting, lint, types, the import contract (layers), the package graph (no cycles)
## and public surfaces (no import into another package's modules)
check: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python scripts/package_graph.py
	$(BIN)/python scripts/package_graph.py --surfaces

## bench: benchmarks (ratios against a baseline measured in the same run; installs the bench extra)
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/hl7_parse.py
	$(BIN)/python bench/mllp_ingest.py
	$(BIN)/python bench/csv_ingest.py
	$(BIN)/python bench/decide.py
	$(BIN)/python bench/labels.py
	$(BIN)/python bench/outbox.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/console.py 2>/dev/null
	$(BIN)/python bench/routing_solomon.py --seconds $(ROUTING_SECONDS)
	$(BIN)/python bench/routing_pharmacy.py --seconds 10

## fuzz: 1,000,000 mutated HL7 v2 messages, 100,000 FHIR R4 payloads and 100,000 CSV files through
## the in-process entry points (prepare, plan, answer; one worker per core), then 20,000 HL7 v2
## messages over MLLP to a child server; prints progress, outcome counts and rates, fails on any
## uncaught exception, unlocated rejection or unanswered frame
## (FUZZ_CASES, FUZZ_FHIR_CASES, FUZZ_CSV_CASES, FUZZ_MLLP_CASES, FUZZ_SEED, FUZZ_WORKERS; 0 skips a run)
FUZZ_CASES ?= 1000000
FUZZ_FHIR_CASES ?= 100000
FUZZ_CSV_CASES ?= 100000
FUZZ_MLLP_CASES ?= 20000
FUZZ_SEED ?= 14
FUZZ_WORKERS ?= $(shell nproc 2>/dev/null || echo 1)
fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz.py --hl7-cases $(FUZZ_CASES) --fhir-cases $(FUZZ_FHIR_CASES) \
		--csv-cases $(FUZZ_CSV_CASES) --mllp-cases $(FUZZ_MLLP_CASES) --seed $(FUZZ_SEED) \
		--workers $(FUZZ_WORKERS)

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .finalmile .pytest_cache .mypy_cache .ruff_cache
