"""GET /health: database, Redis and OpenSearch status."""
