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


# RoBERTa-style models number positions from padding_idx + 1, so two positions are unusable.
_OFFSET_POSITIONS = {"roberta", "camembert", "xlm-roberta", "flaubert"}


def max_length(tokenizer: Any, config: Any) -> int:
    """Tokens per text: MAX_TOKENS, or less when the model or its tokenizer cannot take that many
    (a small model's position table, a tokenizer's own limit)."""
    limits = [MAX_TOKENS]
    tokenizer_limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(tokenizer_limit, int) and 0 < tokenizer_limit < 1_000_000:
        limits.append(tokenizer_limit)
    positions = getattr(config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0:
        if getattr(config, "model_type", "") in _OFFSET_POSITIONS:
            positions -= (getattr(config, "pad_token_id", None) or 1) + 1
        limits.append(positions)
    return max(min(limits), 2)


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
        self._max_length = MAX_TOKENS

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
        self._max_length = max_length(self._tokenizer, self._model.config)

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
                max_length=self._max_length,
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
