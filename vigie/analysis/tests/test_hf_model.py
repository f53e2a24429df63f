"""The optional Hugging Face analyzer. The model is built here, tiny and random, then saved and
read back from disk; nothing is downloaded. Skipped when transformers/torch are not installed."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from vigie.analysis.builtin.hf_model.analyzer import (
    MAX_TOKENS,
    HuggingFaceAnalyzer,
    HuggingFaceModelError,
    max_length,
)
from vigie.analysis.contract import Item


def test_without_a_configured_model_it_answers_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VIGIE_HF_MODEL_DIR", raising=False)
    analyzer = HuggingFaceAnalyzer()
    analyzer.load()
    assert analyzer.analyze([Item(id="1", text="x")], [{}]) == [{"hf_classification": None}]


def test_a_directory_without_a_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(HuggingFaceModelError, match="has no config.json"):
        HuggingFaceAnalyzer(tmp_path).load()


def tiny_model(directory: Path) -> None:
    # Not in the dev set on purpose: torch from PyPI pulls about 20 CUDA wheels (several GB) on
    # Linux. `make test-hf` installs the extra from a local CPU torch wheel when pip has one (CI
    # does), and `pip install -e '.[hf]'` works anywhere.
    reason = "the optional 'hf' extra (transformers + torch, several GB from PyPI) is not installed"
    transformers = pytest.importorskip("transformers", reason=reason)
    pytest.importorskip("torch", reason=reason)
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "bon", "nul", "accueil", "attente"]
    (directory / "vocab.txt").write_text("\n".join(words) + "\n")
    tokenizer = transformers.BertTokenizerFast(vocab_file=str(directory / "vocab.txt"))
    config = transformers.BertConfig(
        vocab_size=len(words),
        hidden_size=8,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=16,
        max_position_embeddings=64,
        num_labels=3,
        id2label={0: "negative", 1: "neutral", 2: "positive"},
        label2id={"negative": 0, "neutral": 1, "positive": 2},
    )
    model = transformers.BertForSequenceClassification(config)
    model.save_pretrained(str(directory))
    tokenizer.save_pretrained(str(directory))


def test_it_classifies_with_a_local_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tiny_model(tmp_path)
    # Recent transformers write id2label and no num_labels: the labels are what the analyzer reads.
    assert len(json.loads((tmp_path / "config.json").read_text())["id2label"]) == 3
    monkeypatch.setenv("VIGIE_HF_MODEL_DIR", str(tmp_path))
    analyzer = HuggingFaceAnalyzer()
    items = [
        Item(id=str(i), text=text) for i, text in enumerate(["bon accueil", "attente nul", "", "bon " * 400])
    ]
    results = analyzer.analyze(items, [{} for _ in items])
    assert len(results) == 4
    for result in results:
        answer = result["hf_classification"]
        assert answer["label"] in {"negative", "neutral", "positive"}
        assert 1 / 3 <= answer["score"] <= 1
        assert answer["model"] == tmp_path.name


def test_texts_are_cut_to_what_the_model_can_take() -> None:
    unlimited = SimpleNamespace(model_max_length=int(1e30))
    # A small BERT: its position table is the limit.
    assert max_length(unlimited, SimpleNamespace(model_type="bert", max_position_embeddings=64)) == 64
    # CamemBERT numbers positions from padding_idx + 1: 514 positions hold 512 tokens.
    camembert = SimpleNamespace(model_type="camembert", max_position_embeddings=66, pad_token_id=1)
    assert max_length(unlimited, camembert) == 64
    # A large model: Vigie's own cap, for speed.
    large = SimpleNamespace(model_type="camembert", max_position_embeddings=514, pad_token_id=1)
    assert max_length(SimpleNamespace(model_max_length=512), large) == MAX_TOKENS
    assert max_length(SimpleNamespace(model_max_length=128), large) == 128
