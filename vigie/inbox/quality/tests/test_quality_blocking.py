"""The blocking checks of the reply quality gate, in French and English."""

from __future__ import annotations

import pytest
from django.utils import translation

from vigie.analysis.builtin.personal_data import find_personal_data
from vigie.analysis.models import AnalysisSettings
from vigie.conftest import Tenant
from vigie.inbox.quality import Finding, check_reply, is_blocked
from vigie.inbox.quality.limits import grapheme_count, weighted_count


def codes(findings: list[Finding]) -> list[str]:
    return [finding.code for finding in findings]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_an_empty_reply_is_blocked(language: str) -> None:
    with translation.override(language):
        findings = check_reply("  \n ", platform="google_business", language=language)
    assert codes(findings) == ["empty"]
    assert is_blocked(findings)
    expected = "vide" if language == "fr" else "empty"
    assert expected in findings[0].message


@pytest.mark.parametrize(
    ("language", "text", "placeholder"),
    [
        ("fr", "Bonjour {{customer_name}}, nous vous rappelons [[à compléter : date du rappel]].", None),
        ("en", "Hello, we will call you back on [[to complete: callback date]]. Thanks!", None),
    ],
)
def test_unfilled_placeholders_are_blocked_with_their_span(
    language: str, text: str, placeholder: None
) -> None:
    findings = check_reply(text, platform="google_business", language=language)
    placeholders = [f for f in findings if f.code == "placeholder"]
    assert placeholders, findings
    for finding in placeholders:
        assert finding.severity == "block"
        assert finding.start is not None
        assert finding.end is not None
        spanned = text[finding.start : finding.end]
        assert spanned.startswith(("{{", "[["))
        assert spanned.endswith(("}}", "]]"))
    if language == "fr":
        assert [text[f.start : f.end] for f in placeholders] == [
            "{{customer_name}}",
            "[[à compléter : date du rappel]]",
        ]


def test_the_older_single_brace_variables_count_as_unfilled() -> None:
    text = "Bonjour {prenom_client}, merci pour votre avis. {signature}"
    findings = check_reply(text, platform="trustpilot", language="fr")
    assert [text[f.start : f.end] for f in findings if f.code == "placeholder"] == [
        "{prenom_client}",
        "{signature}",
    ]


def test_ordinary_braces_are_not_placeholders() -> None:
    findings = check_reply("Le code promo {ETE} ne marche pas ? Essayez ETE24.", platform="x", language="fr")
    assert "placeholder" not in codes(findings)


@pytest.mark.parametrize(
    ("platform", "ok", "too_long"),
    [
        ("x", "a" * 280, "a" * 281),
        ("x", "a" * 278 + "🙏", "a" * 279 + "🙏"),  # X counts an emoji 2: the second text is 281
        ("mastodon", "b" * 500, "b" * 501),
        ("google_business", "é" * 2048, "é" * 2049),  # 4096 bytes: "é" is two bytes in UTF-8
        ("bluesky", "e\u0301" * 300, "e\u0301" * 301),  # 300 graphemes, each two code points
    ],
)
def test_length_is_counted_the_way_each_platform_counts(platform: str, ok: str, too_long: str) -> None:
    assert "too_long" not in codes(check_reply(ok, platform=platform, language="fr"))
    findings = [f for f in check_reply(too_long, platform=platform, language="fr") if f.code == "too_long"]
    assert len(findings) == 1
    assert findings[0].severity == "block"
    assert findings[0].end == len(too_long)
    # The span starts exactly where the text stops fitting.
    assert findings[0].start == len(ok)


def test_a_link_counts_23_characters_on_x() -> None:
    url = "https://www.example.org/" + "a" * 200
    text = "Voici la page : " + url
    assert "too_long" not in codes(check_reply(text, platform="x", language="fr"))


def test_a_platform_without_known_limit_accepts_long_replies() -> None:
    assert "too_long" not in codes(check_reply("Merci. " * 2000, platform="trustpilot", language="fr"))


