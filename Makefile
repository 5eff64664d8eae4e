# eventline: one entry point for the stack, the apps and the checks.
# `make up` brings everything up (Docker when an engine answers, else local
# processes); `make test` runs every test, starting the stack if needed.

SHELL := /bin/bash
.DEFAULT_GOAL := help
STACK := scripts/stack/stack.sh
APPS := scripts/stack/apps.sh
CLI := node --import tsx apps/cli/src/main.ts
# Docker is used when its engine answers, unless EVENTLINE_STACK=local.
USE_DOCKER := $(shell [ "$$EVENTLINE_STACK" != local ] && docker info >/dev/null 2>&1 && echo yes)

.PHONY: help install up down status logs clean test build lint format \
	schemas-register schemas-types schemas-types-check schemas-check bench bench-smoke connectors \
	stack-status dead-letters replay-plan demo faults faults-smoke

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

node_modules/.installed: package.json package-lock.json $(wildcard libs/*/package.json apps/*/package.json)
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.installed ## install npm packages (Maven artifacts come with `make up`)

up: install ## start the stack, set up databases, connectors and schemas, start the apps
ifeq ($(USE_DOCKER),yes)
	docker compose up -d --wait
else
	bash $(STACK) up
endif
	$(CLI) setup
	$(CLI) schemas register
	bash $(APPS) up

down: ## stop everything that `make up` started
	bash $(APPS) down
ifeq ($(USE_DOCKER),yes)
	docker compose down
else
	bash $(STACK) down
endif

stack-status: install ## connectors, replication slots and WAL, consumer groups and lag
	$(CLI) status

# make dead-letters DB=inventory GROUP=inventory-service
dead-letters: install ## list parked events of GROUP in database DB
	$(CLI) dead-letters list --database $(DB) --group $(GROUP)

# make replay-plan GROUP=g TOPIC=t FROM=2026-12-01T10:00:00Z [UNTIL=...]
replay-plan: install ## dry run of a replay: offsets and event counts per partition
	$(CLI) replay --group $(GROUP) --topic $(TOPIC) --from $(FROM) $(if $(UNTIL),--until $(UNTIL)) --mode new-group --dry-run

status: ## show each component and app, its address and resident memory
ifeq ($(USE_DOCKER),yes)
	docker compose ps
else
	bash $(STACK) status
endif
	bash $(APPS) status

logs: ## show where the logs are and their last lines
ifeq ($(USE_DOCKER),yes)
	docker compose logs --tail=50
else
	bash $(STACK) logs
endif

clean: ## stop and delete all data, including replication slots
	bash $(APPS) down
ifeq ($(USE_DOCKER),yes)
	docker compose down --volumes
else
	bash $(STACK) clean
endif

connectors: install ## create or update the connectors in connectors/ and wait until they run
	$(CLI) setup

test: up ## run every test on the real stack (starts it when needed)
	npm test

build: install ## type-check everything
	npx tsc -p tsconfig.json --noEmit

lint: install ## ESLint and Prettier
	npx eslint .
	npx prettier --check .

format: install ## rewrite files with Prettier
	npx prettier --write .

schemas-register: install ## register every schema in schemas/ with its compatibility mode
	$(CLI) schemas register

schemas-types: install ## regenerate libs/schemas/src/generated from schemas/
	node --import tsx scripts/schemas/generate-types.ts

schemas-types-check: install ## fail when the generated types are stale
	node --import tsx scripts/schemas/generate-types.ts --check

# Offline against the git history; add REGISTRY=<url> to check the registry too.
schemas-check: install ## check every schema change for compatibility (names the field)
	node --import tsx scripts/schemas/check.ts $(if $(REGISTRY),--registry $(REGISTRY))

bench: up ## run the benchmarks; results in bench/results/
	node --import tsx bench/outbox-publish.ts
	node --import tsx bench/consumer-throughput.ts
	node --import tsx bench/saga-latency.ts
	node --import tsx bench/capture-drain.ts
	node --import tsx bench/latency.ts
	node --import tsx bench/report.ts

bench-smoke: up ## the benchmarks at a tiny size, so that they cannot rot
	node --import tsx bench/outbox-publish.ts --transactions 200 --rounds 1
	node --import tsx bench/consumer-throughput.ts --events 500 --rounds 1
	node --import tsx bench/saga-latency.ts --rate 5 --seconds 2
	node --import tsx bench/capture-drain.ts --events 2000
	node --import tsx bench/latency.ts --rates 5,20,50 --seconds 1
	node --import tsx bench/report.ts

demo: up ## place a few orders through the REST API and print how each ended
	node --import tsx scripts/demo.ts

faults: up ## fault scenarios under load on the local stack, then the invariants checked
	node --import tsx bench/faults/run.ts --runs 3 --events 3000 --orders 150

faults-smoke: up ## one small run of each fault scenario (CI)
	node --import tsx bench/faults/run.ts --runs 1 --events 600 --orders 20
