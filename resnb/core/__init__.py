"""Declarations: config, env vars, resources, and (later) assets, ops, jobs and Definitions."""
