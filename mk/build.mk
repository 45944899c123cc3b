# Lambda zips (issue 5): dist/<function>.zip + dist/<function>.json, built from uv.lock.
# How it works, reproducibility rules, budgets, boto3 decision: tools/build/README.md.

ARCH ?= arm64
# .pyc compiled by a Python 3.13: auto (use one if found), none, or a path (README "Bytecode").
BYTECODE_PYTHON ?= auto
LEGO_BUILD = $(UV) run --frozen --package lego-build lego-build
BUILD_ARGS = --arch $(ARCH) $(if $(FN),--function $(FN)) $(if $(BYTECODE_PYTHON),--bytecode-python $(BYTECODE_PYTHON))

.PHONY: build build-check build-clean

build: ## Lambda zips + sidecars into dist/ (FN=mocs for one, ARCH=arm64|x86_64; unchanged = reused)
	$(LEGO_BUILD) build $(BUILD_ARGS)

build-check: ## build, verify zips + sidecars + size limits, smoke-test each handler from its zip
	$(LEGO_BUILD) check $(BUILD_ARGS)

build-clean: ## remove dist/ and the smoke/bench builds under build/
	rm -rf dist build/lego-build-host build/lego-build-x86_64

TEST_STEPS += build-check
