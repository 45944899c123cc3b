# Lambda zips (issue 5): dist/<function>.zip + dist/<function>.json, built from uv.lock.
# How it works, reproducibility rules, budgets, boto3 decision: tools/build/README.md.

ARCH ?= arm64
LEGO_BUILD = $(UV) run --frozen --package lego-build lego-build

.PHONY: build build-check build-clean

build: ## Lambda zips + sidecars into dist/ (FN=mocs for one, ARCH=arm64|x86_64; unchanged = reused)
	$(LEGO_BUILD) build --arch $(ARCH) $(if $(FN),--function $(FN))

build-check: ## build, verify zips + sidecars + size limits, smoke-test each handler from its zip
	$(LEGO_BUILD) check --arch $(ARCH) $(if $(FN),--function $(FN))

build-clean: ## remove dist/ and the host-compatible smoke builds
	rm -rf dist build/lego-build-host

TEST_STEPS += build-check
