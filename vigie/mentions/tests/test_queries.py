from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.mentions.models import MentionKind, MentionType, Sentiment
from vigie.mentions.queries import (
    MentionFilters,
    get_mention,
    mention_with_author,
    mentions,
    platforms,
)
from vigie.mentions.tests.factories import make_author, make_location, make_mention, make_source


def ids(queryset: object) -> set[int]:
    return {m.pk for m in queryset}  # type: ignore[attr-defined]


def test_it_lists_only_the_organisations_own_mentions(tenant: Tenant, other_tenant: Tenant) -> None:
    mine = make_mention(tenant.organisation)
    make_mention(other_tenant.organisation)
    assert ids(mentions(tenant.organisation)) == {mine.pk}


def test_it_filters_by_platform_source_location_kind_and_analysis(tenant: Tenant) -> None:
    org = tenant.organisation
    google = make_source(org, "google")
    facebook = make_source(org, "facebook")
    lyon = make_location(org, "Lyon")
    target = make_mention(
        org,
        source=facebook,
        location=lyon,
        kind=MentionKind.COMMENT,
        sentiment=Sentiment.NEGATIVE,
        mention_type=MentionType.COMPLAINT,
        language="fr",
    )
    make_mention(org, source=google, kind=MentionKind.REVIEW, sentiment=Sentiment.POSITIVE, language="en")

    assert ids(mentions(org, MentionFilters(platform="facebook"))) == {target.pk}
    assert ids(mentions(org, MentionFilters(source_id=facebook.pk))) == {target.pk}
    assert ids(mentions(org, MentionFilters(location_id=lyon.pk))) == {target.pk}
    assert ids(mentions(org, MentionFilters(kind="comment"))) == {target.pk}
    assert ids(mentions(org, MentionFilters(sentiment="negative"))) == {target.pk}
    assert ids(mentions(org, MentionFilters(mention_type="complaint"))) == {target.pk}
    assert ids(mentions(org, MentionFilters(language="fr"))) == {target.pk}


def test_it_filters_by_theme_exactly(tenant: Tenant, other_tenant: Tenant) -> None:
    org = tenant.organisation
    tagged = make_mention(org, themes=["qualité", "prix"])
    make_mention(org, themes=["prix élevé"])
    make_mention(other_tenant.organisation, themes=["qualité"])
    assert ids(mentions(org, MentionFilters(theme="qualité"))) == {tagged.pk}


def test_it_filters_by_date_range_with_an_exclusive_end(tenant: Tenant) -> None:
    org = tenant.organisation
    now = timezone.now()
    old = make_mention(org, created_at=now - timedelta(days=10))
    recent = make_mention(org, created_at=now - timedelta(days=1))
    assert ids(mentions(org, MentionFilters(since=now - timedelta(days=2)))) == {recent.pk}
    assert ids(mentions(org, MentionFilters(until=recent.created_at))) == {old.pk}


def test_it_searches_title_and_text_ignoring_case(tenant: Tenant) -> None:
    org = tenant.organisation
    in_text = make_mention(org, text="Le colis est arrivé CASSÉ")
    in_title = make_mention(org, title="Colis abîmé", text="rien")
    make_mention(org, text="Parfait")
    assert ids(mentions(org, MentionFilters(text="colis"))) == {in_text.pk, in_title.pk}


def test_it_hides_deleted_mentions_unless_asked(tenant: Tenant) -> None:
    org = tenant.organisation
    live = make_mention(org)
    deleted = make_mention(org, deleted_at=timezone.now())
    assert ids(mentions(org)) == {live.pk}
    assert ids(mentions(org, MentionFilters(deleted="include"))) == {live.pk, deleted.pk}
    assert ids(mentions(org, MentionFilters(deleted="only"))) == {deleted.pk}


def test_another_organisations_mention_is_not_found(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = make_mention(other_tenant.organisation)
    with pytest.raises(Http404):
        get_mention(tenant.organisation, theirs.pk)
    with pytest.raises(Http404):
        get_mention(tenant.organisation, "not-a-number")


def test_it_gathers_the_authors_other_mentions_across_platforms(tenant: Tenant, other_tenant: Tenant) -> None:
    org = tenant.organisation
    on_google = make_author(org, "google", handle="marie.d")
    on_facebook = make_author(org, "facebook", handle="Marie.D")
    stranger = make_author(org, "facebook", handle="paul")
    mention = make_mention(org, author=on_google)
    earlier = make_mention(org, author=on_google)
    elsewhere = make_mention(org, source=make_source(org, "facebook"), author=on_facebook)
    make_mention(org, author=stranger)
    make_mention(org, author=on_google, deleted_at=timezone.now())
    # The same handle in another organisation is another person as far as we may know.
    make_mention(other_tenant.organisation, author=make_author(other_tenant.organisation, handle="marie.d"))

    detail = mention_with_author(org, mention.pk)
    assert detail.author == on_google
    assert {m.pk for m in detail.other_mentions} == {earlier.pk, elsewhere.pk}


def test_platforms_lists_each_platform_once(tenant: Tenant) -> None:
    make_source(tenant.organisation, "google")
    make_source(tenant.organisation, "google")
    make_source(tenant.organisation, "facebook")
    assert platforms(tenant.organisation) == ["facebook", "google"]
