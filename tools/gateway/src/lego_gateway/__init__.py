"""The local stack: the real handlers behind a local API Gateway HTTP API (`make dev`)."""
