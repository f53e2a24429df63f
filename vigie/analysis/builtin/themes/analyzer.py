"""Themes analyzer: which of the organisation's themes a mention speaks of.

Matching goes beyond exact keywords: words are accent-folded and lightly stemmed (inflections),
single-typo variants are matched through a symmetric-deletion index, and each keyword is expanded
with the words that the shipped distributional model (trained on the review corpora, see
docs/models.md) finds closest to it (synonyms learned from data, filtered and checked by hand:
``vigie.analysis.training.synonyms``).

The default taxonomy follows the text's language (English keywords for an English text, without
the French synonyms); an organisation's own taxonomy applies whatever the language. Each theme
also gets the sentiment of the clauses that name it (``aspects``: "prix: négatif, service:
positif"): a text naming two themes or more is cut into sentences and contrast clauses ("mais",
"par contre", "but"), and each clause naming a theme is scored by the sentiment analyzer.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from vigie.analysis.contract import Analyzer, Item, Results
from vigie.analysis.taxonomy import default_taxonomy
from vigie.analysis.training import runtime

SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "modelfiles" / "synonyms.json"
_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = (
    "issements",
    "issement",
    "ements",
    "ement",
    "ations",
    "ation",
    "ateurs",
    "ateur",
    "atrices",
    "atrice",
    "euses",
    "euse",
    "eurs",
    "eur",
    "ives",
    "ive",
    "ifs",
    "if",
    "ees",
    "ee",
    "es",
    "er",
    "ez",
    "e",
    "s",
    "x",
)
# Words whose stem is a keyword's but whose meaning is not: "à nos attentes" (expectations),
# "une conseillère attentive" are not waiting.
_FALSE_FRIENDS = frozenset(
    ("attentes", "attentif", "attentifs", "attentive", "attentives", "attentivement", "expectations")
)
# "ce livre", "les livres" are books, not deliveries, though "livre" folds to the stem of "livré";
# a bare "livre" stays a delivery: reviews often drop the accent ("livre rapidement", "bien
# livre dans les temps"). A determiner or a common adjective before it says it is the noun.
_BOOK = re.compile(
    r"\b(?:le|un|ce|cet|mon|ton|son|du|les|des|ces|mes|tes|ses|nos|vos|leurs?|votre|notre"
    r"|beau|bon|petit|gros|premier|dernier|meilleur|excellent)\s+livres?\b"
)
MIN_STEM = 4
MIN_TYPO = 6
MIN_TYPO_EN = 8
# Distinct words remembered per index (their stems and themes): enough for a large vocabulary,
# bounded for a long-running worker.
_MAX_KNOWN = 200_000


# Typographic apostrophes are apostrophes: dropped with the accents, they glued "l’attente" into
# one word and "haven’t" into "havent".
_APOSTROPHES = ("\u2019", "\u2018", "\u02bc")


def fold(text: str) -> str:
    """Lower-case and strip accents."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    # ``str.replace`` rather than ``str.translate`` with a table: translate looks every
    # character of a non-ASCII text up in a dict (a fifth of the analyzer's time).
    for apostrophe in _APOSTROPHES:
        if apostrophe in lowered:
            lowered = lowered.replace(apostrophe, "'")
    decomposed = unicodedata.normalize("NFKD", lowered)
    return decomposed.encode("ascii", "ignore").decode()


