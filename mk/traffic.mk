# Traffic ops (issue 8): lego-traffic, the blue/green cutover tool in ops/traffic.
# `make test` already runs these tests through pytest over ops/; these targets are shortcuts.

TRAFFIC_ENV ?= dev

.PHONY: traffic-test traffic-status traffic-demo

traffic-test: ## lego-traffic tests alone (moto; the terraform no-drift test needs terraform)
	$(UV) run pytest ops/traffic $(PYTEST_ARGS)

traffic-status: ## weights, last change and tfvars drift of TRAFFIC_ENV (real AWS credentials)
	$(UV) run lego-traffic status --env $(TRAFFIC_ENV)

traffic-demo: ## status, shift, rollback against a throwaway moto server (the README runbook output)
	$(UV) run python ops/traffic/demo/moto_demo.py -- status -- shift --green 10 -- status -- rollback

.PHONY: preflight
preflight: ## read-only check of what ENV's account needs before its first apply (README "Deploying")
	@test -n "$(ENV)" || { echo "usage: make preflight ENV=<dev|staging|production>" >&2; exit 2; }
	@# The Makefile's dummy test keys would hide the operator's real credentials (AWS_PROFILE).
	@if [ "$$AWS_ACCESS_KEY_ID" = testing ]; then unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED; fi; \
	  $(UV) run python -m lego_traffic.preflight --env $(ENV)
