"""Language of a mention, with lingua restricted to the languages Vigie's users meet.

A restricted set is both faster and more accurate than all 75 languages. Texts too short to tell
(a handful of letters, emoji, "Merci !") fall back to the item's ``language_hint`` (the source's
language), and to "" when there is none.

Short texts (``SHORT_CHARS`` characters or fewer: titles, "Awesome skirt", "Site à recommander")
were wrong one time in six: a few letters' trigrams look Dutch or German as easily as French. They
are read by word lists first (frequent words of French and English reviews and posts, the
function words of the other languages): words of one language only settle it. Otherwise lingua's
confidences decide among French, English, the hint and the languages whose words are present
(another language needs a word of its own in a text this short), and the organisation's language
(the hint) wins whenever lingua is unsure (its confidence at least ``HINT_SHARE`` of the best).
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


SHORT_CHARS = 40
HINT_SHARE = 0.25
WORDS_MAX_CHARS = 160
WORDS_MARGIN = 2
# Frequent words of short French and English reviews, titles and posts (and the function words
# above): in a text of a few words, one of them is the best evidence there is. A word of both
# languages ("super", "top", "service", "excellent") counts for both, so it settles nothing.
_SHORT_WORDS = {
    "fr": "a à c l d j n qu ai avait sont était cest tres très trop tout toute rien ras bof nul nulle génial genial "
    "satisfait satisfaite satisfaits conforme envoi achat achats client clients sav avis décevant décevante "
    "déçu déçus decu decue déçue recommander recommandé recommandée recommande conseille merci bravo "
    "parfaite correct correcte moyen moyenne sympa cher chère chere rapidité efficace sérieux serieux "
    "fiable arnaque honteux nickel jadore adore aime génial agréable facile pratique délai délais "
    "attente remboursement problème probleme souci soucis conseil livré livree livrée reçue emballage "
    "magasin vendeur entreprise commandé mauvais mauvaise vraiment encore vite comme depuis sans chez "
    "ça ca cela je j tu il elle on vous nous ils leur leurs votre vos notre nos son sa ses mon ma mes "
    "oui non si donc alors où quand comment pourquoi rapport avec",
    "en": "a an and as all so too what how why i im me it its my mine we us his her their he she they "
    "them this that these those there here from by one two not dont doesnt didnt isnt wasnt cant wont "
    "don doesn didn isn wasn ve ll best love loved lovely nice awesome amazing beautiful fabulous "
    "brilliant perfect poor bad worst terrible awful waste money book books album film movie read fit "
    "fits size dress shirt skirt jeans cute comfortable fast easy well works worked work item received "
    "arrived order ordered buy bought value ever fun no yes series story songs song music sound game "
    "kids happy disappointed disappointing wonderful fantastic favourite favorite must still better "
    "than only again always never every much more less little big small exactly pretty cheap fine "
    "highly worth collection classic great good",
}
_SHORT_LANGUAGES_OF_WORD: dict[str, frozenset[str]] = {}
for _code, _words in (*_FUNCTION_WORDS.items(), *_SHORT_WORDS.items()):
    for _word in _words.split():
        _SHORT_LANGUAGES_OF_WORD[_word] = _SHORT_LANGUAGES_OF_WORD.get(_word, frozenset()) | {_code}


def short_text_votes(text: str) -> dict[str, int]:
    """How many words of ``text`` each language's word lists know."""
    votes: dict[str, int] = {}
    for word in _WORD_RE.findall(text.lower().replace("’", "'")):
        for code in _SHORT_LANGUAGES_OF_WORD.get(word, ()):
            votes[code] = votes.get(code, 0) + 1
    return votes


def _clear_winner(votes: dict[str, int]) -> str | None:
    if not votes:
        return None
    ranked = sorted(votes.items(), key=lambda pair: -pair[1])
    if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
        return ranked[0][0]
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


# Links, handles, a retweet's "RT" and the hashtag sign carry no language (or the wrong one:
# "http", "@user", "#ecologie" made lingua call 5 % of French tweets Portuguese or English).
_NOT_LANGUAGE = re.compile(r"https?://\S*|\bhttps?\b|\bwww\.\S+|(?<!\w)@\w+|\bRT\b|#")


def without_markup(text: str) -> str:
    """``text`` without links, @handles, "RT" and hashtag signs (the hashtags' words stay)."""
    if "http" not in text and "@" not in text and "#" not in text and "www." not in text and "RT" not in text:
        return text
    return " ".join(_NOT_LANGUAGE.sub(" ", text).split())


def _words_overrule(text: str) -> str | None:
    """French or English where the frequent words of short texts clearly say so, for a text of a
    sentence or two that lingua's trigrams gave to another language ("encore 40 minutes de retard
    ce matin greve" is Portuguese to them): at least WORDS_MARGIN more votes than any other."""
    if len(text) > WORDS_MAX_CHARS:
        return None
    votes = short_text_votes(text)
    ranked = sorted(votes.items(), key=lambda pair: -pair[1])
    if not ranked or ranked[0][0] not in ("fr", "en"):
        return None
    runner_up = ranked[1][1] if len(ranked) > 1 else 0
    return ranked[0][0] if ranked[0][1] >= runner_up + WORDS_MARGIN else None


class LanguageAnalyzer(Analyzer):
    name = "language"
    version = "1.5"
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

    def _short(self, text: str, hint: str) -> str | None:
        """The language of a text of at most ``SHORT_CHARS`` characters (None: the hint's job)."""
        votes = short_text_votes(text)
        winner = _clear_winner(votes)
        if winner is not None:
            return winner
        if not has_enough_letters(text):
            return None  # "ok", "Top 👍": the hint, or nothing
        assert self._detector is not None
        allowed = {"fr", "en", *votes, *([hint] if hint else [])}
        confidences = {
            code: value.value
            for value in self._detector.compute_language_confidence_values(text)
            if (code := value.language.iso_code_639_1.name.lower()) in allowed
        }
        if not confidences:
            return None
        best = max(confidences, key=lambda code: confidences[code])
        if hint in confidences and confidences[hint] >= HINT_SHARE * confidences[best]:
            return hint
        return best

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        self.load()
        assert self._detector is not None
        texts = [
            without_markup(f"{item.title}\n{item.text}".strip() if item.title else item.text)[:MAX_CHARS]
            for item in batch
        ]
        detected: dict[int, str] = {}
        long_enough = []
        for index, text in enumerate(texts):
            if len(text) <= SHORT_CHARS:
                short = self._short(text, (batch[index].language_hint or "").lower()[:2])
                if short:
                    detected[index] = short
                continue
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
                if detected.get(index) not in ("fr", "en"):
                    overruled = _words_overrule(texts[index])
                    if overruled:
                        detected[index] = overruled
        return [
            {"language": detected.get(index) or (item.language_hint or "").lower()[:2] or None}
            for index, item in enumerate(batch)
        ]