def stem(word: str) -> str:
    """A light French/English stem: the longest listed suffix is removed if a 4-letter stem remains."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


# English inflections (the French suffixes above leave "delivered", "charging" or "damaged" whole):
# replaced, then a final "e" and a doubled consonant dropped, so that "charge", "charged" and
# "charging" share "charg", "shipped" and "shipping" share "ship", "deliveries" is "delivery". No
# "-ly", "-er" nor "-y": "friendly" is not "friend", "faulty" not "fault", "smelly" not "smell".
_EN_SUFFIXES = (("ings", ""), ("ing", ""), ("ies", "y"), ("ied", "y"), ("ed", ""), ("es", ""), ("s", ""))
MIN_STEM_EN = 3


def stem_en(word: str) -> str:
    """A light English stem (see ``_EN_SUFFIXES``)."""
    if word.endswith("ss"):  # "dress", "less": no plural to remove
        return word
    for suffix, replacement in _EN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM_EN:
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("e") and len(word) > MIN_STEM_EN:
        word = word[:-1]
    if len(word) > MIN_STEM_EN and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]
    return word


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@cache
def synonyms() -> dict[str, list[str]]:
    """Learned neighbours of frequent word stems (empty when the file is not shipped)."""
    if not SYNONYMS_FILE.exists():
        return {}
    loaded: dict[str, list[str]] = json.loads(SYNONYMS_FILE.read_text())
    return loaded


class ThemeIndex:
    """A compiled taxonomy: stems, typo variants and phrases mapped to theme slugs."""

    def __init__(self, taxonomy: Sequence[dict[str, Any]], expand: bool = True, language: str = "fr") -> None:
        self.slugs = [str(theme["slug"]) for theme in taxonomy]
        # English words are stemmed the English way, and a typo must be of a long word: English
        # holds many real words one letter apart ("packed"/"hacked", "writing"/"waiting",
        # "changed"/"charged", "effects"/"defect"), which read as typos of another theme's keyword.
        self.stem = stem_en if language == "en" else stem
        self.min_typo = MIN_TYPO_EN if language == "en" else MIN_TYPO
        self.stems: dict[str, set[str]] = {}
        self.typos: dict[str, set[str]] = {}
        self.phrases: list[tuple[str, str]] = []
        learned = synonyms() if expand else {}
        roots: list[tuple[str, str]] = []
        for theme in taxonomy:
            slug = str(theme["slug"])
            for keyword in theme.get("keywords", []):
                words = _WORD.findall(fold(str(keyword)))
                if len(words) > 1:
                    self.phrases.append((" ".join(self.stem(w) for w in words), slug))
                elif words:
                    roots.append((self.stem(words[0]), slug))
        for root, slug in roots:
            self._add(root, slug)
        # A learned neighbour never overrides a keyword the organisation gave to another theme:
        # "délai" is close to "livraison", but "livraison" belongs to the delivery theme.
        direct = set(self.stems)
        for root, slug in roots:
            for neighbour in learned.get(root, []):
                if neighbour not in direct:
                    self.stems.setdefault(neighbour, set()).add(slug)
        # What is known of each word met so far, kept as sets and dicts that a text's distinct
        # words are intersected with in C: most words of a review name no theme, and a Python
        # loop over them was the analyzer's main cost.
        self._known: set[str] = set()
        self._root_of: dict[str, str] = {}
        self._slugs_of: dict[str, frozenset[str]] = {}  # only the words that name a theme
        self._naming: set[str] = set()  # the keys of _slugs_of
        # A phrase can only match a text holding a word of each of its stems.
        self._phrase_stems = [frozenset(phrase.split()) for phrase, _ in self.phrases]
        self._in_phrases: frozenset[str] = frozenset().union(*self._phrase_stems)
        # Each phrase under its longest stem (the rarest, as a rule: "joindr", not "de"): a text
        # is checked only against the phrases whose key it holds.
        self._phrases_by_key: dict[str, list[int]] = {}
        for number, needed in enumerate(self._phrase_stems):
            self._phrases_by_key.setdefault(max(sorted(needed), key=len), []).append(number)
        self._phrase_words: set[str] = set()  # known words whose stem is in a phrase

    def _add(self, root: str, slug: str) -> None:
        self.stems.setdefault(root, set()).add(slug)
        if len(root) >= self.min_typo:
            for variant in _deletions(root) | {root}:
                self.typos.setdefault(variant, set()).add(slug)

    def _word(self, word: str) -> tuple[str, frozenset[str]]:
        """The stem of ``word`` and the themes it names, remembered for the next texts."""
        root = self.stem(word)
        hits = set(self.stems.get(root, ()))
        if word in _FALSE_FRIENDS:
            hits = set()
        elif not hits and len(root) >= self.min_typo - 1:
            # A word that is itself a keyword or a learned neighbour is no typo: "attente" is
            # one deletion-pair away from "attest(ation)", which must not add that theme.
            for variant in _deletions(root) | {root}:
                hits |= self.typos.get(variant, set())
        found = frozenset(hits)
        if len(self._known) < _MAX_KNOWN:
            self._known.add(word)
            self._root_of[word] = root
            if found:
                self._slugs_of[word] = found
                self._naming.add(word)
            if root in self._in_phrases:
                self._phrase_words.add(word)
        return root, found

    def themes(self, text: str) -> list[str]:
        """The slugs of the themes ``text`` speaks of, in taxonomy order."""
        folded = fold(text)
        if "livre" in folded:
            folded = _BOOK.sub(" ", folded)
        words = _WORD.findall(folded)
        # Each distinct word once: a long review repeats its words, and most were seen before.
        distinct = set(words)
        hits: set[str] = set()
        roots: dict[str, str] = {}  # the stems of words not remembered (the memory is full)
        for word in distinct - self._known:
            root, found = self._word(word)
            hits |= found
            roots[word] = root
        slugs_of = self._slugs_of
        for word in distinct & self._naming:
            hits |= slugs_of[word]
        if self.phrases:
            root_of = self._root_of
            present = {root_of[word] for word in distinct & self._phrase_words} | {
                root for root in roots.values() if root in self._in_phrases
            }
            by_key = self._phrases_by_key
            candidates = [
                self.phrases[number]
                for key in present & by_key.keys()
                for number in by_key[key]
                if self._phrase_stems[number] <= present
            ]
            if candidates:
                # Every word's stem is remembered (``root_of``) unless the memory is full.
                stems = (
                    map(root_of.__getitem__, words)
                    if not roots
                    else (roots.get(w) or root_of[w] for w in words)
                )
                stemmed = " " + " ".join(stems) + " "
                hits |= {slug for phrase, slug in candidates if f" {phrase} " in stemmed}
        return [slug for slug in self.slugs if slug in hits]


@cache
def _default_index(language: str = "fr") -> ThemeIndex:
    # The learned synonyms come from French reviews: they expand the French keywords only.
    return ThemeIndex(default_taxonomy(language), expand=language != "en", language=language)


def _key(taxonomy: Sequence[dict[str, Any]]) -> str:
    return json.dumps([[t.get("slug"), list(t.get("keywords", []))] for t in taxonomy], ensure_ascii=False)


@cache
def _index(key: str) -> ThemeIndex:
    return ThemeIndex([{"slug": slug, "keywords": kws} for slug, kws in json.loads(key)])


@cache
def _english_index(key: str) -> ThemeIndex:
    # An organisation's taxonomy holds French keywords (the default one, or its own copy of it):
    # a theme with a default slug also takes the default English keywords for English texts.
    english = {str(theme["slug"]): list(theme["keywords"]) for theme in default_taxonomy("en")}
    themes = [{"slug": slug, "keywords": [*kws, *english.get(slug, [])]} for slug, kws in json.loads(key)]
    return ThemeIndex(themes, expand=False, language="en")


def index_for(taxonomy: Sequence[dict[str, Any]] | None, language: str | None = None) -> ThemeIndex:
    """The compiled index of ``taxonomy`` (the default taxonomy when None) for a text in
    ``language``, cached."""
    if taxonomy:
        return _english_index(_key(taxonomy)) if language == "en" else _index(_key(taxonomy))
    return _default_index("en" if language == "en" else "fr")


# Sentences, lines and contrast clauses: "Prix correct mais accueil glacial" holds two opinions.
_SENTENCES = re.compile(r"(?<=[.!?…;])\s+|\n+")
_CONTRAST_WORDS = ("mais", "par contre", "en revanche", "cependant", "sauf que", "but", "however", "although")
_CONTRAST_SPLIT = re.compile(r",?\s+(?=(?:" + "|".join(_CONTRAST_WORDS) + r")\b)", re.IGNORECASE)
NEUTRAL_BAND = 0.35


def clauses(text: str) -> list[str]:
    """``text`` cut into sentences and contrast clauses (blank pieces dropped)."""
    pieces: list[str] = []
    for sentence in _SENTENCES.split(text):
        lower = sentence.lower()
        # The contrast split scans every space: only where a contrast word is (a substring test).
        parts = _CONTRAST_SPLIT.split(sentence) if any(w in lower for w in _CONTRAST_WORDS) else [sentence]
        pieces += [part.strip() for part in parts if part and part.strip()]
    return pieces


# A text whose sentiment is this strong and that holds no contrast is judged the same way
# throughout: its themes take its sentiment without scoring clauses (most reviews; the clauses
# cost as much as the rest of the themes analyzer).
UNMIXED_SCORE = 0.8
_CONTRAST = re.compile(
    r"\b(?:mais|par contre|en revanche|cependant|sauf|pourtant|toutefois|malgré|néanmoins|"
    r"but|however|although|except|though)\b",
    re.IGNORECASE,
)


def _may_be_mixed(text: str, prior: Results) -> bool:
    """Whether ``text`` may judge its themes differently: a contrast word, or a sentiment that is
    not clear-cut."""
    sentiment = prior.get("sentiment") or {}
    if abs(float(sentiment.get("score", 0.0))) < UNMIXED_SCORE:
        return True
    return _CONTRAST.search(text) is not None


# A clause's own label is trusted only when it is clear-cut; otherwise the theme takes the whole
# text's label. On the SemEval-2016 French restaurant reviews (335 reviews, 636 theme/polarity
# pairs), clause labels alone were right 70 % of the time against 77 % for the text's label, and
# this rule 78 % (54 % against 48 % where the aspects of a review differ): short clauses are
# harder to read than a whole review. With the sentiment models shipped since (English models,
# neutral band 0.05, contrast features) the same reviews give 83.5 % for this rule at 0.8 and at
# 0.7 (text's label: 80.7 %), and 72.6 % against 70.7 % where the aspects differ at 0.7: a clause
# as plain as "les prix sont trop chers, une vraie arnaque" scores -0.76 and is now trusted.
CLAUSE_STRONG = 0.7


def _aspect_label(clause_score: float, text_label: str | None) -> str | None:
    """A theme's label from its clauses' mean score and the whole text's label."""
    return _label(clause_score) if abs(clause_score) >= CLAUSE_STRONG else text_label


