"""Featurisation shared by training and inference: hashed word and character n-grams.

Hashing keeps the shipped models small (no vocabulary to store) and the vectoriser stateless;
only an IDF vector and linear coefficients are saved, as ``.npz`` arrays plus a JSON header.

The hashing is vectorised over a whole batch: the tokens of every text are joined, space-padded,
into one string, read as an array of code points, and every character n-gram and word is hashed
with numpy (polynomial hashes, then a 64-bit finaliser). The only per-text Python work left is a
few C-level regular-expression calls, so long reviews cost little more than short posts. The
module imports neither scikit-learn nor anything slow, which keeps model loading fast.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp  # type: ignore[import-untyped]

N_FEATURES = 2**18
_MASK = np.uint32(N_FEATURES - 1)
# Texts hashed together: bounds the temporary arrays (a few bytes per character) during training.
_CHUNK = 4096

_URL = re.compile(r"https?://\S*|www\.\S+")
_USER = re.compile(r"@\w+")
_REPEAT = re.compile(r"(.)\1{3,}")
_CANT = re.compile(r"\bcan['\u2019]t\b")
_TOKEN = re.compile(r"\w+|[!?]+|[\U0001F300-\U0001FAFF\u2600-\u27BF]")
# A negation flips the word features of the few tokens that follow it ("pas bon" ≠ "bon").
NEGATORS = [
    "ne",
    "n",
    "pas",
    "jamais",
    "plus",
    "aucun",
    "aucune",
    "rien",
    "sans",
    "ni",
    "not",
    "never",
    "no",
    "don",
    "didn",
    "isn",
    "wasn",
    "nothing",
    # English contractions split at the apostrophe ("wouldn't" → "wouldn", "t"); "can't" is read
    # as "cannot" (normalise), since "can" alone negates nothing.
    "wouldn",
    "couldn",
    "shouldn",
    "doesn",
    "aren",
    "weren",
    "haven",
    "hasn",
    "hadn",
    "won",
    "ain",
    "cannot",
    "without",
    "none",
    "nor",
    "nobody",
    "neither",
]
# The scope of a negation: the tokens after a negator, up to NEGATION_SCOPE of them, and (when
# NEGATION_CLAUSE) never past a clause break (". , ; : ! ? ( )", a line break) or a contrast word:
# "pas cher, livraison rapide" negates "cher" only; "jamais déçu mais lent" negates "déçu" only.
# Off in the shipped models (trained with the fixed 3-token scope): turning it on changes every
# model's features, so every model must be retrained (docs/models.md gives its measured effect).
NEGATION_SCOPE = 3
NEGATION_CLAUSE = False
# The character n-grams of a negated token are features of their own, as its word is: otherwise
# "not bad at all" reads as the n-grams of "bad" ("pas mal" as those of "mal").
NEGATED_CHARS = True
_CLAUSE_BREAKS = ".,;:()[]\n"
# Contrast markers: what follows "mais", "par contre", "sauf que"… usually carries the verdict of a
# mixed review ("bon produit mais livraison catastrophique"). The words after the first marker of a
# text get a second, "after contrast" unigram feature, so the model can weigh that clause apart.
CONTRAST_WORDS = [
    "mais",
    "cependant",
    "pourtant",
    "toutefois",
    "néanmoins",
    "neanmoins",
    "hélas",
    "but",
    "however",
    "although",
    "though",
    "unfortunately",
]
# Two-word markers, as (first, second): the second word marks the contrast when the first precedes it.
CONTRAST_PAIRS = [("par", "contre"), ("sauf", "que"), ("en", "revanche"), ("malgré", "tout")]

# Toxicity cues that generalise across sources (issue 16): insults whatever their spelling, and
# insults aimed at the reader ("t'es un connard", "vous êtes des idiots"). Each insult token adds one shared "insult" column, and one "targeted insult" column when
# a second-person word stands within ``_TARGET_WINDOW`` tokens of it. Tokens mixing letters and
# digits are also read with the digits as the letters they imitate ("c0nn4rd" → "connard").
# Off in the shipped models, like NEGATION_CLAUSE and for the same reason (measured in docs/models.md).
TOXIC_CUES = False
INSULTS = [
    "connard",
    "connards",
    "connasse",
    "connasses",
    "conne",
    "connes",
    "salope",
    "salopes",
    "salaud",
    "salauds",
    "salopard",
    "enculé",
    "enculés",
    "enculée",
    "encule",
    "enculer",
    "batard",
    "batards",
    "bâtard",
    "bâtards",
    "abruti",
    "abrutis",
    "abrutie",
    "crétin",
    "crétins",
    "crétine",
    "débile",
    "débiles",
    "imbécile",
    "imbéciles",
    "idiot",
    "idiots",
    "idiote",
    "idiotes",
    "pute",
    "putes",
    "putain",
    "merde",
    "merdes",
    "merdique",
    "bouffon",
    "bouffons",
    "bouffonne",
    "fdp",
    "ntm",
    "pd",
    "pédé",
    "pédés",
    "tapette",
    "tapettes",
    "gouine",
    "négro",
    "négros",
    "bougnoule",
    "bougnoules",
    "youpin",
    "youpins",
    "bicot",
    "bicots",
    "chinetoque",
    "mongol",
    "mongols",
    "gogol",
    "teubé",
    "teubés",
    "cassos",
    "ordure",
    "ordures",
    "raclure",
    "raclures",
    "pourriture",
    "vermine",
    "racaille",
    "racailles",
    "chienne",
    "porc",
    "porcs",
    "truie",
    "truies",
    "taré",
    "tarés",
    "tarée",
    "stupide",
    "stupides",
    "minable",
    "minables",
    "boloss",
    "bolos",
    "nique",
    "niquer",
    "niquez",
    "crève",
    "crevez",
    "suceur",
    "suceuse",
    "couillon",
    "couillons",
    "trouduc",
    "tocard",
    "tocards",
    "asshole",
    "assholes",
    "idiot",
    "stupid",
    "moron",
    "morons",
    "fuck",
    "fucking",
    "fucked",
    "shit",
    "bitch",
    "bitches",
    "dumb",
    "retard",
    "retarded",
    "whore",
    "slut",
    "cunt",
    "dick",
    "bastard",
    "bastards",
    "faggot",
    "nigger",
    "nigga",
    "loser",
    "losers",
    "scum",
]
SECOND_PERSON = [
    "tu",
    "t",
    "te",
    "toi",
    "ta",
    "tes",
    "ton",
    "vous",
    "vos",
    "votre",
    "espèce",
    "you",
    "u",
    "ur",
    "your",
    "yourself",
]
_TARGET_WINDOW = 4
# Digits and symbols read as the letters they imitate in obfuscated words.
_LEET = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"}

# Hashing constants: an odd multiplier (invertible modulo 2**64) and one salt per feature family,
# so that a word, its negated form, a bigram and a character n-gram never share a hash by design.
# 32-bit arithmetic: the hashes are folded into 2**18 columns anyway, and it halves the memory
# traffic of the vectorised loops.
_P = np.uint32(1_000_003)
_P_INVERSE = np.uint32(pow(1_000_003, -1, 2**32))
_SALT_WORD = np.uint32(0x9E3779B9)
_SALT_NEGATED = np.uint32(0xC2B2AE3D)
_SALT_BIGRAM = np.uint32(0x165667B1)
_SALT_CHARS = np.uint32(0x27D4EB2F)
_SALT_NEGATED_CHARS = np.uint32(0x9E3779B1)
_SALT_CONTRAST = np.uint32(0x61C88647)
_SALT_CUE = np.uint32(0x7FEB352D)
_SPACE = 32


def normalise(text: str) -> str:
    """Lower-case, mask URLs and user handles, squeeze long character repeats."""
    text = _URL.sub(" url ", text.lower())
    text = _CANT.sub("cannot", _USER.sub(" @user ", text))
    return _REPEAT.sub(r"\1\1\1", text)


def tokens(text: str) -> list[str]:
    """The word, punctuation-run and emoji tokens of ``text`` after normalisation."""
    return _TOKEN.findall(normalise(text))


def _finalise(values: np.ndarray, salt: np.uint32 | np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser of ``values ^ salt``: spreads polynomial hashes over all bits."""
    h = values ^ salt
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def _word_hashes(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Polynomial hash of each ``codes[start:end]``, from prefix sums (all arithmetic mod 2**32)."""
    powers = np.empty(len(codes), dtype=np.uint32)
    powers[0] = 1
    if len(codes) > 1:
        powers[1:] = _P
        np.cumprod(powers, out=powers)
    prefix = np.zeros(len(codes) + 1, dtype=np.uint32)
    np.cumsum(codes * powers, out=prefix[1:])
    inverse = np.empty(len(codes), dtype=np.uint32)
    inverse[0] = 1
    if len(codes) > 1:
        inverse[1:] = _P_INVERSE
        np.cumprod(inverse, out=inverse)
    # Shift each segment's sum back to position 0, so equal words hash equally wherever they are.
    return (prefix[ends] - prefix[starts]) * inverse[starts]


def _negator_hashes() -> np.ndarray:
    text = " " + " ".join(NEGATORS) + " "
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint32)
    space = codes == _SPACE
    starts = np.flatnonzero(~space[1:] & space[:-1]) + 1
    ends = np.flatnonzero(~space[:-1] & space[1:]) + 1
    return np.unique(_word_hashes(codes, starts, ends))


def _hashes_of(words: Sequence[str]) -> np.ndarray:
    text = " " + " ".join(words) + " "
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint32)
    space = codes == _SPACE
    starts = np.flatnonzero(~space[1:] & space[:-1]) + 1
    ends = np.flatnonzero(~space[:-1] & space[1:]) + 1
    return _word_hashes(codes, starts, ends)


_NEGATOR_HASHES = _negator_hashes()
_CONTRAST_HASHES = np.unique(_hashes_of(CONTRAST_WORDS))
_INSULT_HASHES = np.unique(_hashes_of(INSULTS))
_SECOND_HASHES = np.unique(_hashes_of(SECOND_PERSON))
_LEET_TABLE = np.arange(128, dtype=np.uint32)
for _digit, _letter in _LEET.items():
    _LEET_TABLE[ord(_digit)] = ord(_letter)
_IS_DIGIT = np.zeros(128, dtype=bool)
_IS_DIGIT[[ord(d) for d in _LEET]] = True
# The two cue columns ("insult", "targeted insult"), as finalised hashes.
_CUE_COLUMNS = _finalise(np.array([1, 2], dtype=np.uint32), _SALT_CUE)
_PAIR_FIRST = _hashes_of([first for first, _ in CONTRAST_PAIRS])
_PAIR_SECOND = _hashes_of([second for _, second in CONTRAST_PAIRS])


def _after_contrast(words: np.ndarray, token_doc: np.ndarray) -> np.ndarray:
    """Whether each token follows a contrast marker of its own text."""
    marker = np.isin(words, _CONTRAST_HASHES)
    if len(words) > 1:
        same_doc = token_doc[1:] == token_doc[:-1]
        for first, second in zip(_PAIR_FIRST.tolist(), _PAIR_SECOND.tolist(), strict=True):
            marker[1:] |= same_doc & (words[:-1] == first) & (words[1:] == second)
    # Markers strictly before each token, over the batch, then minus those before its text.
    before: np.ndarray = np.cumsum(marker, dtype=np.int64) - marker
    doc_start = np.searchsorted(token_doc, token_doc, side="left")
    return np.asarray((before - before[doc_start]) > 0)


def _toxic_cues(
    codes: np.ndarray, starts: np.ndarray, ends: np.ndarray, words: np.ndarray, token_doc: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, columns)`` of the toxicity cues (``TOXIC_CUES``): de-obfuscated words of the
    tokens that mix letters and imitating digits, an "insult" column per insult (after
    de-obfuscation), a "targeted insult" column per insult near a second-person word."""
    small = np.minimum(codes, 127)
    digit = _IS_DIGIT[small] & (codes < 128)
    letter = (codes >= 97) & (codes <= 122) | (codes > 191)
    digits_before = np.zeros(len(codes) + 1, dtype=np.int32)
    np.cumsum(digit, out=digits_before[1:])
    letters_before = np.zeros(len(codes) + 1, dtype=np.int32)
    np.cumsum(letter, out=letters_before[1:])
    mixed = ((digits_before[ends] - digits_before[starts]) > 0) & (
        (letters_before[ends] - letters_before[starts]) > 1
    )
    read = words
    if mixed.any():
        mapped = np.where(codes < 128, _LEET_TABLE[small], codes)
        read = np.where(mixed, _word_hashes(mapped, starts, ends), words)
    insult = np.isin(read, _INSULT_HASHES)
    second = np.isin(words, _SECOND_HASHES)
    near = np.zeros(len(words), dtype=bool)
    for shift in range(1, _TARGET_WINDOW + 1):
        same = token_doc[shift:] == token_doc[:-shift]
        near[shift:] |= second[:-shift] & same
        near[:-shift] |= second[shift:] & same
    fixed = np.flatnonzero(mixed)
    targeted = np.flatnonzero(insult & near)
    found = np.flatnonzero(insult)
    rows = np.concatenate([token_doc[fixed], token_doc[found], token_doc[targeted]])
    columns = np.concatenate(
        [
            _finalise(read[fixed], _SALT_WORD),
            np.full(len(found), _CUE_COLUMNS[0]),
            np.full(len(targeted), _CUE_COLUMNS[1]),
        ]
    )
    return rows, columns


def _negated(words: np.ndarray, token_doc: np.ndarray, negator: np.ndarray, broken: np.ndarray) -> np.ndarray:
    """Whether each token lies in the scope of a negator of its own text (module comment)."""
    negated = np.zeros(len(words), dtype=bool)
    if not NEGATION_CLAUSE:
        for shift in range(1, NEGATION_SCOPE + 1):
            negated[shift:] |= negator[:-shift] & (token_doc[shift:] == token_doc[:-shift])
        return negated
    if len(words) < 2:
        return negated
    index = np.arange(len(words))
    # The last negator strictly before each token, and the last barrier at or before it (a clause
    # break before the token, a "!"/"?" token, a contrast word, the text's first token): the token
    # is negated when no barrier stands after that negator.
    last_negator = np.maximum.accumulate(np.where(negator, index, -1))
    before = np.empty(len(words), dtype=np.int64)
    before[0] = -1
    before[1:] = last_negator[:-1]
    barrier = broken | np.isin(words, _CONTRAST_HASHES)
    barrier[0] = True
    barrier[1:] |= token_doc[1:] != token_doc[:-1]
    last_barrier = np.maximum.accumulate(np.where(barrier, index, -1))
    return np.asarray((before >= 0) & (before >= last_barrier) & (index - before <= NEGATION_SCOPE))


_WORD, _PUNCT, _EMOJI = 1, 2, 3
_SEPARATOR = "\x00"
# The class of each code point of the Basic Multilingual Plane: ``\w`` (str.isalnum or "_"), "!"/"?",
# emoji, or other; the rarer code points above it are classified when met (_classes).
_BMP = np.array([_WORD if (chr(i).isalnum() or i == 95) else 0 for i in range(65536)], dtype=np.uint8)
_BMP[[33, 63]] = _PUNCT
_EMOJI_RANGES = ((0x2600, 0x27BF), (0x1F300, 0x1FAFF))
for _low, _high in _EMOJI_RANGES[:1]:
    _span = _BMP[_low : _high + 1]
    _span[_span == 0] = _EMOJI
_BMP[0] = 0
_ASTRAL: dict[int, int] = {}
_BREAK_CODES = np.array([ord(c) for c in _CLAUSE_BREAKS], dtype=np.uint32)
_URL_JOINED = re.compile(r"https?://[^\s\x00]*|www\.[^\s\x00]+")


def _classes(codes: np.ndarray) -> np.ndarray:
    classes = _BMP[np.minimum(codes, 65535)]
    astral = np.flatnonzero(codes > 65535)
    if len(astral):
        for code in np.unique(codes[astral]).tolist():
            if code not in _ASTRAL:
                char = chr(code)
                low, high = _EMOJI_RANGES[1]
                _ASTRAL[code] = _WORD if char.isalnum() else _EMOJI if low <= code <= high else 0
        classes[astral] = [_ASTRAL[code] for code in codes[astral].tolist()]
    return classes


def _padded_tokens(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Code points of the tokens of all ``texts`` (as :func:`tokens` finds them), one space before
    each token and one at the end, the document of each code point, and, at each token's first
    code point, whether a clause break (``_CLAUSE_BREAKS``) precedes it since the previous token."""
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != max(len(texts) - 1, 0):
        joined = _SEPARATOR.join(text.replace(_SEPARATOR, " ") for text in texts)
    joined = _CANT.sub("cannot", _USER.sub(" @user ", _URL_JOINED.sub(" url ", joined.lower())))
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    doc_of = np.cumsum(codes == 0, dtype=np.int32)
    # Runs of more than three equal characters are cut to three ("trooop" = "trooooooop").
    same = codes[1:] == codes[:-1]
    repeated = np.zeros(len(codes), dtype=bool)
    repeated[3:] = same[2:] & same[1:-1] & same[:-2] & (codes[3:] != 0)
    codes, doc_of = codes[~repeated], doc_of[~repeated]
    classes = _classes(codes)
    starts = np.zeros(len(codes), dtype=bool)
    if len(codes):
        starts[0] = classes[0] > 0
        starts[1:] = (classes[1:] > 0) & ((classes[1:] != classes[:-1]) | (classes[1:] == _EMOJI))
    kept = np.flatnonzero(classes > 0)
    position = np.arange(len(kept)) + np.cumsum(starts[kept])
    padded = np.full(len(kept) + int(starts.sum()) + 1, _SPACE, dtype=np.uint32)
    padded[position] = codes[kept]
    padded_doc = np.zeros(len(padded), dtype=np.int32)
    padded_doc[position] = doc_of[kept]
    broken = np.zeros(len(padded), dtype=bool)
    if NEGATION_CLAUSE and len(kept):
        # Breaks seen before each code point; a token follows a break when that count grew since
        # the previous token's first code point.
        seen = np.cumsum(np.isin(codes, _BREAK_CODES) | (classes == _PUNCT))
        first = kept[starts[kept]]
        counts = seen[first] - (classes[first] == _PUNCT)
        grew = np.empty(len(first), dtype=bool)
        grew[0] = False
        grew[1:] = counts[1:] > seen[first[:-1]]
        broken[position[starts[kept]]] = grew
    return padded, padded_doc, broken


def hashed_ngrams(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, columns)`` of every feature occurrence in ``texts``: word unigrams (negation-marked
    for the tokens after a negator, and counted again, apart, after a contrast marker), word bigrams, and character 2–5-grams of each space-padded
    word, all hashed into ``N_FEATURES`` columns."""
    codes, doc_of, broken = _padded_tokens(texts)
    space = codes == _SPACE
    # Tokens are the runs between single spaces; the sequence starts and ends with a space.
    starts = np.flatnonzero(~space[1:] & space[:-1]) + 1
    ends = np.flatnonzero(~space[:-1] & space[1:]) + 1
    words = _word_hashes(codes, starts, ends)
    token_doc = doc_of[starts]

    negator = np.isin(words, _NEGATOR_HASHES)
    punctuation = (codes[starts] == 33) | (codes[starts] == 63)
    negated = _negated(words, token_doc, negator, broken[starts] | punctuation)
    unigrams = np.where(negated, _finalise(words, _SALT_NEGATED), _finalise(words, _SALT_WORD))
    pair = np.flatnonzero(token_doc[1:] == token_doc[:-1]) + 1
    bigrams = _finalise(words[pair - 1] * _P ^ _finalise(words[pair], _SALT_BIGRAM), _SALT_BIGRAM)
    after = np.flatnonzero(_after_contrast(words, token_doc))

    columns = [unigrams, bigrams, _finalise(unigrams[after], _SALT_CONTRAST)]
    rows = [token_doc, token_doc[pair], token_doc[after]]
    if TOXIC_CUES:
        cue_rows, cue_columns = _toxic_cues(codes, starts, ends, words, token_doc)
        rows.append(cue_rows)
        columns.append(cue_columns)
    negated_at = None
    if NEGATED_CHARS and negated.any():
        # Whether each code point belongs to a negated token (the spaces between count as the
        # token before them: no window starts its token there).
        first = np.zeros(len(codes), dtype=np.int32)
        first[starts] = 1
        negated_at = negated[np.maximum(np.cumsum(first) - 1, 0)]
    spaces_before = np.zeros(len(codes) + 1, dtype=np.int32)
    np.cumsum(space, out=spaces_before[1:])
    rolling = codes
    for n in range(2, 6):
        if len(codes) < n:
            break
        rolling = rolling[:-1] * _P + codes[n - 1 :]
        # A window of one padded token has spaces only at its ends (none from its second to its
        # last-but-one character); the token starts at ``begin`` or, after a space, ``begin + 1``.
        kept = np.flatnonzero(spaces_before[n - 1 : len(codes)] == spaces_before[1 : len(codes) - n + 2])
        salt: np.uint32 | np.ndarray = np.uint32(_SALT_CHARS + np.uint32(n))
        if NEGATED_CHARS and negated_at is not None:
            # A window in a negated token is a negated n-gram ("not bad": those of "bad").
            salt = np.where(
                negated_at[kept + space[kept]], np.uint32(_SALT_NEGATED_CHARS + np.uint32(n)), salt
            ).astype(np.uint32)
        columns.append(_finalise(rolling[kept], salt))
        rows.append(doc_of[kept + space[kept]])
    return np.concatenate(rows), (np.concatenate(columns) & _MASK).astype(np.int32)


class Featurizer:
    """Word unigrams (negation-marked) and bigrams plus char 2–5-grams of each word, hashed into
    one space; sublinear TF, IDF weighting, L2 norm."""

    def __init__(self, idf: np.ndarray | None = None) -> None:
        self.idf = idf

    def raw(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Sublinear term frequencies of the hashed n-grams of ``texts``."""
        parts = []
        for start in range(0, max(len(texts), 1), _CHUNK):
            chunk = texts[start : start + _CHUNK]
            rows, cols = hashed_ngrams(chunk)
            # Sorting (row, column) keys once counts the terms and yields canonical CSR order.
            key_type = np.uint32 if len(chunk) < 2**32 // N_FEATURES else np.uint64
            keys, counts = np.unique(rows.astype(key_type) * N_FEATURES + cols, return_counts=True)
            indptr = np.zeros(len(chunk) + 1, dtype=np.int64)
            np.cumsum(np.bincount(keys // N_FEATURES, minlength=len(chunk)), out=indptr[1:])
            matrix = sp.csr_matrix(
                (np.log1p(counts).astype(np.float32), (keys % N_FEATURES).astype(np.int32), indptr),
                shape=(len(chunk), N_FEATURES),
            )
            matrix.has_sorted_indices = True
            parts.append(matrix)
        return parts[0] if len(parts) == 1 else sp.vstack(parts, format="csr")

    def fit_idf(self, texts: Sequence[str]) -> np.ndarray:
        """Compute (smoothed) inverse document frequencies on ``texts``."""
        matrix = self.raw(texts)
        df = np.bincount(matrix.indices, minlength=N_FEATURES).astype(np.float64)
        self.idf = (np.log((1 + matrix.shape[0]) / (1 + df)) + 1).astype(np.float32)
        return self.idf

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """The L2-normalised TF-IDF matrix of ``texts``."""
        matrix = self.raw(texts)
        if self.idf is not None:
            matrix.data *= self.idf[matrix.indices]
        lengths = np.diff(matrix.indptr)
        row_of = np.repeat(np.arange(matrix.shape[0]), lengths)
        squares = np.bincount(row_of, weights=matrix.data.astype(np.float64) ** 2, minlength=matrix.shape[0])
        norms = np.sqrt(squares).astype(np.float32)
        norms[norms == 0] = 1
        matrix.data /= np.repeat(norms, lengths)
        return matrix
