# Local stack (issue 7): the real handlers behind a local API Gateway, as `sst dev` was.
# tools/gateway/README.md walks through it with curl.

.PHONY: dev token seed
PORT ?= 3000
LEGO_DEV = $(UV) run --frozen --quiet lego-dev

dev: install ## serve the API at http://127.0.0.1:$(PORT) on a local stack (PORT=...; Ctrl-C stops all)
	@PORT=$(PORT) $(LEGO_DEV) serve

token: ## print (only) a bearer token for USER on the running `make dev`: make token USER=alice
	@$(LEGO_DEV) token "$(USER)"

seed: ## demo data (alice, bob: MOCs, albums, images, wishlist) on the running `make dev`; rerun-safe
	@$(LEGO_DEV) seed
