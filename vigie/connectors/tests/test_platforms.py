"""Platform facts: each connector declares what its platform does, the platforms without a
connector are one table, and everything else reads ``platform_facts``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar, cast

import pytest

from vigie.connectors import platforms, registry
from vigie.connectors.contract import (
    Capability,
    Connector,
    ConnectorConfig,
    LengthLimit,
    MentionIn,
    PlatformKind,
    ReplyFormat,
)
from vigie.connectors.platforms import (
    UNCONNECTED,
    all_platforms,
    is_social,
    item_url,
    platform_facts,
    platform_label,
)
from vigie.connectors.registry import RegistryError, build_registry


class IdempotentForum(Connector[ConnectorConfig]):
    """A third-party connector whose platform deduplicates replies and keeps them as posts."""

    slug: ClassVar[str] = "acme-forum"
    label: ClassVar[str] = "Forum Acme"
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.FETCH, Capability.REPLY, Capability.DELETE_REPLY, Capability.DIRECT_MESSAGE}
    )
    Config: ClassVar[type[ConnectorConfig]] = ConnectorConfig
    reply_idempotent: ClassVar[bool] = True
    reply_limit: ClassVar[LengthLimit | None] = LengthLimit(1000)

    @classmethod
    def item_url(cls, item: Any) -> str:
        return f"https://forum.acme.example/t/{item.external_id}"


@pytest.fixture
def plugin(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[Connector[Any]]]:
    monkeypatch.setattr(registry, "_entry_point_plugins", lambda: [("acme = acme:Forum", IdempotentForum)])
    registry.reset()
    yield IdempotentForum
    monkeypatch.undo()
    registry.reset()


def mention(url: str = "https://example.org/p/1") -> MentionIn:
    return MentionIn(external_id="42", kind="post", created_at=datetime(2026, 1, 5, tzinfo=UTC), url=url)


# --- what the built-in connectors declare ------------------------------------------------------


def test_a_google_reply_replaces_the_previous_one_and_may_be_retried() -> None:
    google = platform_facts("google_business")
    assert google.connected
    assert google.label == "Google Business Profile"
    assert google.can_publish
    assert google.reply_replaces
    assert google.retry_safe
    assert google.can_edit_reply
    assert google.can_delete_reply
    assert google.reply_limit == LengthLimit(4096, "bytes")
    assert google.kind is PlatformKind.REVIEWS


def test_trustpilot_keeps_one_company_reply_with_no_documented_limit() -> None:
    trustpilot = platform_facts("trustpilot")
    assert trustpilot.reply_replaces
    assert trustpilot.retry_safe
    assert trustpilot.reply_limit is None


def test_mastodon_adds_replies_and_is_retry_safe_through_its_idempotency_key() -> None:
    mastodon = platform_facts("mastodon")
    assert not mastodon.reply_replaces
    assert mastodon.retry_safe
    assert mastodon.can_edit_reply
    assert mastodon.can_delete_reply
    assert mastodon.reply_limit == LengthLimit(500, "characters", url_weight=23)


def test_bluesky_is_not_retry_safe() -> None:
    bluesky = platform_facts("bluesky")
    assert bluesky.can_publish
    assert not bluesky.retry_safe
    assert not bluesky.reply_replaces
    assert bluesky.reply_limit == LengthLimit(300, "graphemes")


def test_feeds_files_and_webhooks_are_answered_by_copy_and_open() -> None:
    for slug in ("feed", "file", "webhook"):
        facts = platform_facts(slug)
        assert facts.connected, slug
        assert not facts.can_publish, slug
    assert platform_facts("webhook").can(Capability.DETECTS_DELETIONS)
    assert not platform_facts("feed").can(Capability.DETECTS_DELETIONS)


def test_only_messenger_instagram_direct_and_x_carry_direct_messages() -> None:
    senders = {slug for slug, facts in all_platforms().items() if facts.direct_messages}
    assert senders == {"facebook", "instagram", "x"}


# --- platforms without a connector --------------------------------------------------------------


def test_x_counts_280_weighted_characters_with_every_link_worth_23() -> None:
    x = platform_facts("x")
    assert x.reply_limit == LengthLimit(280, "weighted", url_weight=23)
    # "twitter" (imported archives) stays a copy-and-open row with X's limits.
    assert platform_facts("twitter").reply_limit == x.reply_limit
    assert (x.connected, x.can_publish) == (True, True)
    assert not platform_facts("twitter").connected
    assert not x.retry_safe  # X takes no idempotency key


def test_the_documented_limits_of_the_other_platforms() -> None:
    limits = {slug: facts.reply_limit for slug, facts in UNCONNECTED.items() if facts.reply_limit}
    assert limits == {
        "twitter": LengthLimit(280, "weighted", url_weight=23),
        "linkedin": LengthLimit(1250),
    }
    for slug in ("youtube", "reddit"):
        assert slug not in UNCONNECTED
        assert platform_facts(slug).reply_limit == LengthLimit(10000)


def test_the_demo_platforms_without_a_connector_are_declared() -> None:
    assert "linkedin" in UNCONNECTED
    assert platform_label("linkedin") == "LinkedIn"
    assert platform_label("x") == "X"


def test_youtube_moderates_and_reddit_and_youtube_detect_deletions() -> None:
    youtube, reddit = platform_facts("youtube"), platform_facts("reddit")
    assert youtube.can(Capability.HIDE_COMMENT)
    assert youtube.can(Capability.DELETE_COMMENT)
    assert youtube.can(Capability.DETECTS_DELETIONS)
    assert reddit.can(Capability.DETECTS_DELETIONS)
    assert not reddit.can(Capability.HIDE_COMMENT)


def test_facebook_and_instagram_are_declared_by_their_connectors_only() -> None:
    for slug, label, limit in (("facebook", "Facebook", 8000), ("instagram", "Instagram", 2200)):
        facts = platform_facts(slug)
        assert slug not in UNCONNECTED
        assert (facts.label, facts.connected, facts.can_publish) == (label, True, True)
        assert facts.reply_limit == LengthLimit(limit)
        assert facts.direct_messages
        assert not facts.retry_safe  # Graph takes no idempotency key
    assert platform_facts("instagram").reply_format is ReplyFormat.PLAIN_TEXT_NO_LINKS


def test_an_unknown_platform_is_copy_and_open_with_no_limit_and_its_slug_as_name() -> None:
    facts = platform_facts("myspace")
    assert (facts.label, facts.capabilities, facts.reply_limit) == ("myspace", frozenset(), None)
    assert not facts.can_publish
    assert not facts.retry_safe
    assert not facts.can_edit_reply
    assert facts.kind is PlatformKind.OTHER
    assert facts.reply_format is ReplyFormat.PLAIN_TEXT
    assert platform_label("") == ""


def test_the_social_networks_are_those_the_sentiment_model_reads_as_posts() -> None:
    social = {slug for slug, facts in all_platforms().items() if facts.is_social}
    assert social == {
        "twitter",
        "x",
        "facebook",
        "instagram",
        "tiktok",
        "linkedin",
        "reddit",
        "youtube",
        "mastodon",
        "bluesky",
    }
    assert is_social("mastodon")
    assert is_social("x")
    assert not is_social("google_business")
    assert not is_social("")
    assert not is_social("myspace")


def test_the_link_to_open_an_item_is_its_url_unless_the_connector_says_better(
    plugin: type[Connector[Any]],
) -> None:
    assert item_url("mastodon", mention()) == "https://example.org/p/1"
    assert item_url("facebook", mention("https://facebook.com/p/1")) == "https://facebook.com/p/1"
    assert item_url("acme-forum", mention()) == "https://forum.acme.example/t/42"


def test_platform_facts_can_be_read_without_django_or_an_http_client() -> None:
    code = (
        "import sys, vigie.analysis.builtin.sentiment.analyzer\n"
        "from vigie.connectors.platforms import is_social\n"
        "assert is_social('twitter') and not is_social('')\n"
        "assert 'django' not in sys.modules and 'httpx' not in sys.modules, 'heavy import'\n"
        "assert is_social('bluesky')\n"  # a connector's fact: the registry loads, without Django
        "assert 'django' not in sys.modules, 'django imported'\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)


# --- third-party connectors and the registry's checks --------------------------------------------


def test_a_third_party_connector_declaring_reply_idempotent_is_retry_safe(
    plugin: type[Connector[Any]],
) -> None:
    facts = platform_facts("acme-forum")
    assert facts.connected
    assert facts.label == "Forum Acme"
    assert facts.reply_limit == LengthLimit(1000)
    assert facts.can_publish
    assert facts.retry_safe
    assert facts.can_delete_reply
    assert not facts.can_edit_reply  # it did not declare EDIT_REPLY
    assert facts.direct_messages
    assert "acme-forum" in all_platforms()
    # The outbox reads these same facts: vigie/inbox/outbox/tests/test_platform_facts.py.


def test_a_reset_registry_forgets_the_facts_it_gave(plugin: type[Connector[Any]]) -> None:
    assert platform_facts("acme-forum").connected
    registry.reset()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(registry, "_entry_point_plugins", list)
        assert not platform_facts("acme-forum").connected
        registry.reset()


def declaring(**facts: Any) -> type[Connector[Any]]:
    attributes: dict[str, Any] = {"slug": "declared", "label": "Declared", "Config": ConnectorConfig, **facts}
    return cast(type[Connector[Any]], type("Declared", (Connector,), attributes))


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ({"label": ""}, "has no label"),
        ({"capabilities": frozenset({"reply"})}, "frozenset of Capability"),
        ({"capabilities": {Capability.REPLY}}, "frozenset of Capability"),
        ({"capabilities": frozenset({Capability.REPLY}), "reply_idempotent": 1}, "True or False"),
        ({"reply_replaces": True}, "reply_replaces but not Capability.REPLY"),
        ({"reply_idempotent": True}, "reply_idempotent but not Capability.REPLY"),
        ({"reply_limit": 280}, "LengthLimit"),
        ({"reply_format": "plain"}, "ReplyFormat"),
        ({"kind": "social"}, "PlatformKind"),
        ({"urls": ""}, "dotted module path"),
        ({"capabilities": frozenset({Capability.REPLY, Capability.EDIT_REPLY})}, "EDIT_REPLY"),
        ({"capabilities": frozenset({Capability.EDIT_REPLY, Capability.DELETE_REPLY})}, "EDIT_REPLY"),
    ],
)
def test_a_badly_declared_fact_fails_loudly(facts: dict[str, Any], message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        build_registry([], [("declared = x:Declared", declaring(**facts))])


def test_a_connector_may_edit_by_replacing_or_by_deleting_and_resending() -> None:
    replacing = declaring(
        capabilities=frozenset({Capability.REPLY, Capability.EDIT_REPLY}), reply_replaces=True
    )
    assert build_registry([], [("r = x:R", replacing)])["declared"] is replacing
    resending = declaring(
        capabilities=frozenset({Capability.REPLY, Capability.EDIT_REPLY, Capability.DELETE_REPLY})
    )
    assert build_registry([], [("d = x:D", resending)])["declared"] is resending


def test_a_plugin_for_a_platform_of_the_table_must_agree_on_its_kind() -> None:
    tiktok = declaring(slug="tiktok", kind=PlatformKind.SOCIAL)
    assert build_registry([], [("tt = x:TikTok", tiktok)])["tiktok"] is tiktok
    with pytest.raises(RegistryError, match="lists as 'social'"):
        build_registry([], [("tt = x:TikTok", declaring(slug="tiktok"))])


def test_a_built_in_connector_is_never_also_a_row_of_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(platforms.UNCONNECTED, "feed", platforms.PlatformFacts("feed", "Feed"))
    with pytest.raises(RegistryError, match="also listed"):
        build_registry(["vigie.connectors.builtin.feed.connector:FeedConnector"])


def test_a_plugin_connector_for_a_table_platform_wins_over_the_row(monkeypatch: pytest.MonkeyPatch) -> None:
    tiktok = declaring(
        slug="tiktok",
        label="TikTok (Acme)",
        kind=PlatformKind.SOCIAL,
        capabilities=frozenset({Capability.REPLY}),
    )
    monkeypatch.setattr(registry, "_entry_point_plugins", lambda: [("tt = x:TikTok", tiktok)])
    registry.reset()
    try:
        assert platform_facts("tiktok").can_publish
        assert platform_label("tiktok") == "TikTok (Acme)"
    finally:
        monkeypatch.undo()
        registry.reset()
    assert not platform_facts("tiktok").can_publish


def test_every_connector_page_module_is_included_under_sources() -> None:
    from django.urls import reverse

    assert registry.url_modules() == [
        "vigie.connectors.builtin.facebook.urls",
        "vigie.connectors.builtin.google_business.urls",
    ]
    assert reverse("meta_webhook", args=[7]) == "/sources/meta/7/webhook/"
    assert reverse("google_business_callback") == "/sources/google/callback/"
    assert reverse("google_business_connect", args=[7]) == "/sources/google/7/connect/"


def test_platform_names_follow_the_interface_language() -> None:
    # An English-speaking team read "Presse", "Import de fichiers" and "Enquête de satisfaction"
    # in its inbox filters and source list; brand names stay as they are.
    from django.utils import translation

    with translation.override("en"):
        assert platform_label("press") == "Press"
        assert platform_label("survey") == "Satisfaction survey"
        assert platform_label("file") == "File import"
        assert platform_label("webhook") == "Signed webhook"
        assert platform_label("twitter") == "X (Twitter, imported files)"
        assert platform_label("google_business") == "Google Business Profile"
    with translation.override("fr"):
        assert platform_label("press") == "Presse"
        assert platform_label("file") == "Import de fichiers"


def test_every_connector_setting_has_an_english_label() -> None:
    """The source forms label each setting with its ``description`` (a French msgid): English
    users read "Préréglage des colonnes" and "Jeton d'accès de page longue durée" because the
    descriptions were never in the catalogue (nothing extracts them from ``Field(...)``)."""
    from django.utils import translation

    from vigie.connectors.registry import all_connectors

    untranslated = []
    with translation.override("en"):
        for slug, connector in all_connectors().items():
            for name, info in connector.Config.model_fields.items():
                description = info.description
                if description and translation.gettext(description) == description:
                    untranslated.append(f"{slug}.{name}: {description}")
    assert not untranslated, untranslated
