"""Benchmarks, run with ``python -m bench`` (``make bench``); never collected as tests.

Each module ``bench/<name>.py`` with a ``run(**options) -> dict`` function is a benchmark. It may
define ``add_arguments(parser)`` for its own options. ``python -m bench`` runs each one in a fresh
Python process (so one cannot warm caches or share memory with the next) and prints one JSON line
per benchmark.
"""
