"""Language of a mention, with lingua restricted to the languages Vigie's users meet.

A restricted set is both faster and more accurate than all 75 languages. Texts too short to tell
(a handful of letters, emoji, "Merci !") fall back to the item's ``language_hint`` (the source's
language), and to "" when there is none.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from vigie.analysis.contract import Analyzer, Item, Results

if TYPE_CHECKING:
    from lingua import LanguageDetector

LANGUAGES = ("fr", "en", "es", "de", "it", "nl", "pt")
# Below this many letters lingua guesses more than it detects (e.g. "ok", "top", "nul").
MIN_LETTERS = 12
# Detection time grows with length; the first few hundred characters tell the language as well.
MAX_CHARS = 240


# Fast path: frequent function words of each language. A text with at least FAST_MIN_HITS of one
# language's words and three times as many as of any other is settled without lingua; on the demo
# corpus this covers a third of the texts (the longer, costlier ones) and never disagrees with lingua
# except where lingua was wrong. Words shared by two languages count for both.
_FUNCTION_WORDS = {
    "fr": "le la les des une est pas que qui pour dans avec sur mais très je vous nous ce cette mon ma mes du "
    "au aux et ne plus été de "
    # Frequent words of French reviews: short reviews ("Très bien. Merci", "super site je
    # recommande") have too few function words, and lingua's trigrams often call them Spanish or
    # Dutch. Of 6,260 texts that went to lingua (reviews, tweets, English reviews), these settle 2,495;
    # the 31 disagreements with lingua are all French texts that lingua got wrong.
    "bien bon bonne merci produit produits commande livraison rapide parfait toujours rien tout tous jamais "
    "aussi déçu déçue recommande prix qualité conseiller sinistre assurance colis reçu site être fait",
    "en": "the and is was for with this that you have not but are they it my very our your of to in on at be "
    "good great thanks delivery quick recommend product price quality would really just",
    "es": "el los las una es por para con pero muy que del lo su mi se no y en al fue de",
    "de": "der die das und ist nicht ein eine mit für auf ich sie wir sehr zu den dem von es",
    "it": "il lo gli della che non per con una sono è molto del di da ma ho mi si",
    "nl": "de het een en is niet van met voor op ik ze wij zeer dat zijn maar heb ook",
    "pt": "o os as uma não com para por que muito do da dos em mas eu é foi se de",
}
_LANGUAGES_OF_WORD: dict[str, tuple[str, ...]] = {}
for _code, _words in _FUNCTION_WORDS.items():
    for _word in _words.split():
        _LANGUAGES_OF_WORD[_word] = (*_LANGUAGES_OF_WORD.get(_word, ()), _code)
_WORD_RE = re.compile(r"[^\W\d_]+")
FAST_MIN_HITS = 4
FAST_MARGIN = 3


def function_word_language(text: str) -> str | None:
    """The language whose function words clearly dominate ``text``, else None (ask lingua)."""
    # Counting the words (Counter counts in C) and keeping the function words among them (a set
    # intersection, also in C) leaves a Python loop over a handful of distinct words, not over
    # every word of the text.
    words = Counter(_WORD_RE.findall(text.lower()))
    counts: dict[str, int] = {}
    for word in words.keys() & _LANGUAGES_OF_WORD.keys():
        for code in _LANGUAGES_OF_WORD[word]:
            counts[code] = counts.get(code, 0) + words[word]
    if not counts:
        return None
    ranked = sorted(counts.values(), reverse=True)
    best = max(counts, key=lambda code: counts[code])
    runner_up = ranked[1] if len(ranked) > 1 else 0
    if ranked[0] >= FAST_MIN_HITS and ranked[0] >= FAST_MARGIN * runner_up:
        return best
    return None


_LETTER = re.compile(r"[^\W\d_]")
# MIN_LETTERS letters, anything between them: the scan stops as soon as there are enough.
_ENOUGH_LETTERS = re.compile(r"(?:[^\W\d_][\W\d_]*){" + str(MIN_LETTERS) + "}")


def letter_count(text: str) -> int:
    """The number of letters of ``text`` (one C-level scan)."""
    return len(_LETTER.findall(text))


def has_enough_letters(text: str) -> bool:
    """Whether ``text`` has at least MIN_LETTERS letters (it stops counting there)."""
    return _ENOUGH_LETTERS.search(text) is not None


class LanguageAnalyzer(Analyzer):
    name = "language"
    version = "1.2"
    provides: ClassVar[frozenset[str]] = frozenset({"language"})

    def __init__(self) -> None:
        self._detector: LanguageDetector | None = None
        self._loaded_in = 0  # the process that built the detector

    def load(self) -> None:
        if self._detector is not None:
            return
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in LANGUAGES]
        # Low-accuracy mode uses trigrams only: about 10x faster and a fraction of the memory,
        # and as good as high accuracy on sentences; short texts are the hint's job anyway.
        self._detector = (
            LanguageDetectorBuilder.from_languages(*languages)
            .with_low_accuracy_mode()
            .with_preloaded_language_models()
            .build()
        )
        self._loaded_in = os.getpid()

    def detect(self, text: str, hint: str = "") -> str:
        """ISO 639-1 code of ``text``'s language, or ``hint`` when the text is too short to tell."""
        return self.analyze([Item(id="", text=text, language_hint=hint)], [{}])[0]["language"]

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        self.load()
        assert self._detector is not None
        texts = [
            (f"{item.title}\n{item.text}".strip() if item.title else item.text)[:MAX_CHARS] for item in batch
        ]
        detected: dict[int, str] = {}
        long_enough = []
        for index, text in enumerate(texts):
            if not has_enough_letters(text):
                continue
            fast = function_word_language(text)
            if fast is not None:
                detected[index] = fast
            else:
                long_enough.append(index)
        if long_enough:
            asked = [texts[i] for i in long_enough]
            if os.getpid() == self._loaded_in:
                # Parallel detection releases the GIL in lingua's Rust core.
                found = self._detector.detect_languages_in_parallel_of(asked)
            else:
                # A process forked after loading (``vigie analyze --workers``, a pre-forking
                # server) has lingua's memory but not its thread pool, whose threads were not
                # copied: parallel detection would wait for them for ever. One by one, same answers.
                detect = self._detector.detect_language_of
                found = [detect(text) for text in asked]
            for index, language in zip(long_enough, found, strict=True):
                if language is not None:
                    detected[index] = language.iso_code_639_1.name.lower()
        return [
            {"language": detected.get(index) or (item.language_hint or "").lower()[:2] or None}
            for index, item in enumerate(batch)
        ]
