"""Optional: a local Hugging Face sequence-classification model, for users who have weights.

Point ``VIGIE_HF_MODEL_DIR`` at a directory saved with ``save_pretrained`` (config, weights,
tokenizer). Nothing is ever downloaded: loading is ``local_files_only``. Without the variable the
analyzer answers ``None`` for every item and imports nothing; with it, ``transformers`` and
``torch`` must be installed (``pip install 'vigie[hf]'``).

Result: ``{"hf_classification": {"label": str, "score": float, "model": str}}`` where ``label``
comes from the model's ``id2label`` and ``score`` is its softmax probability.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from vigie.analysis.contract import Analyzer, Item, Results

ENV_VAR = "VIGIE_HF_MODEL_DIR"
MAX_TOKENS = 256


class HuggingFaceModelError(RuntimeError):
    """The configured model cannot be used (missing directory or missing libraries)."""


class HuggingFaceAnalyzer(Analyzer):
    name = "hf_model"
    version = "1.0"
    provides: ClassVar[frozenset[str]] = frozenset({"hf_classification"})

    def __init__(self, model_dir: str | Path | None = None, *, batch_size: int = 32) -> None:
        configured = model_dir if model_dir is not None else os.environ.get(ENV_VAR, "")
        self.model_dir = Path(configured) if configured else None
        self.batch_size = batch_size
        self._torch: Any = None
        self._tokenizer: Any = None
        self._model: Any = None

    def load(self) -> None:
        if self.model_dir is None or self._model is not None:
            return
        if not (self.model_dir / "config.json").is_file():
            raise HuggingFaceModelError(
                f"{ENV_VAR}: {self.model_dir} has no config.json (use save_pretrained)"
            )
        try:
            # Imported by name: the optional dependency group is not installed by default.
            transformers = importlib.import_module("transformers")
            self._torch = importlib.import_module("torch")
        except ImportError as exc:
            raise HuggingFaceModelError(
                f"{ENV_VAR} is set but {exc.name} is missing: pip install 'vigie[hf]'"
            ) from exc
        self._tokenizer = transformers.AutoTokenizer.from_pretrained(
            str(self.model_dir), local_files_only=True
        )
        self._model = transformers.AutoModelForSequenceClassification.from_pretrained(
            str(self.model_dir), local_files_only=True
        )
        self._model.eval()

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        if self.model_dir is None:
            return [{"hf_classification": None} for _ in batch]
        self.load()
        torch = self._torch
        labels: dict[int, str] = self._model.config.id2label
        answers: list[Results] = []
        for start in range(0, len(batch), self.batch_size):
            chunk = batch[start : start + self.batch_size]
            encoded = self._tokenizer(
                [item.text for item in chunk],
                padding=True,
                truncation=True,
                max_length=MAX_TOKENS,
                return_tensors="pt",
            )
            with torch.no_grad():
                probabilities = torch.softmax(self._model(**encoded).logits, dim=-1)
            best = probabilities.max(dim=-1)
            for score, index in zip(best.values.tolist(), best.indices.tolist(), strict=True):
                answers.append(
                    {
                        "hf_classification": {
                            "label": str(labels.get(index, index)),
                            "score": round(float(score), 4),
                            "model": self.model_dir.name,
                        }
                    }
                )
        return answers
