"""Benchmarks: `python -m bench NAME [--quick]`; the registry is bench/__main__.py."""
