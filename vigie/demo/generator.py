"""The deterministic demo generator: plain records, no database.

``generate(seed, size, now)`` yields ``MentionRecord`` values in chronological order, each with
its author, its platform payload, its analysis ground truth and, when it needs handling, its case
with replies and audit steps. The same seed, size and reference time always give the same
records; the stream is lazy, so a million mentions never sit in memory at once (only a bounded
pool of recent authors and thread starters is kept).
"""

from __future__ import annotations

import base64
import bisect
import functools
import hashlib
import html
import itertools
import math
import random
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from email.utils import format_datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from vigie.analysis.builtin.priority.analyzer import score_item
from vigie.analysis.contract import Item
from vigie.demo import DEFAULT_DAYS, DEFAULT_SEED, DEFAULT_SIZE, corpus
from vigie.demo.noise import STYLES, add_noise, strip_accents
from vigie.demo.organisation import (
    APPROVERS,
    LOCATIONS,
    LOCATIONS_BY_KEY,
    ORG_BLUESKY_DID,
    ORG_FACEBOOK_PAGE_ID,
    ORG_GBP_ACCOUNT_ID,
    ORG_INSTAGRAM_HANDLE,
    ORG_NAME,
    ORG_TIMEZONE,
    ORG_TRUSTPILOT_BUSINESS_UNIT,
    ORG_X_HANDLE,
    SOURCES_BY_KEY,
    STAFF,
    TEAM_COMMUNITY,
    TEAM_JURIDIQUE,
    TEAM_REMBOURSEMENTS,
    TEAM_SERVICE_CLIENT,
    TEAMS,
    TEMPLATES_BY_KEY,
    LocationSpec,
    PersonSpec,
)

T = TypeVar("T")
PARIS = ZoneInfo(ORG_TIMEZONE)
# The crisis: a botched IT migration starts this many days before "now" and keeps growing.
CRISIS_DAYS = 18
# Every case asks for a first answer within 24 hours of the mention (the charter's default).
SLA = timedelta(hours=24)
# The case steps written to the audit log (object "inbox.case"). Whatever records these steps
# for real should use the same verbs, so a demo case and a live one read alike in a timeline.
VERB_CASE_CREATED = "case.created"
VERB_CASE_ASSIGNED = "case.assigned"
VERB_CASE_STATUS = "case.status_changed"
VERB_CASE_RESOLVED = "case.resolved"
VERB_CASE_NO_ANSWER = "case.no_answer"
VERB_REPLY_SUBMITTED = "reply.submitted"
VERB_REPLY_SENT_BACK = "reply.sent_back"
VERB_REPLY_APPROVED = "reply.approved"
VERB_REPLY_PUBLISHED = "reply.published"
VERB_REPLY_POSTED_BY_HAND = "reply.posted_by_hand"
VERB_REPLY_FAILED = "reply.failed"


# --- records -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuthorRecord:
    """Someone writing on one platform; (platform, external_id) identifies them."""

    platform: str
    external_id: str
    handle: str
    display_name: str
    profile_url: str
    followers_count: int | None
    flags: tuple[str, ...] = ()


@dataclass(slots=True)
class EventRecord:
    """One step of a case, for the audit log. ``actor`` is an e-mail address, None for the system."""

    at: datetime
    verb: str
    actor: str | None
    data: dict[str, Any]
    # Index in the case's ``replies`` of the reply this step is about.
    reply_index: int | None = None


@dataclass(slots=True)
class ReplyRecord:
    """An answer. ``body`` keeps the literal ``{reference}`` placeholder until the case has an id."""

    author: str
    template_key: str | None
    channel: str
    body: str
    status: str
    idempotency_key: uuid.UUID
    created_at: datetime
    submitted_at: datetime | None = None
    approved_at: datetime | None = None
    approved_by: str | None = None
    published_at: datetime | None = None
    external_id: str = ""
    error: str = ""


@dataclass(slots=True)
class CaseRecord:
    status: str
    team_key: str
    assignee: str | None
    priority: int
    needs_answer: bool
    sla_due_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    replies: list[ReplyRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)


@dataclass(slots=True)
class MentionRecord:
    """A mention as a connector would have delivered it, plus the generator's ground truth."""

    ref: int
    source_key: str
    location_key: str | None
    external_id: str
    kind: str
    url: str
    author: AuthorRecord | None
    parent_external_id: str | None
    title: str
    text: str
    html: str
    rating: Decimal | None
    rating_raw: str
    created_at: datetime
    fetched_at: datetime
    likes: int
    shares: int
    replies_count: int
    reach: int
    raw: dict[str, Any]
    language: str
    sentiment: str
    sentiment_score: float
    mention_type: str
    themes: list[str]
    priority: int
    crisis: bool
    case: CaseRecord | None
    # Ground truth for the legal-risk analyzer: defamatory or threatening wording.
    legal_risk: bool = False
    # Removed from the platform after Vigie read it (spam taken down): marked, never lost.
    deleted_at: datetime | None = None
    # Why the priority analyzer ranked it so (shown on the case page).
    priority_reasons: list[str] = field(default_factory=list)


# --- tables of weights ----------------------------------------------------------------------------

# Share of all mentions per source outside the crisis (Google split across agencies by weight).
_SOURCE_WEIGHTS: dict[str, float] = {
    **{f"google_{loc.key}": 31.0 * loc.weight for loc in LOCATIONS},
    "trustpilot": 10.0,
    "facebook": 16.0,
    "x": 12.0,
    "instagram": 6.0,
    "mastodon": 2.0,
    "bluesky": 3.0,
    "press": 1.2,
    "forum": 4.5,
    "employer": 2.0,
    "survey": 12.3,
}
_CRISIS_SOURCE_WEIGHTS: dict[str, float] = {
    **{f"google_{loc.key}": 12.0 * loc.weight for loc in LOCATIONS},
    "trustpilot": 12.0,
    "facebook": 25.0,
    "x": 30.0,
    "instagram": 5.0,
    "mastodon": 2.0,
    "bluesky": 5.0,
    "press": 1.5,
    "forum": 6.0,
    "survey": 1.5,
}
_EN_RATE: dict[str, float] = {
    **{f"google_{loc.key}": 0.08 for loc in LOCATIONS},
    "google_annecy": 0.16,  # cross-border workers around Geneva
    "trustpilot": 0.2,
    "facebook": 0.07,
    "x": 0.16,
    "instagram": 0.12,
    "mastodon": 0.25,
    "bluesky": 0.25,
    "press": 0.0,
    "forum": 0.0,
    "employer": 0.12,
    "survey": 0.08,
}
_KINDS: dict[str, tuple[tuple[str, float], ...]] = {
    "google_business": (("review", 1.0),),
    "trustpilot": (("review", 1.0),),
    "facebook": (("comment", 0.55), ("post", 0.2), ("reply", 0.25)),
    "x": (("post", 0.7), ("reply", 0.3)),
    "instagram": (("comment", 0.8), ("reply", 0.2)),
    "mastodon": (("post", 0.75), ("reply", 0.25)),
    "bluesky": (("post", 0.75), ("reply", 0.25)),
    "press": (("article", 1.0),),
    "forum": (("post", 0.45), ("reply", 0.55)),
    "employer": (("review", 1.0),),
    "survey": (("survey_answer", 1.0),),
}
_TYPE_WEIGHTS: dict[str, dict[str, float]] = {
    "review": {
        "complaint": 36,
        "praise": 42,
        "question": 4,
        "suggestion": 6,
        "troll": 3,
        "spam": 3,
        "other": 6,
    },
    "social": {
        "complaint": 30,
        "praise": 14,
        "question": 22,
        "suggestion": 5,
        "troll": 10,
        "spam": 8,
        "other": 11,
    },
    "reply": {"complaint": 40, "other": 35, "question": 5, "troll": 12, "praise": 3, "spam": 5},
    "forum": {"question": 40, "complaint": 30, "praise": 12, "other": 13, "suggestion": 5},
    "survey": {"praise": 46, "complaint": 32, "suggestion": 14, "other": 8},
    "employer": {"praise": 35, "complaint": 40, "other": 25},
}
_THEME_WEIGHTS: dict[str, dict[str, float]] = {
    "complaint": {
        "remboursement": 22,
        "attente": 13,
        "joignabilite": 15,
        "facturation": 14,
        "demarches": 12,
        "site_app": 9,
        "accueil": 7,
        "competence": 4,
        "qualite": 7,
    },
    "praise": {
        "accueil": 30,
        "competence": 26,
        "remboursement": 13,
        "attente": 7,
        "site_app": 8,
        "joignabilite": 6,
        "qualite": 6,
        "facturation": 2,
        "demarches": 4,
    },
    "question": {
        "remboursement": 20,
        "demarches": 28,
        "qualite": 20,
        "facturation": 14,
        "site_app": 10,
        "joignabilite": 5,
        "accueil": 3,
    },
    "suggestion": {
        "site_app": 30,
        "joignabilite": 20,
        "remboursement": 15,
        "attente": 12,
        "accueil": 8,
        "qualite": 10,
        "facturation": 5,
    },
}
_LENGTHS: dict[str, tuple[tuple[str, float], ...]] = {
    "google_business": (("tiny", 0.25), ("short", 0.4), ("medium", 0.28), ("long", 0.07)),
    "trustpilot": (("tiny", 0.05), ("short", 0.3), ("medium", 0.45), ("long", 0.2)),
    "facebook": (("tiny", 0.2), ("short", 0.5), ("medium", 0.25), ("long", 0.05)),
    "x": (("tiny", 0.3), ("short", 0.6), ("medium", 0.1)),
    "bluesky": (("tiny", 0.3), ("short", 0.6), ("medium", 0.1)),
    "mastodon": (("tiny", 0.2), ("short", 0.55), ("medium", 0.25)),
    "instagram": (("tiny", 0.5), ("short", 0.45), ("medium", 0.05)),
    "forum": (("medium", 0.45), ("long", 0.55)),
    "survey": (("tiny", 0.35), ("short", 0.5), ("medium", 0.15)),
}
_TEXT_LIMITS = {"x": 280, "bluesky": 300, "mastodon": 500}
# Local hour of day -> relative activity.
_HOURS = (
    0.15, 0.08, 0.05, 0.04, 0.05, 0.15, 0.4, 0.9, 1.4, 1.7, 1.8, 1.7,
    1.4, 1.5, 1.7, 1.7, 1.6, 1.5, 1.4, 1.5, 1.6, 1.4, 0.9, 0.4,
)  # fmt: skip
_HOURS_CUM = tuple(itertools.accumulate(_HOURS))
_WEEKDAYS = (1.25, 1.15, 1.1, 1.05, 1.0, 0.6, 0.45)  # Monday .. Sunday
_SOCIAL = frozenset({"facebook", "x", "instagram", "mastodon", "bluesky"})
_REVIEW_PLATFORMS = frozenset({"google_business", "trustpilot"})
_THREAD_PLATFORMS = _SOCIAL | {"feed"}
# "One star is too much" belongs under a rating, not in a tweet.
_FR_CLOSERS_NOT_REVIEW = {
    mtype: tuple(closer for closer in closers if "étoile" not in closer)
    for mtype, closers in corpus.FR_CLOSERS.items()
}
_FR_TINY_NOT_REVIEW = {
    mtype: tuple(item for item in items if "étoile" not in item[0]) for mtype, items in corpus.FR_TINY.items()
}
# How a text names the organisation on each platform ({handle} in the phrase banks).
_ORG_HANDLES = {
    "x": f"@{ORG_X_HANDLE}",
    "instagram": f"@{ORG_INSTAGRAM_HANDLE}",
    "bluesky": "@mutuellehorizon.bsky.social",
    "mastodon": "@mutuellehorizon",
}
_GOOGLE_STARS = ("", "ONE", "TWO", "THREE", "FOUR", "FIVE")
_RATINGS = {n: Decimal(n).quantize(Decimal("0.01")) for n in range(1, 6)}
_X_EPOCH_MS = 1288834974657
_B32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"


