"""The completeness check knows a next step when a reply announces one: a colleague who calls or
writes back ("un conseiller vous contacte aujourd'hui"), "nous revenons vers vous", "we will call
you"; and it still asks for one when the reply offers nothing (past facts, refusals, reminders)."""

from __future__ import annotations

import pytest
from django.utils import translation

from vigie.conftest import Tenant
from vigie.inbox.quality import check_reply
from vigie.mentions.models import MentionType, Sentiment
from vigie.mentions.tests.factories import make_mention, make_source

NEXT_STEP = {"fr": "annoncer une solution ou la prochaine étape", "en": "give a solution or the next step"}
PRIVATE = {"fr": "proposer de poursuivre en privé", "en": "offer to continue in private"}


def incomplete(tenant: Tenant, language: str, text: str) -> str:
    """What the gate tells the agent about the reply's completeness ("" when nothing is missing)."""
    mention = make_mention(
        tenant.organisation,
        source=make_source(tenant.organisation, platform="google_business"),
        text="Colis jamais arrivé, personne ne répond."
        if language == "fr"
        else "Parcel never came, nobody answers.",
        language=language,
        sentiment=Sentiment.NEGATIVE,
        mention_type=MentionType.COMPLAINT,
        rating=1,
    )
    with translation.override(language):
        findings = check_reply(text, platform="google_business", language=language, mention=mention)
        return " ".join(f.message for f in findings if f.code == "incomplete_answer")


@pytest.mark.parametrize(
    "step",
    [
        "Un conseiller vous contacte aujourd'hui.",
        "Un conseiller vous rappelle demain.",
        "Une conseillère vous recontacte sous 24 h.",
        "Notre équipe vous rappellera dans la journée.",
        "Le service client vous répondra demain.",
        "Nous vous contacterons demain matin.",
        "Je vous recontacte dès que j'ai la réponse.",
    ],
)
def test_a_colleague_who_calls_back_is_a_next_step_in_french(tenant: Tenant, step: str) -> None:
    text = f"Bonjour, merci pour votre message et toutes nos excuses pour ce retard. {step}"
    assert incomplete(tenant, "fr", text) == ""


def test_we_come_back_to_you_is_a_next_step_in_french(tenant: Tenant) -> None:
    text = "Bonjour, merci pour votre message et toutes nos excuses pour ce retard. Nous revenons vers vous."
    message = incomplete(tenant, "fr", text)
    # Only the private channel is left to offer: the next step is there.
    assert NEXT_STEP["fr"] not in message
    assert PRIVATE["fr"] in message


@pytest.mark.parametrize(
    "step",
    [
        "We will call you tomorrow.",
        "An advisor will call you today.",
        "A member of our team will contact you within 24 hours.",
        "Our team is contacting you today.",
        "A colleague will be in touch shortly.",
    ],
)
def test_a_colleague_who_calls_back_is_a_next_step_in_english(tenant: Tenant, step: str) -> None:
    text = f"Hello, thank you for your message and we are sorry about the delay. {step}"
    assert incomplete(tenant, "en", text) == ""


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Bonjour, merci pour votre message et toutes nos excuses pour ce retard."),
        ("fr", "Bonjour, merci et toutes nos excuses. Un conseiller vous a contacté hier."),
        ("fr", "Bonjour, merci et toutes nos excuses. Aucun conseiller ne vous contactera."),
        ("fr", "Bonjour, merci et toutes nos excuses. Le conseiller ne vous contacte pas le week-end."),
        (
            "fr",
            "Bonjour, merci et toutes nos excuses. Notre service vous rappelle que les retours sont gratuits.",
        ),
        ("en", "Hello, thank you for your message and we are sorry about the delay."),
        ("en", "Hello, thank you and sorry. An advisor called you yesterday."),
        ("en", "Hello, thank you and sorry. No advisor will call you at the weekend."),
    ],
)
def test_a_reply_that_offers_nothing_still_lacks_a_next_step(
    tenant: Tenant, language: str, text: str
) -> None:
    message = incomplete(tenant, language, text)
    assert NEXT_STEP[language] in message
    assert PRIVATE[language] in message
