"""Loaders of the labelled public sets in ``../shared/data`` beside the repository (or ``$VIGIE_DATA``), and the
seeded train/validation splits every model and every reported number uses."""

from __future__ import annotations

import csv
import hashlib
import math
import os
from dataclasses import dataclass
from pathlib import Path

csv.field_size_limit(10_000_000)

# The repository's checkout sits next to ``shared/`` (…/main and …/shared), or one level deeper
# for a git worktree (…/wt/NAME): look there by default.
_BESIDE = [Path(__file__).resolve().parents[depth] / "shared" / "data" for depth in (4, 5)]
DATA = Path(os.environ.get("VIGIE_DATA", next((p for p in _BESIDE if p.is_dir()), _BESIDE[0])))
VALIDATION_SHARE = 0.15
# The next 10 % of the hash range is the TEST split: never trained on, and never used to choose
# anything (method, hyper-parameter, threshold); it is only reported (docs/models.md).
TEST_SHARE = 0.10


@dataclass(frozen=True)
class Example:
    """One labelled text: where it comes from, its row id there, its label."""

    dataset: str
    row: str
    text: str
    label: str


def is_validation(text: str, share: float = VALIDATION_SHARE) -> bool:
    """Deterministic split on the text itself, so duplicates across sets never straddle it."""
    digest = hashlib.md5(text.strip().lower().encode(), usedforsecurity=False).digest()
    return int.from_bytes(digest[:4], "big") / 2**32 < share


def _position(text: str) -> float:
    digest = hashlib.md5(text.strip().lower().encode(), usedforsecurity=False).digest()
    return int.from_bytes(digest[:4], "big") / 2**32


def is_test(text: str) -> bool:
    """The test split: the hash range just after the validation split's."""
    return VALIDATION_SHARE <= _position(text) < VALIDATION_SHARE + TEST_SHARE


def split_of(text: str) -> str:
    """``"validation"``, ``"test"`` or ``"train"``."""
    position = _position(text)
    if position < VALIDATION_SHARE:
        return "validation"
    return "test" if position < VALIDATION_SHARE + TEST_SHARE else "train"


def _rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def star_reviews() -> list[Example]:
    """Customer reviews rated 1–5 stars (label: the star count as a string)."""
    found: list[Example] = []
    for i, r in enumerate(_rows(DATA / "fr_insurance_reviews/insurance_reviews_fr_labelled.csv")):
        found.append(Example("fr_insurance_reviews", str(i), r["avis"], r["note"]))
    for i, r in enumerate(_rows(DATA / "cdiscount_trustpilot_fr/cdiscount_trustpilot_reviews_fr.csv")):
        found.append(Example("cdiscount_trustpilot_fr", str(i), r["content"], r["stars"]))
    for i, r in enumerate(_rows(DATA / "trustpilot_fr/trustpilot_fr_reviews.csv")):
        text = f"{r['title_review']}. {r['content_review']}".strip(". ")
        found.append(Example("trustpilot_fr", str(i), text, r["stars"]))
    for i, r in enumerate(_rows(DATA / "amazon_marc_fr/marc_fr_train_sample.csv")):
        found.append(Example("amazon_marc_fr", r["marc_train_index"] or str(i), r["review_body"], r["stars"]))
    for name in ("train", "val"):
        for i, r in enumerate(_rows(DATA / f"fr_tripadvisor_restaurants/{name}.csv")):
            found.append(Example("fr_tripadvisor_restaurants", f"{name}:{i}", r["review"], r["stars"]))
    return [e for e in found if e.text.strip() and e.label in {"1", "2", "3", "4", "5"}]


def amazon_fr_reviews() -> list[Example]:
    """Amazon.fr book, DVD and music reviews of Webis-CLS-10 (1, 2, 4 or 5 stars: the corpus has no
    3), title then text, each text kept once (the set repeats a few hundred)."""
    found: list[Example] = []
    seen: set[str] = set()
    for i, r in enumerate(_rows(DATA / "webis_cls10_fr/webis_cls10_fr_train.csv")):
        text = f"{r['summary']}. {r['text']}".strip(". ")
        key = text.strip().lower()
        if key in seen or not text.strip() or r["stars"] not in {"1", "2", "4", "5"}:
            continue
        seen.add(key)
        found.append(Example("webis_cls10_fr", f"{r['domain']}:{i}", text, r["stars"]))
    return found


def more_french_reviews() -> list[Example]:
    """French review sets added for polarity (label: 1–5 stars as a string): Allociné TV-series
    reviews (binary: 1 or 5), Babelio-style book reviews (rating rounded up; half-stars kept as
    the star above) and the Webis-CLS-10 Amazon.fr books/DVD/music reviews."""
    found = list(amazon_fr_reviews())
    for i, r in enumerate(_rows(DATA / "allocine_tvseries_fr/allocine_tvseries_fr.csv")):
        # Lower-cased and tokenised by its authors: glue the punctuation back.
        text = r["text"].replace(" ,", ",").replace(" .", ".").replace(" !", "!").replace(" ?", "?")
        found.append(Example("allocine_tvseries_fr", str(i), text, "5" if r["polarity"] == "1" else "1"))
    for i, r in enumerate(_rows(DATA / "fr_book_reviews/french_books_reviews.csv")):
        try:
            rating = float(r["rating"])
        except ValueError:
            continue
        if 0 < rating <= 5:
            found.append(Example("fr_book_reviews", str(i), r["reader_review"], str(math.ceil(rating))))
    return [e for e in found if e.text.strip()]