def _cum(weights: dict[str, float] | tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], list[float]]:
    items = list(weights.items()) if isinstance(weights, dict) else list(weights)
    return tuple(key for key, _ in items), list(itertools.accumulate(weight for _, weight in items))


_SOURCE_CUM = _cum(_SOURCE_WEIGHTS)
_SOURCE_NIGHT_CUM = _cum(
    {key: weight * (0.05 if key == "survey" else 1.3 if key in ("facebook", "x", "instagram") else 1.0)
     for key, weight in _SOURCE_WEIGHTS.items()}
)  # fmt: skip
_CRISIS_SOURCE_CUM = _cum(_CRISIS_SOURCE_WEIGHTS)
_KIND_CUM = {key: _cum(kinds) for key, kinds in _KINDS.items()}
_TYPE_CUM = {key: _cum(weights) for key, weights in _TYPE_WEIGHTS.items()}
_THEME_CUM = {key: _cum(weights) for key, weights in _THEME_WEIGHTS.items()}
_LENGTH_CUM = {key: _cum(weights) for key, weights in _LENGTHS.items()}
_LOCATION_CUM = _cum({loc.key: loc.weight for loc in LOCATIONS})
_STYLE_CUM = _cum(dict(zip(STYLES, (40.0, 35.0, 13.0, 12.0), strict=True)))


def _pick(rng: random.Random, table: tuple[tuple[str, ...], list[float]]) -> str:
    keys, cum = table
    return keys[bisect.bisect(cum, rng.random() * cum[-1])]


# random.choice/randint/randrange cost ~2 µs each through _randbelow; at a million mentions
# that is most of the generation time. These draw from the same seeded stream, more cheaply.
def _choice(rng: random.Random, seq: Sequence[T]) -> T:
    return seq[int(rng.random() * len(seq))]


def _randint(rng: random.Random, low: int, high: int) -> int:
    return low + int(rng.random() * (high - low + 1))


def _below(rng: random.Random, n: int) -> int:
    return int(rng.random() * n)


def _seconds(rng: random.Random, low: float, high: float) -> timedelta:
    """A whole number of seconds between ``low`` and ``high``: every generated time stays on the second."""
    return timedelta(seconds=int(low + rng.random() * (high - low)))


def _expo(rng: random.Random, mean_seconds: float) -> timedelta:
    return timedelta(seconds=int(rng.expovariate(1 / mean_seconds)))


# --- the timeline -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayPlan:
    day: date
    count: int
    # Probability that a mention of this day belongs to the crisis.
    crisis_share: float


def _crisis_extra(index_in_crisis: int) -> float:
    """Extra volume (as a multiple of a normal day) brought by the crisis, growing day after day."""
    progress = index_in_crisis / (CRISIS_DAYS - 1)
    extra = 0.15 + 2.4 * progress**1.5
    if index_in_crisis == CRISIS_DAYS - 6:
        extra += 1.3  # the day the story went viral
    return extra


def plan_days(rng: random.Random, size: int, now: datetime, days: int = DEFAULT_DAYS) -> list[DayPlan]:
    """How many mentions each local day gets: weekly rhythm, a slow trend, noise and the crisis."""
    today = now.astimezone(PARIS).date()
    first = today - timedelta(days=days - 1)
    weights: list[float] = []
    shares: list[float] = []
    elapsed_today = _elapsed_share(now)
    for index in range(days):
        day = first + timedelta(days=index)
        weight = _WEEKDAYS[day.weekday()] * (0.9 + 0.2 * index / days) * rng.uniform(0.85, 1.15)
        crisis_index = index - (days - CRISIS_DAYS)
        extra = _crisis_extra(crisis_index) if crisis_index >= 0 else 0.0
        weight *= 1.0 + extra
        if day == today:
            weight *= elapsed_today
        weights.append(weight)
        shares.append(extra / (1.0 + extra))
    total = sum(weights)
    exact = [size * weight / total for weight in weights]
    counts = [math.floor(value) for value in exact]
    # Largest remainders get the leftovers so the counts add up to ``size`` exactly.
    leftovers = sorted(range(days), key=lambda i: (counts[i] - exact[i], i))[: size - sum(counts)]
    for index in leftovers:
        counts[index] += 1
    return [DayPlan(first + timedelta(days=i), counts[i], shares[i]) for i in range(days)]


def _elapsed_share(now: datetime) -> float:
    local = now.astimezone(PARIS)
    hour_share = local.minute / 60
    done = (_HOURS_CUM[local.hour - 1] if local.hour else 0.0) + _HOURS[local.hour] * hour_share
    return max(done / _HOURS_CUM[-1], 0.002)


def _times_of_day(rng: random.Random, day: date, count: int, now: datetime) -> list[datetime]:
    hours = rng.choices(range(24), cum_weights=_HOURS_CUM, k=count)
    times = []
    for hour in hours:
        local = datetime.combine(day, time(hour, _below(rng, 60), _below(rng, 60)), tzinfo=PARIS)
        moment = local.astimezone(UTC)
        if moment > now:
            # Today's share is already cut to the elapsed hours; the few draws past "now" move back.
            moment = now - timedelta(seconds=_randint(rng, 1, 3599))
        times.append(moment)
    times.sort()
    return times


# --- people --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Person:
    pid: int
    lang: str
    first: str
    last: str
    style: str
    role: str  # member, influencer, journalist, troll, spammer
    location_key: str
    followers: int
    handle: str


@functools.lru_cache(maxsize=4096)
def _ascii_slug(text: str) -> str:
    return "".join(ch for ch in strip_accents(text).lower() if ch.isalnum())


def _digest(*parts: object) -> bytes:
    return hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=16).digest()


def _opaque(prefix: str, ref: int, *salt: object, length: int = 22) -> str:
    # The ref is encoded in the first bytes, so two refs can never give the same id.
    token = base64.urlsafe_b64encode(ref.to_bytes(5, "big") + _digest(prefix, ref, *salt)).decode()
    return prefix + token.rstrip("=")[:length]


def _hex_id(ref: int, *salt: object) -> str:
    return f"{ref:010x}{_digest('hex', ref, *salt).hex()[:14]}"


