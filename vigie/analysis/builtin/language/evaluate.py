"""Language of short texts (30 characters or fewer), French and English, measured.

    python -m vigie.analysis.builtin.language.evaluate [--split tune|test] [--errors]

The texts are the short reviews, review titles and tweets of ``../shared/data`` whose language is
known from their set (French: the French review sets, Trustpilot titles, French tweets; English:
Amazon UK headlines and reviews, MARC-en, clothing review titles, English tweets), at most 30
characters and at least one letter, duplicates removed. ``tune`` is the share the word lists were
checked on, ``test`` (``data.is_validation``) was only scored. Each text is scored three ways: no
hint, the right hint (the organisation's language is the text's), and the wrong hint (a French
organisation receiving English texts and the reverse): the hint must help when a text is
ambiguous without overriding one that is clear.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections import Counter
from pathlib import Path

from vigie.analysis.builtin.language.analyzer import LanguageAnalyzer
from vigie.analysis.contract import Item

MAX_CHARS = 30
PER_LANGUAGE = 1500
SEED = 16


def _csv(path: Path, column: str) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [row.get(column) or "" for row in csv.DictReader(handle)]


def short_texts() -> list[tuple[str, str]]:
    """(text, language) pairs of at most MAX_CHARS characters."""
    from vigie.analysis.training import data

    root = data.DATA
    french = [e.text for e in data.star_reviews()]
    french += _csv(root / "trustpilot_fr/trustpilot_fr_reviews.csv", "title_review")
    train, val = data.tweets()
    french += [e.text for e in train + val]
    english = _csv(root / "amazon_uk_en_10k/amazon_uk_reviews_10k.csv", "review_headline")
    english += _csv(root / "amazon_uk_en_10k/amazon_uk_reviews_10k.csv", "review_body")
    english += _csv(root / "amazon_marc_en/marc_en_train_sample.csv", "review_body")
    english += _csv(root / "en_womens_clothing_reviews/womens_clothing_reviews_subset.clean.csv", "Title")
    for name in sorted((root / "umsab_tweets/english").glob("*text*")):
        english += name.read_text(encoding="utf-8").splitlines()
    pairs: list[tuple[str, str]] = []
    for language, texts in (("fr", french), ("en", english)):
        seen: set[str] = set()
        kept = []
        for text in texts:
            text = " ".join(text.split())
            if 0 < len(text) <= MAX_CHARS and any(c.isalpha() for c in text) and text.lower() not in seen:
                seen.add(text.lower())
                kept.append(text)
        random.Random(SEED).shuffle(kept)  # noqa: S311 - a reproducible sample, not a secret
        pairs += [(text, language) for text in kept[: PER_LANGUAGE * 2]]
    return pairs


def main(argv: list[str] | None = None) -> int:
    from vigie.analysis.training.data import is_validation

    parser = argparse.ArgumentParser(prog="python -m vigie.analysis.builtin.language.evaluate")
    parser.add_argument("--split", choices=["tune", "test"], default="test")
    parser.add_argument("--errors", action="store_true")
    options = parser.parse_args(argv)
    pairs = [(t, lang) for t, lang in short_texts() if is_validation(t) == (options.split == "test")]
    analyzer = LanguageAnalyzer()
    analyzer.load()
    other = {"fr": "en", "en": "fr"}
    print(
        f"{options.split}: {len(pairs)} texts of at most {MAX_CHARS} characters",
        dict(Counter(language for _, language in pairs)),
    )
    print("| hint | French wrong | English wrong | all wrong |")
    print("|---|---|---|---|")
    for name, hint_of in (
        ("none", lambda _: ""),
        ("right", lambda lang: lang),
        ("wrong", lambda lang: other[lang]),
    ):
        items = [Item(id=str(i), text=t, language_hint=hint_of(lang)) for i, (t, lang) in enumerate(pairs)]
        found = [r["language"] for r in analyzer.analyze(items, [{} for _ in items])]
        wrong = Counter(lang for (_, lang), got in zip(pairs, found, strict=True) if got != lang)
        total = Counter(lang for _, lang in pairs)
        share = {lang: wrong[lang] / total[lang] for lang in total}
        print(f"| {name} | {share['fr']:.1%} | {share['en']:.1%} | {sum(wrong.values()) / len(pairs):.1%} |")
        if options.errors and name == "right":
            for (text, lang), got in zip(pairs, found, strict=True):
                if got != lang:
                    print(f"  {lang} -> {got}: {text}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
