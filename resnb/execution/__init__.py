"""Running work: plans, contexts, executors, IO managers, materialize and results."""
