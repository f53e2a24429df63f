"""The themes analyzer (see analyzer.py)."""
