"""Benchmarks: run with `make bench`; they print, they never assert."""
