# Terraform (issue 6): modules + envs under terraform/, checked offline against moto.

.PHONY: tf-check tf-fmt

tf-check: ## fmt, validate, terraform test, checkov, apply dev + plan staging/production on moto
	@scripts/tf-check.sh

tf-fmt: ## terraform fmt -recursive terraform/
	terraform fmt -recursive terraform

TEST_STEPS += tf-check

.PHONY: tf-moved-check
tf-moved-check: ## apply dev as laid out at c873d15 on moto, switch to modules/stack: plan must be empty
	@scripts/tf-moved-check.sh
