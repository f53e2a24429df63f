"""The sentiment analyzer (see analyzer.py)."""
