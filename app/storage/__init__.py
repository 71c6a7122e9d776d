"""Storage: the database set-up, column types, the Redis client, cache keys and their invalidation."""