def _tid(micros: int, clock: int) -> str:
    value = (micros << 10) | (clock & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_B32_SORTABLE[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def _nps(rng: random.Random, sentiment: str) -> int:
    """A 0–10 recommendation score matching the answer's tone (kept in the survey payload only)."""
    if sentiment == "negative":
        return _randint(rng, 0, 6)
    return _randint(rng, 9, 10) if sentiment == "positive" else _randint(rng, 6, 8)


def _z(moment: datetime) -> str:
    # isoformat is several times cheaper than strftime; every generated time is UTC already.
    return moment.astimezone(UTC).isoformat()[:19] + "Z"


def _z_ms(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()[:19] + ".000Z"


def _meta(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()[:19] + "+0000"


# --- text composition -------------------------------------------------------------------------------------

_KEEP_CAPITAL = frozenset(
    {"I", "I've", "I'm", "Mutuelle", "Horizon", "Sophie", "Karim", "Mme", "M.", "Nathalie", "Yanis",
     "Élodie", "Thierry", "Aurélie", "Mehdi", "Sandrine", "Julie", "Ms", "Mr", "Sécu", "MH"}
)  # fmt: skip


def _capitalise(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:] if sentence else sentence


def _after_opener(opener: str, sentence: str) -> str:
    """Glue an opener that ends mid-sentence ("Adhérente depuis 8 ans et") to what follows."""
    if opener.endswith((",", " et", " and", ":")):
        first_word = sentence.split(" ", 1)[0]
        if first_word not in _KEEP_CAPITAL and not first_word.startswith(("Mme", "M.")):
            sentence = sentence[:1].lower() + sentence[1:]
        return f"{opener} {sentence}"
    return f"{opener} {_capitalise(sentence)}"


class _Slots(dict[str, str]):
    """Slot values for one text, chosen on first use and then kept (same agency all along)."""

    def __init__(self, gen: _Generator, lang: str, location: LocationSpec | None, created: datetime) -> None:
        super().__init__()
        self.gen = gen
        self.lang = lang
        self.location = location
        self.location_used = False
        self.created = created

    def _location(self) -> LocationSpec:
        if self.location is None:
            self.location = LOCATIONS_BY_KEY[_pick(self.gen.rng, _LOCATION_CUM)]
        self.location_used = True
        return self.location

    def __missing__(self, key: str) -> str:
        rng = self.gen.rng
        value: str
        if key in corpus.FR_SLOTS and (self.lang == "fr" or key not in corpus.EN_SLOTS):
            value = _choice(rng, corpus.FR_SLOTS[key])
        elif key in corpus.EN_SLOTS:
            value = _choice(rng, corpus.EN_SLOTS[key])
        elif key == "agence":
            value = self._location().agence_de
        elif key in ("ville", "city"):
            value = self._location().city
        elif key == "branch":
            value = f"the {self._location().city} branch"
        elif key == "mois":
            value = corpus.MONTHS_FR[(self.created.month - 1 - _below(rng, 2)) % 12]
        elif key == "month":
            value = corpus.MONTHS_EN[(self.created.month - 1 - _below(rng, 2)) % 12]
        elif key in ("annee", "year"):
            value = str(self.created.year)
        elif key == "crisis_date":
            start = self.gen.crisis_start
            value = f"{start.day} {corpus.MONTHS_FR[start.month - 1]}"
        elif key == "crisis_date_en":
            start = self.gen.crisis_start
            value = f"{corpus.MONTHS_EN[start.month - 1]} {start.day}"
        elif key in ("crisis_jours", "crisis_days"):
            value = str(max(1, (self.created.astimezone(PARIS).date() - self.gen.crisis_start).days))
        elif key == "handle":
            value = self.gen.org_handle
        elif key == "adh":
            value = str(_randint(rng, 10_000_000, 99_999_999))
        else:
            raise KeyError(key)
        self[key] = value
        return value


def _fill(template: str, slots: _Slots) -> str:
    return template.format_map(slots)


# --- the generator ----------------------------------------------------------------------------------------


class _Generator:
    def __init__(self, seed: int, size: int, now: datetime, days: int) -> None:
        if now.tzinfo is None:
            raise ValueError("now must be an aware datetime")
        self.rng = random.Random(seed)
        self.seed = seed
        self.size = size
        self.now = now.astimezone(UTC).replace(microsecond=0)
        self.days = days
        self.crisis_start = self.now.astimezone(PARIS).date() - timedelta(days=CRISIS_DAYS - 1)
        self.org_handle = ORG_NAME
        self._pid = itertools.count(1)
        self._reply_seq = itertools.count(1)
        self._recent: dict[str, deque[_Person]] = {"fr": deque(maxlen=3000), "en": deque(maxlen=600)}
        self._cast: dict[tuple[str, str], list[_Person]] = {}
        for lang, counts in (("fr", (40, 12, 4, 16, 10)), ("en", (10, 3, 0, 4, 3))):
            for role, count in zip(
                ("regular", "influencer", "journalist", "troll", "spammer"), counts, strict=True
            ):
                self._cast[(lang, role)] = [self._new_person(lang, role) for _ in range(count)]
        # Recent thread starters per source, for replies: (external_id, themes, author handle).
        self._threads: dict[str, deque[tuple[str, list[str], str]]] = {}
        self._viral: dict[str, deque[tuple[str, list[str], str]]] = {}
        self._agents: dict[str, tuple[tuple[str, ...], list[float]]] = {}
        for team in TEAMS:
            members = {p.email: p.load for p in STAFF if team.key in p.teams and p.load > 0}
            self._agents[team.key] = _cum(members)
        self._staff: dict[str, PersonSpec] = {p.email: p for p in STAFF}
        self._legal = False
        self._team_names = {team.key: team.name for team in TEAMS}

    # -- people --

    def _new_person(self, lang: str, role: str) -> _Person:
        rng = self.rng
        pid = next(self._pid)
        if lang == "fr":
            female = rng.random() < 0.56
            first = _choice(rng, corpus.FIRST_NAMES_FR_F if female else corpus.FIRST_NAMES_FR_M)
            last = _choice(rng, corpus.LAST_NAMES_FR)
        else:
            first = _choice(rng, corpus.FIRST_NAMES_EN)
            last = _choice(rng, corpus.LAST_NAMES_EN)
        if role == "troll":
            style = _choice(rng, ("sms", "enerve", "enerve"))
        elif role in ("spammer", "journalist"):
            style = "soigne"
        elif role == "influencer":
            style = _choice(rng, ("soigne", "courant"))
        else:
            style = _pick(rng, _STYLE_CUM)
        if role == "influencer":
            followers = int(rng.uniform(20_000, 420_000))
        elif role == "journalist":
            followers = int(rng.uniform(3_000, 60_000))
        else:
            followers = min(int(math.exp(rng.gauss(5.0, 1.3))), 15_000)
        base = (
            _ascii_slug(first) + _choice(rng, ("", "_", ".")) + _ascii_slug(last)[: _choice(rng, (1, 3, 20))]
        )
        handle = f"{base}{_choice(rng, ('', str(pid % 100), str(_randint(rng, 60, 99))))}"
        location_key = _pick(rng, _LOCATION_CUM)
        return _Person(pid, lang, first, last, style, role, location_key, followers, handle)

    def _person(self, lang: str, mtype: str, viral: bool) -> _Person:
        rng = self.rng
        if viral:
            return _choice(rng, self._cast[(lang, "influencer")] or self._cast[("fr", "influencer")])
        if mtype == "spam":
            if rng.random() < 0.6:
                return _choice(rng, self._cast[(lang, "spammer")])
            return self._new_person(lang, "spammer")
        if mtype == "troll" and rng.random() < 0.7:
            return _choice(rng, self._cast[(lang, "troll")])
        if lang == "fr" and mtype == "complaint" and rng.random() < 0.01:
            return _choice(rng, self._cast[(lang, "journalist")])
        draw = rng.random()
        if draw < 0.08:
            return _choice(rng, self._cast[(lang, "regular")])
        recent = self._recent[lang]
        if draw < 0.3 and recent:
            return recent[_below(rng, len(recent))]
        person = self._new_person(lang, "member")
        recent.append(person)
        return person

    def _author(self, person: _Person, platform: str, source_key: str) -> AuthorRecord | None:
        pid = person.pid
        name = f"{person.first} {person.last}"
        short = f"{person.first} {person.last[0]}."
        flags: tuple[str, ...] = ()
        if person.role == "influencer":
            flags = ("influencer",)
        elif person.role == "journalist":
            flags = ("journalist",)
        elif person.role == "troll" and pid % 3 == 0:
            flags = ("troll",)
        if platform == "google_business":
            ident = str(int.from_bytes(_digest("g", pid)[:9], "big"))[:21]
            return AuthorRecord(
                platform,
                ident,
                "",
                name if pid % 4 else short,
                f"https://www.google.com/maps/contrib/{ident}",
                None,
            )
        if platform == "trustpilot":
            ident = _digest("tp", pid).hex()[:24]
            return AuthorRecord(platform, ident, "", short, f"https://fr.trustpilot.com/users/{ident}", None)
        if platform == "facebook":
            ident = str(6_100_000_000_000_000 + pid * 97)
            return AuthorRecord(
                platform,
                ident,
                "",
                name,
                f"https://www.facebook.com/profile.php?id={ident}",
                person.followers,
                flags,
            )
        if platform == "x":
            ident = str(1_000_000_000 + pid * 7919)
            return AuthorRecord(
                platform,
                ident,
                person.handle,
                name,
                f"https://x.com/{person.handle}",
                person.followers,
                flags,
            )
        if platform == "instagram":
            handle = person.handle.replace("_", ".")
            ident = str(17_841_400_000_000_000 + pid * 31)
            return AuthorRecord(
                platform,
                ident,
                handle,
                name,
                f"https://www.instagram.com/{handle}/",
                person.followers,
                flags,
            )
        if platform == "mastodon":
            instance = corpus.INSTANCES[pid % len(corpus.INSTANCES)]
            acct = f"{person.handle}@{instance}"
            return AuthorRecord(
                platform,
                f"https://{instance}/users/{person.handle}",
                acct,
                person.first,
                f"https://{instance}/@{person.handle}",
                person.followers // 4,
                flags,
            )
        if platform == "bluesky":
            did = "did:plc:" + base64.b32encode(_digest("bsky", pid)).decode().lower()[:24]
            handle = f"{person.handle}.bsky.social"
            return AuthorRecord(
                platform,
                did,
                handle,
                name if pid % 2 else person.first,
                f"https://bsky.app/profile/{handle}",
                person.followers // 3,
                flags,
            )
        if source_key == "forum":
            pseudo = f"{corpus.FORUM_PSEUDOS[pid % len(corpus.FORUM_PSEUDOS)]}{pid % 97}"
            return AuthorRecord(
                "feed", pseudo, pseudo, pseudo, f"https://forum.conso-entraide.example/u/{pseudo}", None
            )
        if source_key == "survey":
            member = f"ADH-{4_000_000 + pid * 13:07d}"
            return AuthorRecord("webhook", member, "", short, "", None)
        return None

    # -- one mention --

    def mentions(self) -> Iterator[MentionRecord]:
        ref = 0
        for plan in plan_days(self.rng, self.size, self.now, self.days):
            for created in _times_of_day(self.rng, plan.day, plan.count, self.now):
                yield self._mention(ref, created, self.rng.random() < plan.crisis_share)
                ref += 1

    def _mention(self, ref: int, created: datetime, crisis: bool) -> MentionRecord:
        rng = self.rng
        hour = created.astimezone(PARIS).hour
        if crisis:
            source_key = _pick(rng, _CRISIS_SOURCE_CUM)
        else:
            source_key = _pick(rng, _SOURCE_NIGHT_CUM if hour < 7 or hour >= 22 else _SOURCE_CUM)
        source = SOURCES_BY_KEY[source_key]
        platform = source.platform
        family = "google_business" if platform == "google_business" else source_key
        en_rate = _EN_RATE[source_key]
        lang = "en" if rng.random() < (min(en_rate, 0.08) if crisis else en_rate) else "fr"
        kind = _pick(rng, _KIND_CUM[family])
        parent: tuple[str, list[str], str] | None = None
        if kind == "reply":
            parent = self._parent(source_key, crisis)
            if parent is None:
                kind = "comment" if platform in ("facebook", "instagram") else "post"
        location = LOCATIONS_BY_KEY[source.location_key] if source.location_key else None
        viral = crisis and platform in ("x", "facebook") and kind == "post" and rng.random() < 0.12
        mtype = self._type(family, kind, platform, crisis, parent is not None)
        person = self._person(lang, mtype, viral)
        if location is None and source_key != "press" and rng.random() < 0.5:
            location = LOCATIONS_BY_KEY[person.location_key]
        self.org_handle = _ORG_HANDLES.get(platform, ORG_NAME)
        slots = _Slots(self, lang, location, created)
        self._legal = False
        title, text, themes, sentiment = self._text(
            source_key, platform, kind, mtype, lang, crisis, viral, parent, slots, person
        )
        location_key = slots.location.key if slots.location is not None and slots.location_used else None
        if source.location_key:
            location_key = source.location_key
        if text and source_key not in ("press", "employer"):  # articles and HR exports are edited texts
            text = add_noise(rng, text, lang=lang, style=person.style, sentiment=sentiment)
        limit = _TEXT_LIMITS.get(platform)
        if limit and len(text) > limit:
            text = text[: text.rfind(" ", 0, limit - 1)].rstrip(",;:") + "…"
        rating, rating_raw = self._rating(source_key, platform, mtype, sentiment, crisis)
        if sentiment == "negative":
            score = -round(rng.uniform(0.35, 0.97), 3)
        elif sentiment == "positive":
            score = round(rng.uniform(0.35, 0.98), 3)
        else:
            score = round(rng.uniform(-0.2, 0.2), 3)
        author = None if source_key == "employer" else self._author(person, platform, source_key)
        if source_key == "press":
            author = None  # set in _press_identity
        fetched = min(created + self._fetch_delay(source_key, created), self.now)
        likes, shares, replies_count, reach = self._engagement(
            platform, source_key, kind, person, sentiment, viral
        )
        mention = MentionRecord(
            ref=ref,
            source_key=source_key,
            location_key=location_key,
            external_id="",
            kind=kind,
            url="",
            author=author,
            parent_external_id=parent[0] if parent else None,
            title=title,
            text=text,
            html="",
            rating=rating,
            rating_raw=rating_raw,
            created_at=created,
            fetched_at=fetched,
            likes=likes,
            shares=shares,
            replies_count=replies_count,
            reach=reach,
            raw={},
            language=lang,
            sentiment=sentiment,
            sentiment_score=score,
            mention_type=mtype,
            themes=themes,
            priority=0,
            crisis=crisis,
            case=None,
            legal_risk=self._legal,
        )
        if mtype == "spam" and platform in _SOCIAL and rng.random() < 0.4:
            removed = fetched + _seconds(rng, 3600, 2 * 86400)
            mention.deleted_at = removed if removed <= self.now else None
        self._identity(mention, person, location)
        mention.priority, mention.priority_reasons = self._priority(mention)
        if kind in ("post", "comment") and platform in _THREAD_PLATFORMS and mtype != "spam":
            entry = (mention.external_id, themes, author.handle if author else "")
            self._threads.setdefault(source_key, deque(maxlen=40)).append(entry)
            if viral:
                self._viral.setdefault(source_key, deque(maxlen=6)).append(entry)
        mention.case = self._case(mention, person, location)
        return mention

    def _parent(self, source_key: str, crisis: bool) -> tuple[str, list[str], str] | None:
        rng = self.rng
        viral = self._viral.get(source_key)
        if crisis and viral and rng.random() < 0.7:
            return viral[_below(rng, len(viral))]
        threads = self._threads.get(source_key)
        if not threads:
            return None
        return threads[_below(rng, len(threads))]

    def _type(self, family: str, kind: str, platform: str, crisis: bool, is_reply: bool) -> str:
        rng = self.rng
        if family == "press":
            return "other"
        if crisis:
            draw = rng.random()
            return (
                "complaint"
                if draw < 0.72
                else "question"
                if draw < 0.88
                else "troll"
                if draw < 0.97
                else "other"
            )
        if is_reply:
            return _pick(rng, _TYPE_CUM["reply"])
        if family == "google_business" or family == "trustpilot":
            return _pick(rng, _TYPE_CUM["review"])
        if family in ("forum", "survey", "employer"):
            return _pick(rng, _TYPE_CUM[family])
        return _pick(rng, _TYPE_CUM["social"])

    # -- texts --

    def _themes(self, mtype: str) -> list[str]:
        rng = self.rng
        primary = _pick(rng, _THEME_CUM[mtype])
        themes = [primary]
        if rng.random() < 0.3:
            second = _pick(rng, _THEME_CUM[mtype])
            if second != primary:
                themes.append(second)
        return themes

    def _sentences(self, lang: str, theme: str, mtype: str, count: int) -> list[str]:
        bank = (corpus.EN if lang == "en" else corpus.FR)[theme][mtype]
        return self.rng.sample(bank, min(count, len(bank)))

    def _text(
        self,
        source_key: str,
        platform: str,
        kind: str,
        mtype: str,
        lang: str,
        crisis: bool,
        viral: bool,
        parent: tuple[str, list[str], str] | None,
        slots: _Slots,
        person: _Person,
    ) -> tuple[str, str, list[str], str]:
        """Return (title, text, themes, sentiment) for one mention."""
        rng = self.rng
        en = lang == "en"
        if source_key == "press":
            return self._article(crisis, slots)
        if source_key == "employer":
            return self._employer_review(mtype, lang)
        if mtype == "spam":
            return "", _choice(rng, corpus.EN_SPAM if en else corpus.FR_SPAM), [], "neutral"
        if mtype == "troll":
            if crisis and not en:
                return "", _fill(_choice(rng, corpus.FR_CRISIS_TROLLS), slots), ["remboursement"], "negative"
            if not en and rng.random() < 0.12:
                self._legal = True
                return "", _fill(_choice(rng, corpus.FR_TROLLS_LEGAL), slots), [], "negative"
            return (
                "",
                _fill(_choice(rng, corpus.EN_TROLLS if en else corpus.FR_TROLLS), slots),
                [],
                "negative",
            )
        if parent is not None and mtype in ("complaint", "other"):
            if mtype == "complaint":
                bank = corpus.EN_REPLY_AGREE if en else corpus.FR_REPLY_AGREE
                agreed = list(parent[1]) or ["remboursement"]
                text = _fill(_choice(rng, bank), slots)
                if parent[2] and platform in ("x", "bluesky", "mastodon") and rng.random() < 0.6:
                    text = f"@{parent[2]} {text}"
                return "", text, agreed, "negative"
            text = _fill(_choice(rng, corpus.EN_REPLY_OTHER if en else corpus.FR_REPLY_OTHER), slots)
            return "", text, [], "neutral"
        if crisis:
            return self._crisis_text(platform, mtype, lang, viral, slots)
        title = ""
        length = _pick(
            rng, _LENGTH_CUM.get(platform if platform in _LENGTH_CUM else source_key, _LENGTH_CUM["facebook"])
        )
        if source_key == "forum" and kind == "reply":
            length = "short" if rng.random() < 0.6 else "medium"
        if mtype == "other":
            themes: list[str] = []
            if length == "tiny" or platform in _REVIEW_PLATFORMS:
                text, tiny_themes = _choice(rng, (corpus.EN_TINY if en else corpus.FR_TINY)["other"])
                themes = list(tiny_themes)
            else:
                text = _fill(_choice(rng, corpus.EN_OTHER if en else corpus.FR_OTHER), slots)
            sentiment = "neutral"
        elif length == "tiny":
            tiny = (
                corpus.EN_TINY
                if en
                else corpus.FR_TINY
                if platform in _REVIEW_PLATFORMS
                else _FR_TINY_NOT_REVIEW
            )
            text, tiny_themes = _choice(rng, tiny[mtype])
            themes = list(tiny_themes)
            sentiment = {"complaint": "negative", "praise": "positive"}.get(mtype, "neutral")
        else:
            themes = self._themes(mtype)
            text = self._compose(
                lang,
                mtype,
                themes,
                length,
                slots,
                forum=source_key == "forum" and kind == "post",
                review=platform in _REVIEW_PLATFORMS,
            )
            sentiment = {"complaint": "negative", "praise": "positive"}.get(mtype, "neutral")
            if mtype == "question" and rng.random() < 0.25:
                sentiment = "negative"  # an exasperated question
        if platform == "trustpilot" or (source_key == "forum" and kind == "post"):
            titles = corpus.EN_TITLES if en else corpus.FR_TITLES
            themed = () if en or not themes else corpus.FR_THEME_TITLES.get((mtype, themes[0]), ())
            title = _choice(rng, themed if themed and rng.random() < 0.7 else titles[mtype])
            if source_key == "forum":
                themed = corpus.FR_FORUM_THEME_TITLES.get(themes[0], ()) if themes else ()
                generic = corpus.FR_FORUM_TITLES
                title = _fill(_choice(rng, themed if themed and rng.random() < 0.75 else generic), slots)
        if platform == "x" and rng.random() < 0.6:
            text = f"@{ORG_X_HANDLE} {text}"
        elif platform == "instagram" and rng.random() < 0.3:
            text = f"@{ORG_INSTAGRAM_HANDLE} {text}"
        if platform == "google_business" and mtype in ("praise", "complaint") and rng.random() < 0.04:
            text, themes = "", []  # a rating without a comment
        return title, text, themes, sentiment

    def _compose(
        self,
        lang: str,
        mtype: str,
        themes: list[str],
        length: str,
        slots: _Slots,
        *,
        forum: bool = False,
        review: bool = False,
    ) -> str:
        """Write a text on ``themes``; a short one keeps only the first theme (``themes`` is trimmed)."""
        rng = self.rng
        en = lang == "en"
        openers = (corpus.EN_OPENERS if en else corpus.FR_OPENERS)[mtype]
        closers = (corpus.EN_CLOSERS if en else corpus.FR_CLOSERS if review else _FR_CLOSERS_NOT_REVIEW)[
            mtype
        ]
        primary = themes[0]
        if length == "short":
            del themes[1:]  # one sentence speaks of one theme: the ground truth must say so
            body = [_fill(s, slots) for s in self._sentences(lang, primary, mtype, 1)]
            if rng.random() < 0.35:
                body[0] = _after_opener(_fill(_choice(rng, openers), slots), body[0])
            if rng.random() < 0.4:
                body.append(_fill(_choice(rng, closers), slots))
            return " ".join(_capitalise(s) for s in body)
        count = 2 if length == "medium" else _choice(rng, (3, 3, 4))
        body = [_fill(s, slots) for s in self._sentences(lang, primary, mtype, count)]
        for theme in themes[1:]:
            extra = 1 if length == "medium" else _choice(rng, (1, 2))
            body += [_fill(s, slots) for s in self._sentences(lang, theme, mtype, extra)]
        if mtype == "complaint" and rng.random() < (0.25 if length == "medium" else 0.7):
            body.append(_fill(_choice(rng, corpus.EN_CONSEQUENCE if en else corpus.FR_CONSEQUENCE), slots))
        if mtype == "praise" and not en and rng.random() < 0.4:
            body.append(_fill(_choice(rng, corpus.FR_POSITIVE_DETAIL), slots))
        body = [_capitalise(s) for s in body]
        if rng.random() < 0.7:
            body[0] = _after_opener(_fill(_choice(rng, openers), slots), body[0])
        closer = _fill(_choice(rng, closers), slots) if rng.random() < 0.7 else ""
        if length == "medium":
            return " ".join([*body, closer] if closer else body)
        context = _fill(_choice(rng, corpus.EN_CONTEXT if en else corpus.FR_CONTEXT), slots)
        middle = max(1, len(body) // 2)
        paragraphs = [context + " " + " ".join(body[:middle]), " ".join(body[middle:])]
        if forum and not en:
            closer = f"{closer} {_choice(rng, corpus.FR_FORUM_ENDINGS)}".strip()
        if closer:
            paragraphs.append(closer)
        return "\n\n".join(p for p in paragraphs if p.strip())

    def _crisis_text(
        self, platform: str, mtype: str, lang: str, viral: bool, slots: _Slots
    ) -> tuple[str, str, list[str], str]:
        rng = self.rng
        themes = ["remboursement"]
        second = _choice(rng, ("site_app", "joignabilite", "attente", "site_app", ""))
        if second:
            themes.append(second)
        if lang == "en":
            if mtype == "question":
                return "", _fill(_choice(rng, corpus.EN_CRISIS_QUESTIONS), slots), themes, "neutral"
            if mtype == "troll":
                return "", _fill(_choice(rng, corpus.EN_TROLLS), slots), [], "negative"
            if mtype == "other":
                return "", _fill(_choice(rng, corpus.EN_REPLY_OTHER), slots), [], "neutral"
            text = _fill(_choice(rng, corpus.EN_CRISIS_COMPLAINTS), slots)
            return "", text, themes, "negative"
        if viral:
            text = _fill(_choice(rng, corpus.FR_CRISIS_VIRAL), slots)
            return "", text, ["remboursement", "joignabilite"], "negative"
        if mtype == "question":
            text = _fill(_choice(rng, corpus.FR_CRISIS_QUESTIONS), slots)
            return "", text, themes, "negative" if rng.random() < 0.5 else "neutral"
        if mtype == "other":
            text = _fill(_choice(rng, corpus.FR_REPLY_OTHER), slots)
            return "", text, ["remboursement"], "neutral"
        sentences = [
            _fill(s, slots) for s in rng.sample(corpus.FR_CRISIS_COMPLAINTS, _choice(rng, (1, 1, 2)))
        ]
        if second and platform not in ("x", "bluesky") and rng.random() < 0.5:
            sentences += [_fill(s, slots) for s in self._sentences("fr", second, "complaint", 1)]
        if rng.random() < 0.4:
            closers = corpus.FR_CLOSERS if platform in _REVIEW_PLATFORMS else _FR_CLOSERS_NOT_REVIEW
            sentences.append(_fill(_choice(rng, closers["complaint"]), slots))
        title = _choice(rng, ("Remboursements bloqués", "Plateforme en panne", "Plus aucun remboursement"))
        text = " ".join(_capitalise(s) for s in sentences)
        return (title if platform == "trustpilot" else ""), text, themes, "negative"

    def _article(self, crisis: bool, slots: _Slots) -> tuple[str, str, list[str], str]:
        rng = self.rng
        bank = corpus.PRESS_CRISIS_ARTICLES if crisis else corpus.PRESS_ARTICLES
        title, snippet, sentiment, themes = _choice(rng, bank)
        return _fill(title, slots), _fill(snippet, slots), list(themes), sentiment

    def _employer_review(self, mtype: str, lang: str) -> tuple[str, str, list[str], str]:
        rng = self.rng
        en = lang == "en"
        pros = rng.sample(corpus.EMPLOYER_PROS_EN if en else corpus.EMPLOYER_PROS_FR, _choice(rng, (1, 2)))
        cons = rng.sample(corpus.EMPLOYER_CONS_EN if en else corpus.EMPLOYER_CONS_FR, _choice(rng, (1, 2)))
        titles = corpus.EMPLOYER_TITLES_EN if en else corpus.EMPLOYER_TITLES_FR
        title = _choice(rng, titles[mtype if mtype in titles else "other"])
        labels = ("Pros", "Cons") if en else ("Avantages", "Inconvénients")
        text = f"{labels[0]} : {', '.join(pros)}.\n{labels[1]} : {', '.join(cons)}."
        if en:
            text = text.replace(" : ", ": ")
        sentiment = {"praise": "positive", "complaint": "negative"}.get(mtype, "neutral")
        # About working there, not about the service: no customer-service theme applies.
        return title, text, [], sentiment

    # -- numbers --

    def _rating(
        self, source_key: str, platform: str, mtype: str, sentiment: str, crisis: bool
    ) -> tuple[Decimal | None, str]:
        rng = self.rng
        if platform in _REVIEW_PLATFORMS or source_key == "employer":
            if mtype in ("complaint", "troll") or (crisis and sentiment == "negative"):
                stars = rng.choices((1, 2, 3), weights=(60, 30, 10))[0]
            elif mtype == "praise":
                stars = rng.choices((4, 5), weights=(30, 70))[0]
            elif mtype == "spam":
                stars = 5 if rng.random() < 0.6 else 1
            else:
                stars = rng.choices((2, 3, 4), weights=(20, 50, 30))[0]
            if platform == "google_business":
                return _RATINGS[stars], _GOOGLE_STARS[stars]
            if source_key == "employer":
                return _RATINGS[stars], f"{stars}.0"
            return _RATINGS[stars], str(stars)
        return None, ""

    def _fetch_delay(self, source_key: str, created: datetime) -> timedelta:
        rng = self.rng
        if source_key == "survey":
            return timedelta(seconds=_randint(rng, 0, 5))
        if source_key == "employer":
            # The export is imported by hand every Monday morning.
            local = created.astimezone(PARIS)
            monday = local.date() + timedelta(days=7 - local.weekday())
            return datetime.combine(monday, time(9, _below(rng, 60)), tzinfo=PARIS) - created
        seconds = {"x": (60, 400), "press": (600, 5400), "forum": (600, 3600)}.get(source_key, (120, 1800))
        return timedelta(seconds=_randint(rng, *seconds))

    def _engagement(
        self, platform: str, source_key: str, kind: str, person: _Person, sentiment: str, viral: bool
    ) -> tuple[int, int, int, int]:
        rng = self.rng
        anger = 2.0 if sentiment == "negative" else 1.0
        if viral:
            reach = int(rng.uniform(80_000, 600_000))
            likes = int(reach * rng.uniform(0.008, 0.03))
            return likes, int(likes * rng.uniform(0.2, 0.5)), int(rng.uniform(100, 900)), reach
        if platform in _REVIEW_PLATFORMS:
            return int(rng.expovariate(1.0) * anger), 0, 0, _randint(rng, 80, 900)
        if source_key == "press":
            return 0, _randint(rng, 0, 200), 0, 0  # reach comes from the outlet, set with the identity
        if source_key == "forum":
            views = _randint(rng, 150, 3000)
            return _randint(rng, 0, 12), 0, (_randint(rng, 0, 25) if kind == "post" else 0), views
        if platform in _SOCIAL:
            reach = int(person.followers * rng.uniform(0.05, 0.4)) + _randint(rng, 20, 400)
            if kind == "comment":
                reach = _randint(rng, 200, 5000)
            likes = int(reach * rng.uniform(0.002, 0.02) * anger)
            shares = int(likes * rng.uniform(0.0, 0.3)) if kind != "comment" else 0
            replies = int(rng.expovariate(0.5)) if kind != "reply" else 0
            return likes, shares, replies, reach
        return 0, 0, 0, 0

    def _priority(self, mention: MentionRecord) -> tuple[int, list[str]]:
        """The priority analyzer's score and reasons, from the generator's labels, as Vigie would
        have computed them when it read the mention (``fetched_at``)."""
        author = mention.author
        item = Item(
            id=str(mention.ref),
            text=mention.text,
            title=mention.title,
            kind=mention.kind,
            rating=float(mention.rating) if mention.rating is not None else None,
            created_at=mention.created_at,
            author_followers=author.followers_count if author is not None else None,
            likes=mention.likes,
            shares=mention.shares,
            replies_count=mention.replies_count,
            reach=mention.reach,
        )
        results = {
            "sentiment": {"label": mention.sentiment, "score": mention.sentiment_score},
            "type": mention.mention_type,
            "toxicity": {"legal_risk": mention.legal_risk, "toxic": mention.legal_risk},
        }
        answer = score_item(item, results, mention.fetched_at)
        return int(answer["score"]), list(answer["reasons"])

    # -- identity: ids, urls, payloads --

    def _identity(self, m: MentionRecord, person: _Person, location: LocationSpec | None) -> None:
        rng = self.rng
        ref = m.ref
        created = m.created_at
        seconds = int(created.timestamp())
        author = m.author
        source_key = m.source_key
        if source_key.startswith("google_"):
            loc = LOCATIONS_BY_KEY[source_key.removeprefix("google_")]
            review_id = _opaque("AbFvOq", ref, self.seed)
            name = f"accounts/{ORG_GBP_ACCOUNT_ID}/locations/{loc.gbp_location_id}/reviews/{review_id}"
            anonymous = person.pid % 17 == 0
            reviewer: dict[str, Any] = (
                {"displayName": "Un utilisateur de Google", "isAnonymous": True}
                if anonymous
                else {
                    "displayName": author.display_name if author else "",
                    "profilePhotoUrl": f"https://lh3.googleusercontent.com/a-/ALV-{_opaque('', person.pid)}=s120-c",
                    "isAnonymous": False,
                }
            )
            if anonymous:
                m.author = None
            m.external_id = name
            m.url = f"https://www.google.com/maps/place/?q=place_id:{loc.gbp_place_id}&review={review_id}"
            m.raw = {
                "name": name,
                "reviewId": review_id,
                "reviewer": reviewer,
                "starRating": m.rating_raw,
                "createTime": _z(created),
                "updateTime": _z(created),
            }
            if m.text:
                m.raw["comment"] = m.text
        elif source_key == "trustpilot":
            review_id = _hex_id(ref, self.seed)
            m.external_id = review_id
            m.url = f"https://fr.trustpilot.com/reviews/{review_id}"
            m.raw = {
                "id": review_id,
                "consumer": {
                    "id": author.external_id if author else "",
                    "displayName": author.display_name if author else "",
                    "displayLocation": f"{(location or LOCATIONS_BY_KEY[person.location_key]).city}, FR",
                    "numberOfReviews": 1 + person.pid % 9,
                },
                "businessUnit": {
                    "id": ORG_TRUSTPILOT_BUSINESS_UNIT,
                    "identifyingName": "mutuelle-horizon.example",
                    "displayName": ORG_NAME,
                },
                "stars": int(m.rating_raw),
                "title": m.title,
                "text": m.text,
                "language": m.language,
                "createdAt": _z(created),
                "experiencedAt": _z(created - timedelta(days=_randint(rng, 0, 20))),
                "updatedAt": None,
                "companyReply": None,
                "isVerified": rng.random() < 0.6,
                "numberOfLikes": m.likes,
                "status": "active",
                "location": None,
            }
        elif source_key == "facebook":
            page_post = 10_160_000_000_000_000 + (seconds // 172_800) * 7  # the page posts every two days
            if m.kind == "post":
                post_id = f"{ORG_FACEBOOK_PAGE_ID}_{10_180_000_000_000_000 + ref}"
                m.external_id = post_id
                m.url = (
                    f"https://www.facebook.com/{ORG_FACEBOOK_PAGE_ID}/posts/{10_180_000_000_000_000 + ref}/"
                )
                m.raw = {
                    "id": post_id,
                    "message": m.text,
                    "created_time": _meta(created),
                    "permalink_url": m.url,
                    "from": {"name": author.display_name, "id": author.external_id} if author else {},
                    "shares": {"count": m.shares},
                    "reactions": {"summary": {"total_count": m.likes}},
                    "comments": {"summary": {"total_count": m.replies_count}},
                }
            else:
                comment_id = 10_170_000_000_000_000 + ref
                post = m.parent_external_id.split("_")[0] if m.parent_external_id else str(page_post)
                m.external_id = f"{post}_{comment_id}"
                m.url = (
                    f"https://www.facebook.com/{ORG_FACEBOOK_PAGE_ID}/posts/{post}/?comment_id={comment_id}"
                )
                m.raw = {
                    "id": m.external_id,
                    "from": {"name": author.display_name, "id": author.external_id} if author else {},
                    "message": m.text,
                    "created_time": _meta(created),
                    "like_count": m.likes,
                    "comment_count": m.replies_count,
                    "permalink_url": m.url,
                    "can_reply_privately": True,
                    "is_hidden": False,
                }
                if m.parent_external_id:
                    m.raw["parent"] = {"id": m.parent_external_id}
        elif source_key == "x":
            millis = seconds * 1000 + (ref >> 22) % 1000
            tweet_id = str(((millis - _X_EPOCH_MS) << 22) | (ref & 0x3FFFFF))
            handle = author.handle if author else "user"
            m.external_id = tweet_id
            m.url = f"https://x.com/{handle}/status/{tweet_id}"
            tweet: dict[str, Any] = {
                "id": tweet_id,
                "text": m.text,
                "author_id": author.external_id if author else "",
                "conversation_id": m.parent_external_id or tweet_id,
                "created_at": _z_ms(created),
                "lang": m.language,
                "reply_settings": "everyone",
                "edit_history_tweet_ids": [tweet_id],
                "public_metrics": {
                    "retweet_count": m.shares,
                    "reply_count": m.replies_count,
                    "like_count": m.likes,
                    "quote_count": m.shares // 5,
                    "bookmark_count": m.likes // 20,
                    "impression_count": m.reach,
                },
            }
            if m.parent_external_id:
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": m.parent_external_id}]
            x_user: dict[str, Any] = {
                "id": author.external_id if author else "",
                "name": author.display_name if author else "",
                "username": handle,
                "verified": person.role == "influencer",
                "public_metrics": {
                    "followers_count": person.followers,
                    "following_count": 100 + person.pid % 700,
                },
            }
            m.raw = {"data": tweet, "includes": {"users": [x_user]}}
        elif source_key == "instagram":
            ig_comment_id = str(17_900_000_000_000_000 + ref)
            media_id = str(17_955_000_000_000_000 + (seconds // 259_200))
            handle = author.handle if author else ""
            m.external_id = ig_comment_id
            m.url = (
                f"https://www.instagram.com/p/{_opaque('', seconds // 259_200, length=11)}/c/{ig_comment_id}/"
            )
            m.raw = {
                "id": ig_comment_id,
                "text": m.text,
                "timestamp": _meta(created),
                "username": handle,
                "like_count": m.likes,
                "hidden": False,
                "from": {"id": author.external_id if author else "", "username": handle},
                "media": {"id": media_id},
            }
            if m.parent_external_id:
                m.raw["parent_id"] = m.parent_external_id
        elif source_key == "mastodon":
            millis = seconds * 1000 + (ref >> 16) % 1000
            status_id = str((millis << 16) | (ref & 0xFFFF))
            acct = author.handle if author else ""
            username, _, instance = acct.partition("@")
            m.external_id = status_id
            m.url = f"https://{instance}/@{username}/{status_id}"
            m.html = f"<p>{html.escape(m.text)}</p>"
            m.raw = {
                "id": status_id,
                "uri": f"https://{instance}/users/{username}/statuses/{status_id}",
                "url": m.url,
                "created_at": _z_ms(created),
                "edited_at": None,
                "in_reply_to_id": m.parent_external_id,
                "sensitive": False,
                "spoiler_text": "",
                "visibility": "public",
                "language": m.language,
                "replies_count": m.replies_count,
                "reblogs_count": m.shares,
                "favourites_count": m.likes,
                "content": m.html,
                "account": {
                    "id": str(100_000 + person.pid),
                    "username": username,
                    "acct": acct,
                    "display_name": author.display_name if author else "",
                    "url": author.profile_url if author else "",
                    "bot": False,
                    "followers_count": author.followers_count if author else 0,
                },
                "mentions": [{"username": "mutuellehorizon", "acct": "mutuellehorizon@mastodon.social"}],
                "tags": [],
            }
        elif source_key == "bluesky":
            micros = seconds * 1_000_000 + (ref >> 10) % 1_000_000
            rkey = _tid(micros, ref)
            did = author.external_id if author else "did:plc:unknown"
            handle = author.handle if author else ""
            uri = f"at://{did}/app.bsky.feed.post/{rkey}"
            m.external_id = uri
            m.url = f"https://bsky.app/profile/{handle}/post/{rkey}"
            record: dict[str, Any] = {
                "$type": "app.bsky.feed.post",
                "text": m.text,
                "createdAt": _z_ms(created),
                "langs": [m.language],
            }
            if m.parent_external_id:
                parent_ref = {
                    "uri": m.parent_external_id,
                    "cid": "bafyrei" + _digest("cid", m.parent_external_id).hex()[:20],
                }
                record["reply"] = {"root": parent_ref, "parent": parent_ref}
            m.raw = {
                "uri": uri,
                "cid": "bafyrei" + _digest("cid", uri).hex()[:20],
                "author": {
                    "did": did,
                    "handle": handle,
                    "displayName": author.display_name if author else "",
                },
                "record": record,
                "replyCount": m.replies_count,
                "repostCount": m.shares,
                "likeCount": m.likes,
                "quoteCount": m.shares // 4,
                "indexedAt": _z_ms(created + timedelta(seconds=1)),
            }
        elif source_key == "press":
            outlet, domain, audience = _choice(rng, corpus.PRESS_OUTLETS)
            entry_id = f"tag:google.com,2013:googlealerts/feed:{12_500_000_000_000_000_000 + ref}"
            slug = "-".join(_ascii_slug(word) for word in m.title.split()[:8] if _ascii_slug(word))
            article_url = f"https://www.{domain}/{created.year}/{created.month:02d}/{created.day:02d}/{slug}/"
            bold_title = html.escape(m.title).replace(ORG_NAME, f"<b>{ORG_NAME}</b>")
            bold_text = html.escape(m.text).replace(ORG_NAME, f"<b>{ORG_NAME}</b>")
            m.external_id = entry_id
            m.url = article_url
            m.html = bold_text
            m.reach = int(audience * rng.uniform(0.3, 1.0))
            m.author = AuthorRecord(
                "feed", domain, domain, outlet, f"https://www.{domain}/", audience, ("press",)
            )
            m.raw = {
                "id": entry_id,
                "title": bold_title,
                "link": f"https://www.google.com/url?rct=j&sa=t&url={article_url}&ct=ga&cd=CAIyGjk"
                f"{_digest('cd', ref).hex()[:12]}&usg=AOvVaw{_digest('usg', ref).hex()[:16]}",
                "published": _z(created),
                "updated": _z(created),
                "content": bold_text,
                "author": {"name": ""},
            }
        elif source_key == "forum":
            if m.kind == "post" or not m.parent_external_id:
                thread = 40_000 + ref
                post_no = 1
            else:
                thread = int(m.parent_external_id.split("/")[-2])
                post_no = 2 + ref % 997
            slug = "-".join(
                _ascii_slug(word) for word in (m.title or "reponse").split()[:6] if _ascii_slug(word)
            )
            guid = f"https://forum.conso-entraide.example/t/{slug or 'sujet'}/{thread}/{post_no}-{ref}"
            m.external_id = guid
            m.url = guid
            m.html = "".join(f"<p>{html.escape(p)}</p>" for p in m.text.split("\n\n"))
            m.raw = {
                "title": m.title or "Re: sujet",
                "link": guid,
                "guid": guid,
                "pubDate": format_datetime(created.astimezone(UTC)),
                "description": m.html,
                "dc:creator": author.handle if author else "",
                "category": "Assurances et mutuelles",
            }
        elif source_key == "employer":
            site = "glassdoor" if ref % 3 else "indeed"
            review_id = f"RVW{80_000_000 + ref}" if site == "glassdoor" else f"ind-{_hex_id(ref)[:16]}"
            jobs = corpus.EMPLOYER_JOBS_EN if m.language == "en" else corpus.EMPLOYER_JOBS_FR
            pros, _, cons = m.text.partition("\n")
            m.external_id = review_id
            m.url = (
                f"https://www.glassdoor.fr/Avis/Mutuelle-Horizon-Avis-E4471829_{review_id}.htm"
                if site == "glassdoor"
                else f"https://fr.indeed.com/cmp/Mutuelle-Horizon/reviews?id={review_id}"
            )
            m.location_key = person.location_key
            m.raw = {
                "source": site,
                "review_id": review_id,
                "date": created.astimezone(PARIS).date().isoformat(),
                "job_title": _choice(rng, jobs),
                "location": LOCATIONS_BY_KEY[person.location_key].city,
                "employment_status": _choice(rng, ("Employé actuel", "Ancien employé")),
                "rating_overall": m.rating_raw,
                "title": m.title,
                "pros": pros.split(":", 1)[-1].strip(),
                "cons": cons.split(":", 1)[-1].strip(),
                "language": m.language,
            }
        elif source_key == "survey":
            response_id = f"R_{ref:07d}{_digest('survey', ref, self.seed).hex()[:6]}"
            agency = LOCATIONS_BY_KEY[m.location_key or person.location_key]
            m.location_key = agency.key
            m.external_id = response_id
            m.url = ""
            en = m.language == "en"
            m.raw = {
                "event": "survey.response.completed",
                "survey_id": "csat-contact-2025",
                "response_id": response_id,
                "submitted_at": _z(created),
                "channel": _choice(rng, ("agence", "telephone", "telephone", "email")),
                "agency": agency.name,
                "answers": [
                    {
                        "question_id": "nps",
                        "question": corpus.SURVEY_NPS_QUESTION_EN if en else corpus.SURVEY_NPS_QUESTION_FR,
                        "value": _nps(rng, m.sentiment),
                    },
                    {
                        "question_id": "verbatim",
                        "question": corpus.SURVEY_QUESTION_EN if en else corpus.SURVEY_QUESTION_FR,
                        "value": m.text,
                    },
                ],
                "respondent": {"member_ref": author.external_id if author else "", "consent_contact": True},
            }

    # -- cases --

    def _work_time(self, moment: datetime, team_key: str) -> datetime:
        """The first moment at or after ``moment`` when the team is at work (weekdays 8:30–18:30)."""
        local = moment.astimezone(PARIS)
        weekend_ok = team_key == TEAM_COMMUNITY and local.weekday() == 5
        opens, closes = time(8, 30), time(18, 30) if not weekend_ok else time(13, 0)
        if local.weekday() < 5 or weekend_ok:
            if opens <= local.time() < closes:
                return moment
            if local.time() < opens:
                start = datetime.combine(local.date(), opens, tzinfo=PARIS)
                return (start + timedelta(minutes=_randint(self.rng, 0, 50))).astimezone(UTC)
        day = local.date() + timedelta(days=1)
        while day.weekday() >= 5 and not (team_key == TEAM_COMMUNITY and day.weekday() == 5):
            day += timedelta(days=1)
        start = datetime.combine(day, time(8, 30), tzinfo=PARIS)
        return (start + timedelta(minutes=_randint(self.rng, 0, 80))).astimezone(UTC)

    def _needs_case(self, m: MentionRecord) -> bool:
        rng = self.rng
        source_key = m.source_key
        mtype = m.mention_type
        if source_key == "employer":
            return False
        if source_key == "press":
            return m.sentiment == "negative" or (m.crisis and rng.random() < 0.5)
        if source_key == "survey":
            return mtype == "complaint" or (mtype == "suggestion" and rng.random() < 0.5)
        if m.kind == "review":
            if mtype == "praise":
                return rng.random() < 0.75
            return mtype != "other" or rng.random() < 0.4
        if mtype in ("complaint", "question", "suggestion"):
            return m.kind != "reply" or rng.random() < 0.5
        if mtype == "praise":
            return rng.random() < 0.35
        if mtype == "troll":
            return rng.random() < 0.8
        if mtype == "spam":
            return rng.random() < 0.5
        return False

    def _route(self, m: MentionRecord, person: _Person) -> str:
        if m.legal_risk:
            return TEAM_JURIDIQUE
        social = SOURCES_BY_KEY[m.source_key].platform in _SOCIAL
        if m.crisis and social:
            return TEAM_COMMUNITY  # a social-media crisis is answered by community management
        money = {"remboursement", "facturation", "qualite"} & set(m.themes)
        if m.mention_type in ("complaint", "question") and money:
            return TEAM_REMBOURSEMENTS
        if m.source_key in ("press", "forum") or SOURCES_BY_KEY[m.source_key].platform in _SOCIAL:
            return TEAM_COMMUNITY
        return TEAM_SERVICE_CLIENT

    def _case(self, m: MentionRecord, person: _Person, location: LocationSpec | None) -> CaseRecord | None:
        if not self._needs_case(m):
            return None
        rng = self.rng
        team = self._route(m, person)
        tags: list[str] = []
        if m.crisis:
            tags.append("incident-plateforme")
        if person.role in ("influencer", "journalist"):
            tags.append(person.role)
        if m.legal_risk:
            tags.append("risque-juridique")
        if m.mention_type in ("troll", "spam"):
            tags.append(m.mention_type)
        if m.kind == "article":
            tags.append("presse")
        answerable = m.mention_type not in ("troll", "spam") and m.kind != "article" and not m.legal_risk
        if m.mention_type == "troll" and rng.random() < 0.1:
            answerable = True
        case = CaseRecord(
            status="new",
            team_key=team,
            assignee=None,
            priority=m.priority,
            needs_answer=answerable,
            sla_due_at=m.created_at + SLA if answerable else None,
            first_response_at=None,
            resolved_at=None,
            tags=tags,
            created_at=m.fetched_at,
            updated_at=m.fetched_at,
        )
        case.events.append(
            EventRecord(
                m.fetched_at,
                VERB_CASE_CREATED,
                None,
                {"team": self._team_names[team], "priority": m.priority},
            )
        )
        if answerable:
            self._answer(case, m, person, location)
        else:
            self._triage(case, m, person)
        case.updated_at = case.events[-1].at
        return case

    def _assign(self, case: CaseRecord, at: datetime, actor: str | None) -> str:
        agent = _pick(self.rng, self._agents[case.team_key])
        case.assignee = agent
        if actor is None and at == case.created_at:
            # The routing rule assigned it on arrival: part of the creation step, not a step of its own.
            case.events[0].data["assignee"] = agent
            return agent
        data = {"assignee": agent, "team": self._team_names[case.team_key]}
        case.events.append(EventRecord(at, VERB_CASE_ASSIGNED, actor, data))
        return agent

    def _triage(self, case: CaseRecord, m: MentionRecord, person: _Person) -> None:
        """Trolls, spam, press: someone looks, decides there is nothing to answer, closes."""
        rng = self.rng
        now = self.now
        legal = m.legal_risk
        delay = _expo(rng, 3600 if legal else 10800)
        at = self._work_time(case.created_at + delay, case.team_key)
        if at > now:
            return
        agent = self._assign(case, at, None)
        if legal:
            case.status = "in_progress"
            case.events.append(EventRecord(at, VERB_CASE_STATUS, agent, {"from": "new", "to": "in_progress"}))
            closed = self._work_time(at + _seconds(rng, 86400, 8 * 86400), case.team_key)
            if closed > now:
                return
            reason = "constat d'huissier demandé et signalement à la plateforme"
        else:
            closed = at + timedelta(minutes=_randint(rng, 1, 15))
            if closed > now:
                return
            reason = {"troll": "troll : ne pas nourrir", "spam": "spam masqué"}.get(
                m.mention_type, "veille presse"
            )
        case.status = "no_answer"
        case.events.append(EventRecord(closed, VERB_CASE_NO_ANSWER, agent, {"reason": reason}))

    def _template(self, m: MentionRecord, platform: str) -> str | None:
        rng = self.rng
        en = m.language == "en"
        mtype = m.mention_type
        themes = set(m.themes)
        if mtype == "praise":
            if platform in _REVIEW_PLATFORMS or platform == "webhook":
                return "thanks_review" if en else "merci_avis"
            return None
        if m.crisis:
            if platform == "bluesky":
                return None
            return "sorry_delay" if en else ("prive_court" if platform == "x" else "incident_plateforme")
        if mtype == "complaint":
            if platform == "bluesky":
                return None  # 300 graphemes: a short answer of our own
            if platform in _SOCIAL:
                if en:
                    return "move_private"
                return "prive_court" if platform == "x" else "passage_prive"
            if "remboursement" in themes:
                return "sorry_delay" if en else "excuses_remboursement"
            if themes & {"accueil", "attente"} and not en:
                return "excuses_accueil"
            return None if rng.random() < 0.5 else ("move_private" if en else "passage_prive")
        if mtype == "question" and m.themes and m.themes[0] == "demarches" and not en:
            return "info_attestation" if rng.random() < 0.6 else "info_tiers_payant"
        return None

    def _reply_body(
        self,
        m: MentionRecord,
        template_key: str | None,
        agent: str,
        location: LocationSpec | None,
        person: _Person,
    ) -> str:
        rng = self.rng
        en = m.language == "en"
        staff = self._staff[agent]
        platform = SOURCES_BY_KEY[m.source_key].platform
        short = platform in ("x", "bluesky", "instagram")
        if short:
            signature = f"^{staff.first_name}"
        elif en:
            signature = f"{staff.first_name}, Mutuelle Horizon customer care"
        else:
            signature = f"{staff.first_name}, {self._team_names[self._route(m, person)]} — Mutuelle Horizon"
        client = person.first if m.author is not None and m.source_key != "press" else ""
        agence = location.agence_de if location else ORG_NAME
        if template_key is not None:
            body = TEMPLATES_BY_KEY[template_key].body
            if not client:
                body = body.replace(" {prenom_client}", "")
            extra = ""
            if not TEMPLATES_BY_KEY[template_key].pre_approved and m.themes and not en and rng.random() < 0.6:
                extra = _choice(rng, corpus.FR_REPLY_BODIES.get(m.themes[0], ("",)))
            body = body.replace("{prenom_client}", client).replace("{agence}", agence)
            body = body.replace("{signature}", signature)
            if extra:
                body = body.replace(f"\n\n{signature}", f" {extra}\n\n{signature}")
            return body  # {reference} stays until the case has an id
        mtype = m.mention_type if m.mention_type in corpus.FR_REPLY_OPENINGS else "other"
        greeting = ("Hello" if en else "Bonjour") + (f" {client}" if client else "")
        opening = _choice(rng, (corpus.EN_REPLY_OPENINGS if en else corpus.FR_REPLY_OPENINGS)[mtype])
        if en:
            body_text = _choice(rng, corpus.EN_REPLY_BODIES) if mtype in ("complaint", "question") else ""
        else:
            theme = m.themes[0] if m.themes else ""
            body_text = _choice(rng, corpus.FR_REPLY_BODIES[theme]) if theme in corpus.FR_REPLY_BODIES else ""
            if mtype == "praise":
                body_text = ""
        parts = [f"{greeting},", opening]
        if body_text:
            parts.append(body_text)
        if short:
            return " ".join([*parts, signature])
        return f"{parts[0]}\n\n{' '.join(parts[1:])}\n\n{signature}"

    def _published_id(self, m: MentionRecord, at: datetime) -> str:
        n = next(self._reply_seq)
        platform = SOURCES_BY_KEY[m.source_key].platform
        seconds = int(at.timestamp())
        if platform == "google_business":
            return f"{m.external_id}/reply"
        if platform == "trustpilot":
            return f"{m.external_id}/reply"
        if platform == "facebook":
            return f"{m.external_id.split('_')[0]}_{10_175_000_000_000_000 + n}"
        if platform == "x":
            return str(((seconds * 1000 + 999 - n % 1000 - _X_EPOCH_MS) << 22) | (0x200000 + n % 0x1FFFFF))
        if platform == "instagram":
            return str(18_100_000_000_000_000 + n)
        if platform == "mastodon":
            return str(((seconds * 1000 + n % 1000) << 16) | (0x8000 + n % 0x7FFF))
        if platform == "bluesky":
            return f"at://{ORG_BLUESKY_DID}/app.bsky.feed.post/{_tid(seconds * 1_000_000 + n, n)}"
        return f"email-{n}"

    def _answer(
        self, case: CaseRecord, m: MentionRecord, person: _Person, location: LocationSpec | None
    ) -> None:
        """Live the case forward from its creation; wherever "now" falls is its current state."""
        rng = self.rng
        now = self.now
        team = case.team_key
        platform = SOURCES_BY_KEY[m.source_key].platform
        slow = 3.0 if m.crisis else 1.0
        # A few cases get stuck at some stage whatever their age: forgotten, or waiting on someone.
        stuck = (
            _choice(rng, ("new", "draft", "awaiting", "approved", "waiting", "failed"))
            if rng.random() < 0.05
            else ""
        )

        if rng.random() < 0.65:
            assigned_at = case.created_at
            actor = None  # routing rule
        else:
            assigned_at = self._work_time(case.created_at + _seconds(rng, 600, 14400), team)
            actor = _choice(rng, APPROVERS[team])
        if assigned_at > now:
            return
        agent = self._assign(case, assigned_at, actor)
        if stuck == "new":
            return
        started = self._work_time(assigned_at + _expo(rng, 9000 * slow), team)
        if started > now:
            return
        case.status = "in_progress"

        by_hand = platform in ("feed", "file", "webhook")
        channel = "public"
        if platform == "webhook":
            channel = _choice(rng, ("phone", "phone", "email"))
        template_key = self._template(m, platform)
        if template_key == "incident_plateforme" and rng.random() < 0.3:
            template_key = "passage_prive"
        pre_approved = template_key is not None and TEMPLATES_BY_KEY[template_key].pre_approved
        needs_approval = channel == "public" and (
            case.priority >= 65
            or self._staff[agent].junior
            or (template_key is not None and not pre_approved)
        )
        reply = ReplyRecord(
            author=agent,
            template_key=template_key,
            channel=channel,
            body=self._reply_body(m, template_key, agent, location, person),
            status="draft",
            idempotency_key=uuid.UUID(int=rng.getrandbits(128), version=4),
            created_at=started,
        )
        case.replies.append(reply)
        ready = started + _seconds(rng, 180, 1500)
        if ready > now or stuck == "draft":
            return
        if needs_approval:
            reply = self._approval(case, reply, ready, agent, stuck, m, location, person)
            if reply.approved_at is None:
                return
            publish_at = reply.approved_at + timedelta(seconds=_randint(rng, 5, 120))
            if by_hand:
                publish_at = self._work_time(reply.approved_at + _seconds(rng, 300, 5400), team)
            if publish_at > now or stuck == "approved":
                return
            publisher: str | None = agent if by_hand else None
        else:
            publish_at = ready
            publisher = agent
        index = case.replies.index(reply)
        if not by_hand and (stuck == "failed" or rng.random() < 0.03):
            reply.status = "failed"
            reply.error = corpus.PUBLISH_ERRORS.get(platform, "Erreur de publication.")
            case.events.append(
                EventRecord(publish_at, VERB_REPLY_FAILED, None, {"error": reply.error}, index)
            )
            retry_at = self._work_time(publish_at + _seconds(rng, 1800, 18000), team)
            if stuck == "failed" or retry_at > now:
                return
            reply = ReplyRecord(
                author=agent,
                template_key=reply.template_key,
                channel=channel,
                body=reply.body,
                # The same text goes out again: still approved if it had been.
                status="approved" if reply.approved_at else "draft",
                idempotency_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                created_at=retry_at,
                approved_at=reply.approved_at,
                approved_by=reply.approved_by,
                submitted_at=reply.submitted_at,
            )
            case.replies.append(reply)
            index = len(case.replies) - 1
            publish_at = retry_at + timedelta(seconds=_randint(rng, 20, 300))
            if publish_at > now:
                return
            publisher = agent
        reply.published_at = publish_at
        if by_hand:
            reply.status = "posted_by_hand"
            case.events.append(
                EventRecord(publish_at, VERB_REPLY_POSTED_BY_HAND, agent, {"channel": channel}, index)
            )
        else:
            reply.status = "published"
            reply.external_id = self._published_id(m, publish_at)
            case.events.append(
                EventRecord(
                    publish_at,
                    VERB_REPLY_PUBLISHED,
                    publisher,
                    {"channel": channel, "external_id": reply.external_id},
                    index,
                )
            )
        case.first_response_at = publish_at
        private = template_key in ("passage_prive", "prive_court", "move_private", "excuses_accueil") or (
            m.mention_type == "complaint" and rng.random() < 0.3
        )
        if private:
            case.status = "waiting_customer"
            case.events.append(
                EventRecord(
                    publish_at, VERB_CASE_STATUS, agent, {"from": "in_progress", "to": "waiting_customer"}
                )
            )
            if stuck == "waiting":
                return
            if rng.random() < 0.8:
                answered = publish_at + _expo(rng, 72000 * slow)
                resolved = self._work_time(answered + _seconds(rng, 600, 10800), team)
                if resolved > now:
                    return
                self._resolve(case, resolved, agent, "réglé en message privé")
                return
            follow_at = self._work_time(publish_at + timedelta(days=5), team)
            if follow_at > now:
                return
            follow = ReplyRecord(
                author=agent,
                template_key="follow_up" if m.language == "en" else "relance",
                channel=channel,
                body=self._reply_body(
                    m, "follow_up" if m.language == "en" else "relance", agent, location, person
                ),
                status="posted_by_hand" if by_hand else "published",
                idempotency_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                created_at=follow_at,
                published_at=follow_at + timedelta(minutes=2),
            )
            case.replies.append(follow)
            verb = VERB_REPLY_POSTED_BY_HAND if by_hand else VERB_REPLY_PUBLISHED
            data: dict[str, Any] = {"channel": channel}
            if not by_hand:
                follow.external_id = self._published_id(m, follow_at)
                data["external_id"] = follow.external_id
            if follow.published_at is None or follow.published_at > now:
                case.replies.pop()
                return
            case.events.append(EventRecord(follow.published_at, verb, agent, data, len(case.replies) - 1))
            closed = self._work_time(follow_at + timedelta(days=7), team)
            if closed > now:
                return
            self._resolve(case, closed, agent, "sans réponse du client après relance")
            return
        resolved = (
            publish_at
            if rng.random() < 0.6
            else self._work_time(publish_at + _seconds(rng, 720, 108000), team)
        )
        if resolved > now:
            return
        self._resolve(case, resolved, agent, "")

    def _approval(
        self,
        case: CaseRecord,
        reply: ReplyRecord,
        ready: datetime,
        agent: str,
        stuck: str,
        m: MentionRecord,
        location: LocationSpec | None,
        person: _Person,
    ) -> ReplyRecord:
        """Submit ``reply`` for approval; returns the reply that ended up approved (or the last one)."""
        rng = self.rng
        now = self.now
        team = case.team_key
        approver = _choice(rng, APPROVERS[team])
        for attempt in range(3):
            reply.status = "awaiting_approval"
            reply.submitted_at = ready
            case.status = "awaiting_approval"
            index = case.replies.index(reply)
            case.events.append(
                EventRecord(ready, VERB_REPLY_SUBMITTED, agent, {"channel": reply.channel}, index)
            )
            reviewed = self._work_time(ready + _expo(rng, 7200), team)
            if reviewed > now or stuck == "awaiting":
                return reply
            if attempt < 2 and rng.random() < 0.12:
                reply.status = "sent_back"
                reason = _choice(rng, corpus.SEND_BACK_REASONS)
                case.status = "in_progress"
                case.events.append(
                    EventRecord(reviewed, VERB_REPLY_SENT_BACK, approver, {"reason": reason}, index)
                )
                redo = self._work_time(reviewed + _seconds(rng, 600, 5400), team)
                if redo > now:
                    return reply
                reply = ReplyRecord(
                    author=agent,
                    template_key=reply.template_key,
                    channel=reply.channel,
                    body=self._reply_body(m, reply.template_key, agent, location, person),
                    status="draft",
                    idempotency_key=uuid.UUID(int=rng.getrandbits(128), version=4),
                    created_at=redo,
                )
                case.replies.append(reply)
                ready = redo + _seconds(rng, 180, 1200)
                if ready > now:
                    return reply
                continue
            reply.status = "approved"
            reply.approved_at = reviewed
            reply.approved_by = approver
            case.status = "in_progress"
            case.events.append(EventRecord(reviewed, VERB_REPLY_APPROVED, approver, {}, index))
            return reply
        return reply

    def _resolve(self, case: CaseRecord, at: datetime, agent: str, note: str) -> None:
        case.status = "resolved"
        case.resolved_at = at
        case.events.append(EventRecord(at, VERB_CASE_RESOLVED, agent, {"note": note} if note else {}))


def generate(
    seed: int = DEFAULT_SEED,
    size: int = DEFAULT_SIZE,
    now: datetime | None = None,
    *,
    days: int = DEFAULT_DAYS,
) -> Iterator[MentionRecord]:
    """Yield ``size`` demo mentions over the ``days`` before ``now``, oldest first.

    Pure and lazy: the same arguments give the same records, and only a bounded window of recent
    authors and threads is kept, so any ``size`` runs in constant memory.
    """
    if size < 0:
        raise ValueError("size must be positive")
    if now is None:
        now = datetime.now(UTC)
    return _Generator(seed, size, now, days).mentions()
