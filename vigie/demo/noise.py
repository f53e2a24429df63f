"""How people really type: dropped accents, phone abbreviations, swapped letters, caps, emoji.

Each author has a writing style kept across their mentions, so a person who types "svp" and
"pk" does so every time. Noise never changes the meaning the generator recorded as ground truth.
"""

from __future__ import annotations

import random
import re

from vigie.demo import corpus

STYLES = ("soigne", "courant", "sms", "enerve")

_ACCENTS = str.maketrans(
    "àâäéèêëîïôöùûüÿçÀÂÄÉÈÊËÎÏÔÖÙÛÜŸÇ",
    "aaaeeeeiioouuuycAAAEEEEIIOOUUUYC",
)
# (literal, compiled pattern, replacement): the literal is a cheap "is it there at all?" test.
_SMS = tuple(
    (long, re.compile(rf"\b{re.escape(long)}\b", re.IGNORECASE), short) for long, short in corpus.FR_SMS
)
_FR_SLIPS = tuple((good, re.compile(re.escape(good)), bad) for good, bad in corpus.FR_SLIPS)
_EN_SLIPS = tuple((good, re.compile(rf"\b{re.escape(good)}\b"), bad) for good, bad in corpus.EN_SLIPS)
_DOUBLE = re.compile(r"([bcdfglmnprst])\1")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")


def strip_accents(text: str) -> str:
    """The text as typed on a keyboard without accents."""
    return text.translate(_ACCENTS)


def _swap_letters(rng: random.Random, text: str) -> str:
    words = text.split(" ")
    candidates = [i for i, word in enumerate(words) if len(word) >= 6 and word.isalpha()]
    if not candidates:
        return text
    index = rng.choice(candidates)
    word = words[index]
    pos = rng.randrange(1, len(word) - 2)
    words[index] = word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    return " ".join(words)


def _drop_double(text: str) -> str:
    return _DOUBLE.sub(r"\1", text, count=1)


def _emoji(rng: random.Random, sentiment: str) -> str:
    bank = {
        "negative": corpus.EMOJI_NEGATIVE,
        "positive": corpus.EMOJI_POSITIVE,
    }.get(sentiment, corpus.EMOJI_NEUTRAL)
    first = rng.choice(bank)
    count = rng.choice((1, 1, 1, 2, 3))
    return first * count if rng.random() < 0.5 else "".join(rng.choice(bank) for _ in range(count))


def _shout(rng: random.Random, text: str) -> str:
    sentences = _SENTENCE.split(text)
    if len(text) < 90 or len(sentences) == 1:
        return text.upper()
    index = rng.randrange(len(sentences))
    sentences[index] = sentences[index].upper()
    return " ".join(sentences)


def add_noise(rng: random.Random, text: str, *, lang: str, style: str, sentiment: str) -> str:
    """Return ``text`` as a person with ``style`` would have typed it."""
    if not text:
        return text
    if lang == "fr":
        if style == "sms":
            lowered = text.lower()
            for long, pattern, short in _SMS:
                if long in lowered and rng.random() < 0.8:
                    text = pattern.sub(short, text)
            text = strip_accents(text)
        elif style in ("courant", "enerve") and rng.random() < 0.35:
            text = strip_accents(text)
        slip_rate = {"soigne": 0.0, "courant": 0.12, "sms": 0.35, "enerve": 0.2}[style]
        if slip_rate:
            for good, pattern, bad in _FR_SLIPS:
                if good in text and rng.random() < slip_rate:
                    text = pattern.sub(bad, text, count=1)
    else:
        slip_rate = {"soigne": 0.0, "courant": 0.1, "sms": 0.6, "enerve": 0.2}[style]
        for good, pattern, bad in _EN_SLIPS:
            if good in text and rng.random() < slip_rate:
                text = pattern.sub(bad, text)
    typo_rate = {"soigne": 0.02, "courant": 0.12, "sms": 0.25, "enerve": 0.15}[style]
    # Slips of the fingers show in longer texts; a three-word comment is usually typed right.
    if len(text) > 40 and rng.random() < typo_rate:
        text = _swap_letters(rng, text)
    if rng.random() < typo_rate / 2:
        text = _drop_double(text)
    if style == "sms":
        text = text[0].lower() + text[1:]
        text = text.rstrip(".")
    elif style == "enerve" and sentiment == "negative":
        if rng.random() < 0.6:
            text = _shout(rng, text)
        text = re.sub(r"[.!]$", rng.choice(("!!!", " !!", "!!!!", " ?!")), text)
    elif style == "courant" and rng.random() < 0.15:
        text = text[0].lower() + text[1:]
    emoji_rate = {"soigne": 0.08, "courant": 0.25, "sms": 0.45, "enerve": 0.35}[style]
    if rng.random() < emoji_rate:
        text = f"{text} {_emoji(rng, sentiment)}"
    return text
