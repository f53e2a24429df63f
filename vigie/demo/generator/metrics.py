"""The numbers on a mention: its rating, how long Vigie took to fetch it, its engagement, and the
priority analyzer's score as Vigie would have computed it."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from vigie.analysis.builtin.priority.analyzer import score_item
from vigie.analysis.contract import Item
from vigie.demo.generator.draws import _below, _randint
from vigie.demo.generator.records import MentionRecord
from vigie.demo.generator.state import _Person, _State
from vigie.demo.generator.timeline import PARIS
from vigie.demo.generator.weights import _REVIEW_PLATFORMS, _SOCIAL

_GOOGLE_STARS = ("", "ONE", "TWO", "THREE", "FOUR", "FIVE")
_RATINGS = {n: Decimal(n).quantize(Decimal("0.01")) for n in range(1, 6)}


class Metrics(_State):
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

    def _priority(self, mention: MentionRecord) -> tuple[int, list[str], list[dict[str, Any]]]:
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
        return int(answer["score"]), list(answer["reasons"]), list(answer["codes"])
