"""A small shop: a SQLite warehouse, raw -> clean -> report assets, and a job. Runs offline."""
