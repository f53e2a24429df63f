"""``python -m vigie.analysis.evaluate``: metrics of the shipped models (see vigie.analysis.training.evaluate)."""

from vigie.analysis.training.evaluate import main

if __name__ == "__main__":
    main()