def _label(score: float) -> str:
    return "neutral" if abs(score) < NEUTRAL_BAND else ("positive" if score > 0 else "negative")


def _clause_sentiments(clause_items: list[Item], languages: list[str | None]) -> list[float]:
    """The sentiment analyzer's score of each clause (its public ``analyze``, so that the aspects
    follow whatever model it ships)."""
    from vigie.analysis.builtin.sentiment.analyzer import SentimentAnalyzer

    if not clause_items:
        return []
    answers = SentimentAnalyzer().analyze(clause_items, [{"language": language} for language in languages])
    return [float(answer["sentiment"]["score"]) for answer in answers]


class ThemesAnalyzer(Analyzer):
    """Themes from the taxonomy in ``Item.context["taxonomy"]`` or ``vigie.analysis.taxonomy``'s
    default one in the item's language, and the sentiment of each theme (``aspects``)."""

    name: ClassVar[str] = "themes"
    version: ClassVar[str] = "1.2"
    provides: ClassVar[frozenset[str]] = frozenset({"themes", "aspects"})
    # language picks the default taxonomy, sentiment is the aspects' fallback. Type and toxicity
    # are not read: naming them runs this analyzer after every analyzer that featurises the batch,
    # so that scoring clauses here does not evict the batch's shared feature matrix.
    uses: ClassVar[frozenset[str]] = frozenset({"language", "sentiment", "toxicity", "type"})

    def load(self) -> None:
        """Compile the default taxonomies and load the learned synonyms."""
        index_for(None, "fr")
        index_for(None, "en")

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        """The theme slugs of each item and their sentiment."""
        # Items of one batch usually share one taxonomy object: compile (or find) it once.
        indices: dict[tuple[int, str | None], ThemeIndex] = {}
        found: list[tuple[list[str], dict[str, list[int]]]] = []
        clause_items: list[Item] = []
        clause_languages: list[str | None] = []
        for item, prior in zip(batch, previous, strict=True):
            taxonomy = item.context.get("taxonomy")
            language = "en" if prior.get("language") == "en" else "fr"
            index = indices.get((id(taxonomy), language))
            if index is None:
                index = indices[(id(taxonomy), language)] = index_for(taxonomy, language)
            text = runtime.item_text(item)
            slugs = index.themes(text)
            scored: dict[str, list[int]] = {}
            if len(slugs) > 1 and _may_be_mixed(text, prior):
                # Two themes or more may be judged differently: score the clauses naming them.
                for clause in clauses(text):
                    named = [slug for slug in index.themes(clause) if slug in slugs]
                    if named:
                        for slug in named:
                            scored.setdefault(slug, []).append(len(clause_items))
                        clause_items.append(Item(id=item.id, text=clause, platform=item.platform))
                        clause_languages.append(prior.get("language"))
            found.append((slugs, scored))
        scores = _clause_sentiments(clause_items, clause_languages)
        results: list[Results] = []
        for (slugs, scored), prior in zip(found, previous, strict=True):
            overall = (prior.get("sentiment") or {}).get("label")
            aspects = {
                slug: _aspect_label(sum(scores[i] for i in scored[slug]) / len(scored[slug]), overall)
                if slug in scored
                else overall
                for slug in slugs
            }
            results.append({"themes": slugs, "aspects": {k: v for k, v in aspects.items() if v}})
        return results
