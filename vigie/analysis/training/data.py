"""Loaders of the labelled public sets in ``../shared/data`` beside the repository (or ``$VIGIE_DATA``), and the
seeded train/validation splits every model and every reported number uses."""

from __future__ import annotations

import csv
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

csv.field_size_limit(10_000_000)

# The repository's checkout sits next to ``shared/`` (…/main and …/shared), or one level deeper
# for a git worktree (…/wt/NAME): look there by default.
_BESIDE = [Path(__file__).resolve().parents[depth] / "shared" / "data" for depth in (4, 5)]
DATA = Path(os.environ.get("VIGIE_DATA", next((p for p in _BESIDE if p.is_dir()), _BESIDE[0])))
VALIDATION_SHARE = 0.15


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


def tweets() -> tuple[list[Example], list[Example]]:
    """UMSAB French tweets (0 negative, 1 neutral, 2 positive): its own train and val splits."""
    folder = DATA / "umsab_tweets/french"
    splits = []
    for name in ("train", "val"):
        texts = (folder / f"{name}_text.txt").read_text(encoding="utf-8").splitlines()
        labels = (folder / f"{name}_labels.txt").read_text(encoding="utf-8").splitlines()
        splits.append(
            [
                Example("umsab_tweets", f"{name}:{i}", t, lab.strip())
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


ASPECTS = ("price", "food", "service", "ambiance")


def restaurant_aspects() -> list[tuple[str, frozenset[str]]]:
    """TripAdvisor restaurant reviews with the set of aspects they express (NE = absent)."""
    found = []
    for name in ("train", "val"):
        for r in _rows(DATA / f"fr_tripadvisor_restaurants/{name}.csv"):
            found.append((r["review"], frozenset(a for a in ASPECTS if r[a] != "NE")))
    return found