def english_reviews() -> list[Example]:
    """English reviews rated 1–5 stars: MARC-en (body only), Amazon.co.uk (headline then body),
    Webis-CLS-10 Amazon.com books/DVD/music (1, 2, 4, 5 stars), women's clothing (title then text)."""
    found: list[Example] = []
    for i, r in enumerate(_rows(DATA / "amazon_marc_en/marc_en_train_sample.csv")):
        found.append(Example("amazon_marc_en", r["marc_train_index"] or str(i), r["review_body"], r["stars"]))
    for r in _rows(DATA / "amazon_uk_en_10k/amazon_uk_reviews_10k.csv"):
        text = f"{r['review_headline']}. {r['review_body']}".strip(". ")
        found.append(Example("amazon_uk_en", r["review_id"], text, r["stars"]))
    seen: set[str] = set()
    for i, r in enumerate(_rows(DATA / "webis_cls10_en/webis_cls10_en_train.csv")):
        text = f"{r['summary']}. {r['text']}".strip(". ")
        if text.strip().lower() in seen:
            continue
        seen.add(text.strip().lower())
        found.append(Example("webis_cls10_en", f"{r['domain']}:{i}", text, r["stars"]))
    for i, r in enumerate(
        _rows(DATA / "en_womens_clothing_reviews/womens_clothing_reviews_subset.clean.csv")
    ):
        text = f"{r['Title']}. {r['ReviewText']}".strip(". ")
        found.append(Example("en_womens_clothing", str(i), text, r["Rating"].split(".")[0]))
    return [e for e in found if e.text.strip() and e.label in {"1", "2", "3", "4", "5"}]


def tweets(language: str = "french") -> tuple[list[Example], list[Example]]:
    """UMSAB tweets of ``language`` ("french" or "english"; 0 negative, 1 neutral, 2 positive):
    its own train and val splits."""
    folder = DATA / "umsab_tweets" / language
    splits = []
    for name in ("train", "val"):
        texts = (folder / f"{name}_text.txt").read_text(encoding="utf-8").splitlines()
        labels = (folder / f"{name}_labels.txt").read_text(encoding="utf-8").splitlines()
        splits.append(
            [
                # The French set keeps its historical name: the type labels refer to its rows by it.
                Example(
                    "umsab_tweets" if language == "french" else f"umsab_tweets/{language}",
                    f"{name}:{i}",
                    t,
                    lab.strip(),
                )
                for i, (t, lab) in enumerate(zip(texts, labels, strict=True))
            ]
        )
    return splits[0], splits[1]


def toxicity() -> list[Example]:
    """French toxic (``1``) / non-toxic (``0``) messages."""
    found: list[Example] = []
    for r in _rows(DATA / "fr_toxicity/ToxiFrenchBalanced.csv"):
        found.append(Example("fr_toxicity/ToxiFrench", r["msg_id"], r["content"], r["label"]))
    for r in _rows(DATA / "fr_toxicity/JigsawBilingualBalanced.csv"):
        found.append(Example("fr_toxicity/JigsawBilingual", r["msg_id"], r["content"], r["label"]))
    for r in _rows(DATA / "fr_toxicity/subset_jigsaw.csv"):
        found.append(
            Example("fr_toxicity/subset_jigsaw", r["msg_id"], r["content"], "1" if r["toxic"] == "1" else "0")
        )
    for r in _rows(DATA / "mlma_hate_speech/fr_dataset.csv"):
        found.append(
            Example("mlma_hate_speech/fr", r["HITId"], r["tweet"], "0" if r["sentiment"] == "normal" else "1")
        )
    return [e for e in found if e.text.strip()]


def toxicity_en() -> list[Example]:
    """English toxic (``1``) / non-toxic (``0``) messages: the Jigsaw comments' English originals
    (the French sets hold their machine translations) and MLMA's English hate-speech tweets."""
    found: list[Example] = []
    for r in _rows(DATA / "fr_toxicity/JigsawBilingualBalanced.csv"):
        found.append(Example("jigsaw_en", r["msg_id"], r["original_text"], r["label"]))
    for r in _rows(DATA / "fr_toxicity/subset_jigsaw.csv"):
        found.append(
            Example(
                "jigsaw_en", f"subset:{r['msg_id']}", r["original_text"], "1" if r["toxic"] == "1" else "0"
            )
        )
    for r in _rows(DATA / "mlma_hate_speech/en_dataset.csv"):
        found.append(
            Example("mlma_hate_speech/en", r["HITId"], r["tweet"], "0" if r["sentiment"] == "normal" else "1")
        )
    return [e for e in found if e.text.strip()]


ASPECTS = ("price", "food", "service", "ambiance")


def restaurant_aspects() -> list[tuple[str, frozenset[str]]]:
    """TripAdvisor restaurant reviews with the set of aspects they express (NE = absent)."""
    found = []
    for name in ("train", "val"):
        for r in _rows(DATA / f"fr_tripadvisor_restaurants/{name}.csv"):
            found.append((r["review"], frozenset(a for a in ASPECTS if r[a] != "NE")))
    return found
