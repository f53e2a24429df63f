"""The entry point: ``generate`` and the generator that draws one mention at a time.

``_Generator`` assembles the parts (people, texts, metrics, payloads, cases) and, for each moment
the timeline gives, draws the source, language, kind and type of a mention, then calls each part in
the order the seeded stream has always been consumed in."""

from __future__ import annotations

import itertools
import random
from collections import deque
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from vigie.demo import DEFAULT_DAYS, DEFAULT_SEED, DEFAULT_SIZE
from vigie.demo.generator.cases import Cases
from vigie.demo.generator.draws import _below, _cum, _pick, _seconds
from vigie.demo.generator.metrics import Metrics
from vigie.demo.generator.payloads import Payloads
from vigie.demo.generator.people import People
from vigie.demo.generator.records import MentionRecord
from vigie.demo.generator.state import _Person
from vigie.demo.generator.texts import Texts, _Slots
from vigie.demo.generator.timeline import CRISIS_DAYS, PARIS, _times_of_day, plan_days
from vigie.demo.generator.weights import (
    _CRISIS_SOURCE_CUM,
    _EN_RATE,
    _KIND_CUM,
    _SOCIAL,
    _SOURCE_CUM,
    _SOURCE_NIGHT_CUM,
    _TEXT_LIMITS,
    _THREAD_PLATFORMS,
    _TYPE_CUM,
)
from vigie.demo.noise import add_noise
from vigie.demo.organisation import (
    LOCATIONS_BY_KEY,
    ORG_INSTAGRAM_HANDLE,
    ORG_NAME,
    ORG_X_HANDLE,
    SOURCES_BY_KEY,
    STAFF,
    TEAMS,
    PersonSpec,
)

# How a text names the organisation on each platform ({handle} in the phrase banks).
_ORG_HANDLES = {
    "x": f"@{ORG_X_HANDLE}",
    "instagram": f"@{ORG_INSTAGRAM_HANDLE}",
    "bluesky": "@mutuellehorizon.bsky.social",
    "mastodon": "@mutuellehorizon",
}


class _Generator(People, Texts, Metrics, Payloads, Cases):
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
        mention.priority, mention.priority_reasons, mention.priority_codes = self._priority(mention)
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
