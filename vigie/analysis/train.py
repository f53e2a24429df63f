"""``python -m vigie.analysis.train``: retrain the shipped models (see vigie.analysis.training.train)."""

from vigie.analysis.training.train import main

if __name__ == "__main__":
    main()
