"""`seed_demo` (demo data), `bench_pdf` and `bench_dashboard` (benchmarks on that data)."""
