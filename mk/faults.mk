# The fault-injection suite (issue 18, docs/reliability.md): Redis, OpenSearch (and, in
# tests/faults/data, PostgreSQL, S3, Cognito, Lambda) failing under the real handlers, behind the
# local gateway. `make pytest`, and so `make test`, already collects tests/: this is the subset.

.PHONY: test-faults

test-faults: ## the fault-injection suite alone: tests/faults and the fault proxy's own tests
	$(UV) run pytest tests/faults packages/devstack/tests/test_fault_proxy.py $(PYTEST_ARGS)
