"""The generator alone: deterministic, lazy, and realistic in the ways the demo relies on."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from vigie.charter.calendar import Calendar, due_at
from vigie.demo import DEFAULT_DAYS, DEFAULT_SIZE
from vigie.demo.corpus import THEMES
from vigie.demo.generator.mentions import generate
from vigie.demo.generator.records import MentionRecord
from vigie.demo.generator.texts import count_of_days
from vigie.demo.generator.timeline import CRISIS_DAYS, PARIS
from vigie.demo.organisation import SOURCES_BY_KEY, TEMPLATES
from vigie.inbox.models import CaseStatus, ReplyStatus, TemplateCategory
from vigie.mentions.models import MentionKind, MentionType, Sentiment

NOW = datetime(2026, 3, 18, 15, 42, 7, tzinfo=UTC)
REVIEW_PLATFORMS = {"google_business", "trustpilot", "file"}
ANSWERED = (ReplyStatus.PUBLISHED, ReplyStatus.POSTED_BY_HAND)


@pytest.fixture(scope="module")
def demo() -> list[MentionRecord]:
    """The default demo, generated once for the whole module (no database involved)."""
    return list(generate(42, DEFAULT_SIZE, NOW))


def test_same_seed_and_reference_time_give_identical_records() -> None:
    assert list(generate(7, 400, NOW)) == list(generate(7, 400, NOW))


def test_another_seed_gives_other_mentions() -> None:
    first = [m.text for m in generate(7, 200, NOW)]
    second = [m.text for m in generate(8, 200, NOW)]
    assert first != second


def test_generation_is_lazy_so_a_million_mentions_stream() -> None:
    stream = generate(42, 1_000_000, NOW)
    assert isinstance(stream, Iterator)
    # Only the first day's timestamps are computed to get the first mention.
    first = next(stream)
    assert first.ref == 0
    assert first.created_at < NOW - timedelta(days=DEFAULT_DAYS - 2)


def test_it_yields_exactly_size_mentions_in_chronological_order(demo: list[MentionRecord]) -> None:
    assert len(demo) == DEFAULT_SIZE
    times = [m.created_at for m in demo]
    assert times == sorted(times)
    assert times[0] >= NOW - timedelta(days=DEFAULT_DAYS)
    assert times[-1] <= NOW
    assert all(m.created_at <= m.fetched_at <= NOW for m in demo)


def test_every_kind_type_and_sentiment_occurs(demo: list[MentionRecord]) -> None:
    # Private messages reach the demo through its sandbox platforms' conversations, polled like
    # real ones (test_sandbox.py), not through the history the generator writes.
    assert {m.kind for m in demo} == set(MentionKind.values) - {MentionKind.PRIVATE_MESSAGE}
    assert {m.mention_type for m in demo} == set(MentionType.values)
    assert {m.sentiment for m in demo} == set(Sentiment.values)


def test_mostly_french_with_some_english(demo: list[MentionRecord]) -> None:
    languages = Counter(m.language for m in demo)
    assert set(languages) == {"fr", "en"}
    assert 0.85 <= languages["fr"] / len(demo) <= 0.92


def test_kinds_match_platforms(demo: list[MentionRecord]) -> None:
    kinds_by_platform: dict[str, set[str]] = {}
    for m in demo:
        kinds_by_platform.setdefault(SOURCES_BY_KEY[m.source_key].platform, set()).add(m.kind)
    assert kinds_by_platform["google_business"] == {"review"}
    assert kinds_by_platform["trustpilot"] == {"review"}
    assert kinds_by_platform["webhook"] == {"survey_answer"}
    assert "article" in kinds_by_platform["feed"]
    assert kinds_by_platform["x"] <= {"post", "reply"}


def test_only_reviews_carry_a_rating_in_the_platform_own_form(demo: list[MentionRecord]) -> None:
    for m in demo:
        platform = SOURCES_BY_KEY[m.source_key].platform
        if platform in REVIEW_PLATFORMS:
            assert m.rating is not None
            assert 1 <= m.rating <= 5
        else:
            assert m.rating is None
            assert m.rating_raw == ""
    google = {m.rating_raw for m in demo if m.source_key.startswith("google_")}
    assert google == {"ONE", "TWO", "THREE", "FOUR", "FIVE"}
    assert {m.rating_raw for m in demo if m.source_key == "trustpilot"} == {"1", "2", "3", "4", "5"}


def test_external_ids_are_unique_per_source(demo: list[MentionRecord]) -> None:
    keys = [(m.source_key, m.external_id) for m in demo]
    assert all(external_id for _, external_id in keys)
    assert len(set(keys)) == len(keys)


def test_replies_point_to_an_earlier_mention_of_the_same_source(demo: list[MentionRecord]) -> None:
    seen: set[tuple[str, str]] = set()
    replies = 0
    for m in demo:
        if m.parent_external_id is not None:
            replies += 1
            assert (m.source_key, m.parent_external_id) in seen
        seen.add((m.source_key, m.external_id))
    assert replies > 100


def test_themes_use_the_known_slugs(demo: list[MentionRecord]) -> None:
    used = Counter(theme for m in demo for theme in m.themes)
    assert set(used) <= set(THEMES)
    assert len(used) == len(THEMES)


def test_authors_come_back_and_some_have_a_large_audience(demo: list[MentionRecord]) -> None:
    authors = Counter((m.author.platform, m.author.external_id) for m in demo if m.author is not None)
    assert sum(1 for count in authors.values() if count > 1) > 100
    followers = [m.author.followers_count or 0 for m in demo if m.author is not None]
    assert max(followers) > 20_000
    assert any("influencer" in m.author.flags for m in demo if m.author is not None)


def test_texts_vary_in_length_and_read_like_people_type(demo: list[MentionRecord]) -> None:
    texts = [m.text for m in demo if m.text]
    words = sorted(len(text.split()) for text in texts)
    assert words[0] <= 3
    assert words[-1] >= 80
    assert any("\n\n" in text for text in texts)  # several paragraphs
    assert len(set(texts)) > 0.5 * len(texts)
    joined = "\n".join(texts)
    assert re.search(r"\b(svp|bcp|pk|tjrs|rdv)\b", joined)
    assert re.search("[😡🤬👍🙏😊]", joined)
    assert re.search(r"\b[A-ZÉ]{4,} [A-ZÉ]{4,} [A-ZÉ]{4,}\b", joined)  # shouting
    assert "remboursement" in joined
    assert "cotisation" in joined


def test_a_crisis_builds_up_in_the_last_weeks(demo: list[MentionRecord]) -> None:
    start = NOW - timedelta(days=21)
    before = [m for m in demo if m.created_at < start]
    during = [m for m in demo if m.created_at >= start]

    def negative_share(items: list[MentionRecord]) -> float:
        return sum(m.sentiment == "negative" for m in items) / len(items)

    assert negative_share(during) > negative_share(before) + 0.15
    assert len(during) / 21 > 1.5 * len(before) / (DEFAULT_DAYS - 21)
    crisis = [m for m in demo if m.crisis]
    assert crisis
    assert min(m.created_at for m in crisis) >= NOW - timedelta(days=CRISIS_DAYS)
    assert Counter(theme for m in crisis for theme in m.themes).most_common(1)[0][0] == "remboursement"
    assert any(m.reach > 100_000 for m in crisis)  # a post went viral


def test_every_case_status_and_reply_status_occurs(demo: list[MentionRecord]) -> None:
    cases = [m.case for m in demo if m.case is not None]
    assert {case.status for case in cases} == set(CaseStatus.values)
    assert {reply.status for case in cases for reply in case.replies} == set(ReplyStatus.values)


def test_cases_are_consistent_with_their_status(demo: list[MentionRecord]) -> None:
    for m in demo:
        case = m.case
        if case is None:
            continue
        answered = [r for r in case.replies if r.status in ANSWERED]
        if case.no_answer_reason == "answered_elsewhere":
            # Answered from the Google app: the platform's answer is the first response, and
            # routing closed the case when it read it, as the product does.
            assert m.owner_reply_at == case.first_response_at
            assert not case.replies
            assert case.status == CaseStatus.NO_ANSWER
            assert case.resolved_at is not None
            assert case.resolved_at >= case.first_response_at
        else:
            assert (case.first_response_at is not None) == bool(answered)
            assert (case.resolved_at is not None) == (case.status == CaseStatus.RESOLVED)
        if case.needs_answer:
            # The charter's default: 24 business hours (weekdays 9:00-18:00 in Paris, holidays off).
            assert case.sla_due_at == due_at(m.created_at, 24, Calendar())
        if case.status in (CaseStatus.IN_PROGRESS, CaseStatus.AWAITING_APPROVAL, CaseStatus.WAITING_CUSTOMER):
            assert case.assignee is not None
        if case.status == CaseStatus.AWAITING_APPROVAL:
            assert case.replies[-1].status == ReplyStatus.AWAITING_APPROVAL
        for reply in case.replies:
            if reply.status == ReplyStatus.PUBLISHED:
                assert reply.published_at is not None
                assert reply.external_id
            if reply.status == ReplyStatus.APPROVED:
                assert reply.approved_by is not None
                assert reply.approved_at is not None
            if reply.status == ReplyStatus.FAILED:
                assert reply.error
        times = [event.at for event in case.events]
        assert times == sorted(times)
        assert case.created_at <= times[0]
        assert times[-1] <= NOW
        assert case.events[0].verb == "case.created"


def test_old_cases_are_mostly_resolved_and_recent_ones_mostly_open(demo: list[MentionRecord]) -> None:
    cases = [m.case for m in demo if m.case is not None]
    old = Counter(c.status for c in cases if c.created_at < NOW - timedelta(days=30))
    recent = Counter(c.status for c in cases if c.created_at > NOW - timedelta(days=2))
    closed = (CaseStatus.RESOLVED, CaseStatus.NO_ANSWER)
    assert sum(old[s] for s in closed) > 0.9 * old.total()
    assert sum(recent[s] for s in closed) < 0.5 * recent.total()


def test_some_spam_was_taken_down_by_the_platform_later(demo: list[MentionRecord]) -> None:
    deleted = [m for m in demo if m.deleted_at is not None]
    assert deleted
    assert all(m.mention_type == "spam" and m.fetched_at < m.deleted_at <= NOW for m in deleted)


def test_trolls_and_spam_are_mostly_left_without_answer(demo: list[MentionRecord]) -> None:
    statuses = Counter(m.case.status for m in demo if m.case and m.mention_type in ("troll", "spam"))
    assert statuses[CaseStatus.NO_ANSWER] > 0.6 * statuses.total()


def test_replies_are_in_the_mention_language_and_signed(demo: list[MentionRecord]) -> None:
    for m in demo:
        for reply in m.case.replies if m.case else ():
            if m.language == "en":
                assert reply.body.startswith("Hello")
            else:
                assert reply.body.startswith("Bonjour")
            assert "{prenom_client}" not in reply.body
            assert "{signature}" not in reply.body


def test_the_template_library_covers_categories_and_languages() -> None:
    assert len(TEMPLATES) >= 12
    assert {t.category for t in TEMPLATES} == set(TemplateCategory.values)
    assert {t.language for t in TEMPLATES} == {"fr", "en"}
    assert any(t.pre_approved for t in TEMPLATES)
    assert not all(t.pre_approved for t in TEMPLATES)
    bodies = " ".join(t.body for t in TEMPLATES)
    for placeholder in ("{prenom_client}", "{agence}", "{signature}", "{reference}"):
        assert placeholder in bodies


def test_theme_slugs_are_those_of_the_default_taxonomy() -> None:
    from vigie.analysis.taxonomy import DEFAULT_TAXONOMY

    assert set(THEMES) <= {theme.slug for theme in DEFAULT_TAXONOMY}


def test_a_case_closed_in_the_history_is_closed_as_a_person_closes_one(demo: list[MentionRecord]) -> None:
    # Routing reads a person's status change as their decision: without it, the demo's analysis
    # re-routed its closed cases and reopened them, months overdue.
    closings = 0
    for m in demo:
        if m.case is None:
            continue
        verbs = [(event.verb, event.data.get("to")) for event in m.case.events]
        for index, (verb, _) in enumerate(verbs):
            if verb == "case.no_answer":
                closings += 1
                assert ("case.status_changed", "no_answer") in verbs[:index]
    assert closings > 0


def test_a_friday_evening_post_is_not_overdue_on_saturday(demo: list[MentionRecord]) -> None:
    # The demo's deadlines count business hours as routing does: one posted on Friday after closing
    # is due on Monday afternoon, never on the weekend.
    weekend_due = [
        m
        for m in demo
        if m.case is not None
        and m.case.sla_due_at is not None
        and m.case.sla_due_at.astimezone(PARIS).weekday() >= 5
    ]
    assert weekend_due == []


def test_day_counts_agree_with_their_number(demo: list[MentionRecord]) -> None:
    """Crisis posts say how long it has lasted: « 1 jour » / "1 day", never « 1 jours » / "1 days"."""
    # This seed and time put crisis posts on the crisis' first day, where the count is 1.
    first_day = list(generate(7, DEFAULT_SIZE, datetime(2026, 3, 2, 9, 0, tzinfo=UTC)))
    counts = [
        (int(m.group(1)), m.group(2))
        for record in [*demo, *first_day]
        for m in re.finditer(r"\b(\d+) (jours?|days?)\b", record.text)
    ]
    assert (1, "jour") in counts
    assert any(number > 1 for number, _ in counts)
    assert all((unit in ("jour", "day")) == (number == 1) for number, unit in counts), counts
    assert [count_of_days(n, "fr") for n in (1, 12)] == ["1 jour", "12 jours"]
    assert [count_of_days(n, "en") for n in (1, 3)] == ["1 day", "3 days"]
