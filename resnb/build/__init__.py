"""Turning declarations into live objects: env resolution, ordering, build_resources."""
