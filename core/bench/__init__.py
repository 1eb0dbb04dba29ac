"""Benchmarks behind ``ganvas bench``: each prints measured figures, never asserts timings."""
