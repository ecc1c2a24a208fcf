"""cuflow benchmarks: each workload runs cuflow and its peers side by side in one process."""
