DROP TABLE IF EXISTS cache_invalidation_outbox;
