"""`make bench-load`: the autosave load benchmark (see run.py and docs/benchmarks.md)."""
