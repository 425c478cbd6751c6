"""Benchmarks: `make bench` (or `python -m bench [name ...]`) prints one table per benchmark.

Speed targets live here, never as timed assertions in the tests.
"""
