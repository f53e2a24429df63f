"""The toxicity analyzer (see analyzer.py)."""
