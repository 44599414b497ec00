"""Once per process: a resource that leaves a marker file for every setup and teardown.

Used by ``notebooks/04_lifecycle.ipynb`` to count how often a resource is initialised under the
in-process executor (once per run) and the multiprocess executor (once per step, in each step's own
process). Counters in child processes never come back to the parent, files do.
"""
