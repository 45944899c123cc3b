# Front door of the LEGO Projects API monorepo. `make` lists the targets.
# Fragments in mk/*.mk add targets per concern (build, terraform, traffic, dev).

SHELL := /bin/bash
.DEFAULT_GOAL := help
export AWS_ACCESS_KEY_ID ?= testing
export AWS_SECRET_ACCESS_KEY ?= testing
export AWS_DEFAULT_REGION ?= us-east-1
export AWS_EC2_METADATA_DISABLED := true

UV ?= uv
PYTEST_ARGS ?=
# Steps `make test` runs after pytest; fragments append (e.g. tf-check).
TEST_STEPS :=
# mypy checks the import packages (src/); tests repeat file names across folders.
MYPY_TARGETS = $(wildcard packages/*/src/* functions/*/src/* ops/*/src/* tools/*/src/*)

-include mk/*.mk

.PHONY: help install sync lint fmt typecheck test pytest test-fn migrate bench

help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | sort -u | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-15s\033[0m %s\n", $$1, $$2}'

install: ## install system packages (postgresql, redis-server, chromium) if absent, uv, and the locked workspace
	@scripts/install-deps.sh

sync: ## uv sync the locked workspace (no system packages)
	$(UV) sync --frozen

lint: ## ruff lint + format check, mypy strict on packages/ functions/ ops/ tools/
	$(UV) run ruff check .
	$(UV) run ruff format --check .
	$(UV) run mypy $(MYPY_TARGETS)

fmt: ## ruff format + autofix
	$(UV) run ruff format .
	$(UV) run ruff check --fix .

typecheck: ## mypy only
	$(UV) run mypy $(MYPY_TARGETS)

pytest: ## pytest over the whole tree (starts native or Docker services itself)
	$(UV) run pytest $(PYTEST_ARGS)

test: install ## install what is missing, then lint, every test and the checks of mk/*.mk
	$(MAKE) lint
	$(MAKE) pytest
	@for step in $(TEST_STEPS); do $(MAKE) $$step || exit 1; done

test-fn: ## one function's tests alone: make test-fn FN=mocs
	@test -n "$(FN)" || { echo "usage: make test-fn FN=<function>" >&2; exit 2; }
	$(UV) run pytest functions/$(FN) $(PYTEST_ARGS)

migrate: ## apply migrations to the database in DB_* env vars (make dev migrates its own stack)
	$(UV) run lego-migrate apply

bench: ## run the benchmarks, write bench/results.json and print the table
	$(UV) run python -m bench
