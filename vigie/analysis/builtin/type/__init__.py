"""The type analyzer (see analyzer.py)."""