def test_too_long_message_says_by_how_much_in_english() -> None:
    with translation.override("en"):
        finding = check_reply("x" * 290, platform="x", language="en")[0]
    assert finding.code == "too_long"
    assert "290" in finding.message
    assert "280" in finding.message
    assert "10" in finding.message


def test_x_counts_emoji_and_other_scripts_twice_and_french_once() -> None:
    assert weighted_count("Désolé pour l'attente, ça arrive !") == 34
    assert weighted_count("Merci 🙏") == 8
    assert weighted_count("👩‍👩‍👧") == 2  # one emoji sequence
    assert weighted_count("🇫🇷") == 2
    assert weighted_count("e\u0301") == 1  # "é" however it is typed
    assert weighted_count("谢谢") == 4


def test_graphemes_count_flags_and_joined_emoji_as_one() -> None:
    assert grapheme_count("🇫🇷") == 1
    assert grapheme_count("👩‍👩‍👧") == 1
    assert grapheme_count("👍🏽") == 1
    assert grapheme_count("Merci !") == 7


@pytest.mark.parametrize(
    ("language", "text", "secret"),
    [
        ("fr", "Bonjour Marie, nous vous rappelons au 06 12 34 56 78 dès demain.", "06 12 34 56 78"),
        ("en", "Hi Sam, we emailed sam.carter@gmail.com with the details.", "sam.carter@gmail.com"),
        (
            "fr",
            "Votre remboursement part sur FR76 3000 6000 0112 3456 7890 189.",
            "FR76 3000 6000 0112 3456 7890 189",
        ),
    ],
)
def test_personal_data_in_a_public_reply_is_blocked(language: str, text: str, secret: str) -> None:
    findings = [
        f
        for f in check_reply(text, platform="google_business", language=language)
        if f.code == "personal_data"
    ]
    assert len(findings) == 1
    assert findings[0].severity == "block"
    assert text[findings[0].start : findings[0].end] == secret
    # The same spans as the analysis detector finds in mentions: one detector for both.
    span = find_personal_data(text)[0]
    assert (span.start, span.end) == (findings[0].start, findings[0].end)


def test_personal_data_is_expected_on_a_private_channel() -> None:
    text = "Bonjour Marie, nous vous rappelons au 06 12 34 56 78 dès demain."
    assert "personal_data" not in codes(
        check_reply(text, platform="google_business", language="fr", channel="email")
    )


def test_shared_mailboxes_and_template_contacts_are_not_personal_data() -> None:
    template = "Écrivez-nous à relation@mutuelle-horizon.fr ou au 01 44 55 66 77."
    text = "Bonjour, écrivez-nous à contact@mutuelle-horizon.fr, à relation@mutuelle-horizon.fr ou au 01 44 55 66 77."
    findings = check_reply(text, platform="google_business", language="fr", template_body=template)
    assert "personal_data" not in codes(findings)


def test_the_organisations_order_number_patterns_are_personal_data(tenant: Tenant) -> None:
    AnalysisSettings.objects.create(organisation=tenant.organisation, order_patterns=[r"\bCMD-\d{6}\b"])
    text = "Votre commande CMD-123456 est repartie ce matin."
    findings = check_reply(text, platform="facebook", language="fr", organisation=tenant.organisation)
    assert [text[f.start : f.end] for f in findings if f.code == "personal_data"] == ["CMD-123456"]


def test_the_quality_gate_blocks_a_card_but_not_a_company_number() -> None:
    from vigie.inbox.quality.blocking import check_personal_data

    card = "Votre carte 4111 1111 1111 1111 a bien été remboursée."
    assert [f.code for f in check_personal_data(card, channel="public")] == ["personal_data"]
    siret = "Notre SIRET est le 732 829 320 00074, notre SIREN 732 829 320."
    assert check_personal_data(siret, channel="public") == []


def test_a_british_number_in_a_public_reply_is_personal_data() -> None:
    # Read as French only, "07911 123456" passed the gate in an English organisation's replies.
    from vigie.inbox.quality.blocking import check_personal_data

    findings = check_personal_data("We will call you back on 07911 123456 today.", channel="public")
    assert [f.code for f in findings] == ["personal_data"]
