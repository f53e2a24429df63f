"""The warnings of the reply quality gate: each in French and English, with spans and fixes,
and none at all on good replies (a gate that cries wolf gets ignored)."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from vigie.charter.actions import do_update_charter
from vigie.charter.queries import current_charter
from vigie.conftest import Tenant
from vigie.core.models import Membership
from vigie.inbox.models import ReplyStatus
from vigie.inbox.quality import Finding, check_reply, is_blocked
from vigie.inbox.tests.factories import make_case, make_reply
from vigie.mentions.models import MentionType, Sentiment
from vigie.mentions.tests.factories import make_mention, make_source

GOOD_FR = (
    "Bonjour Sophie,\n\nMerci d'avoir pris le temps de nous écrire, et toutes nos excuses pour ce délai de "
    "remboursement : ce n'est pas le service que vous êtes en droit d'attendre. Votre dossier a été transmis "
    "en priorité à notre équipe remboursements, qui reviendra vers vous sous 48 heures ouvrées. Pour ne pas "
    "exposer vos informations ici, pouvez-vous nous écrire en message privé avec votre numéro d'adhérent ? "
    "Nous suivrons votre demande personnellement.\n\nJulie, service client Mutuelle Horizon"
)
GOOD_EN = (
    "Hello Sam,\n\nThank you for letting us know, and we are truly sorry your parcel arrived a week late. "
    "We have passed your order to our delivery team, who will get back to you within two working days. "
    "Could you send us a private message with your order number so we can follow it up personally?\n\n"
    "Best regards,\nJulie, Acme customer care"
)


def complaint(tenant: Tenant, language: str, platform: str = "google_business"):  # type: ignore[no-untyped-def]
    text = (
        "Remboursement toujours pas reçu après trois semaines, c'est inadmissible."
        if language == "fr"
        else "Parcel arrived a week late and support never answered."
    )
    return make_mention(
        tenant.organisation,
        source=make_source(tenant.organisation, platform=platform),
        text=text,
        language=language,
        sentiment=Sentiment.NEGATIVE,
        mention_type=MentionType.COMPLAINT,
        rating=1,
    )


def by_code(findings: list[Finding], code: str) -> list[Finding]:
    return [finding for finding in findings if finding.code == code]


@pytest.mark.parametrize(("language", "text"), [("fr", GOOD_FR), ("en", GOOD_EN)])
def test_a_good_answer_to_a_complaint_passes_without_any_warning(
    tenant: Tenant, language: str, text: str
) -> None:
    mention = complaint(tenant, language)
    findings = check_reply(
        text,
        platform="google_business",
        language=language,
        organisation=tenant.organisation,
        mention=mention,
        membership=tenant.agent,
    )
    assert findings == []


@pytest.mark.parametrize(
    ("language", "text", "wrong", "suggestion"),
    [
        ("fr", "Merci pour votre messsage, nous regardons votre dossier.", "messsage", "message"),
        ("en", "Thank you for your mesage, we are looking into your file.", "mesage", "message"),
    ],
)
def test_misspelt_words_are_flagged_with_a_suggestion(
    language: str, text: str, wrong: str, suggestion: str
) -> None:
    findings = by_code(check_reply(text, platform="facebook", language=language), "spelling")
    assert len(findings) == 1
    assert text[findings[0].start : findings[0].end] == wrong
    assert findings[0].suggestion == suggestion
    assert findings[0].severity == "warn"
    assert not is_blocked(findings)


def test_names_urls_emails_handles_and_organisation_terms_are_not_spell_checked(tenant: Tenant) -> None:
    text = (
        "Merci Kévin ! Voyez https://exmple.org/aide-rembours ou écrivez à contact@mutuelle-hrzn.fr, "
        "@kevin_dpt, #mutuellehrzn. Toute l'équipe mutuellehrzn vous remercie."
    )
    do_update_charter(tenant.organisation, current_charter(tenant.organisation), author=None, comment="")
    from vigie.analysis.models import AnalysisSettings

    AnalysisSettings.objects.create(organisation=tenant.organisation, organisation_terms=["mutuellehrzn"])
    findings = check_reply(text, platform="facebook", language="fr", organisation=tenant.organisation)
    assert by_code(findings, "spelling") == []


@pytest.mark.parametrize(
    ("language", "text", "wrong", "suggestion"),
    [
        ("fr", "Nous restons a votre disposition, a bientôt.", "a", "à"),
        ("en", "Thanks, your welcome to call us anytime.", "your", "you're"),
    ],
)
def test_common_grammar_slips_are_flagged(language: str, text: str, wrong: str, suggestion: str) -> None:
    findings = by_code(check_reply(text, platform="facebook", language=language), "grammar")
    assert findings
    assert text[findings[0].start : findings[0].end] == wrong
    assert findings[0].suggestion == suggestion


def test_an_auxiliary_written_with_an_accent_is_flagged() -> None:
    text = "Votre dossier il à été traité hier."
    [finding] = by_code(check_reply(text, platform="facebook", language="fr"), "grammar")
    assert text[finding.start : finding.end] == "à"
    assert finding.suggestion == "a"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_reply_too_close_to_a_recent_one_on_the_same_platform_is_generic(
    tenant: Tenant, language: str
) -> None:
    source = make_source(tenant.organisation, platform="trustpilot")
    previous = GOOD_FR if language == "fr" else GOOD_EN
    old = make_case(tenant.organisation, make_mention(tenant.organisation, source=source))
    make_reply(old, body=previous, status=ReplyStatus.PUBLISHED, published_at=timezone.now())
    mention = make_mention(tenant.organisation, source=source, language=language)
    same = previous.replace("Sophie", "Marc").replace("Sam", "Marc")
    findings = check_reply(
        same, platform="trustpilot", language=language, organisation=tenant.organisation, mention=mention
    )
    assert [f.code for f in findings] == ["generic_reply"]
    # The same words on another platform, or a reply really written for this customer, pass.
    assert check_reply(same, platform="facebook", language=language, organisation=tenant.organisation) == []
    own = (
        "Bonjour Marc, merci pour votre avis sur la livraison de vendredi : le transporteur a perdu votre colis "
        "à Lille, nous en renvoyons un aujourd'hui même."
        if language == "fr"
        else "Hi Marc, thanks for your review of Friday's delivery: the carrier lost your parcel in Leeds, so "
        "we are sending another one today."
    )
    assert (
        by_code(
            check_reply(own, platform="trustpilot", language=language, organisation=tenant.organisation),
            "generic_reply",
        )
        == []
    )


@pytest.mark.parametrize(
    ("language", "text", "missing"),
    [
        ("fr", "Bonjour, votre dossier est transmis au service concerné.", ["excuses", "privé"]),
        ("en", "Hello, sorry about that.", ["solution", "private"]),
    ],
)
def test_an_answer_to_an_unhappy_customer_lacking_key_parts_is_incomplete(
    tenant: Tenant, language: str, text: str, missing: list[str]
) -> None:
    mention = complaint(tenant, language)
    with translation.override(language):
        [finding] = by_code(
            check_reply(text, platform="google_business", language=language, mention=mention),
            "incomplete_answer",
        )
    for part in missing:
        assert part in finding.message
    # The same short reply to a happy customer is fine: the check is for complaints only.
    happy = make_mention(tenant.organisation, language=language, sentiment=Sentiment.POSITIVE)
    assert (
        by_code(
            check_reply(text, platform="google_business", language=language, mention=happy),
            "incomplete_answer",
        )
        == []
    )


def test_a_private_channel_answer_need_not_offer_a_private_channel(tenant: Tenant) -> None:
    mention = complaint(tenant, "fr")
    text = "Bonjour, merci pour votre message et désolés pour ce retard. Nous vous rappelons demain matin."
    assert (
        by_code(
            check_reply(text, platform="google_business", language="fr", mention=mention, channel="email"),
            "incomplete_answer",
        )
        == []
    )


@pytest.mark.parametrize(
    ("language", "text", "words"),
    [
        (
            "fr",
            "Comme déjà dit, ce n'est pas notre faute si le colis est en retard.",
            ["Comme déjà dit", "ce n'est pas notre faute"],
        ),
        (
            "en",
            "As we already said, it is not our fault. Calm down please.",
            ["As we already said", "not our fault", "Calm down"],
        ),
    ],
)
def test_defensive_wording_is_flagged(language: str, text: str, words: list[str]) -> None:
    findings = by_code(check_reply(text, platform="facebook", language=language), "defensive_tone")
    assert [text[f.start : f.end] for f in findings] == words


@pytest.mark.parametrize(
    ("language", "text", "shouted"),
    [
        ("fr", "Votre commande est BIEN PARTIE hier, merci de patienter.", "BIEN PARTIE"),
        ("en", "Your order was ABSOLUTELY shipped yesterday.", "ABSOLUTELY"),
    ],
)
def test_capitals_read_as_shouting(language: str, text: str, shouted: str) -> None:
    [finding] = by_code(check_reply(text, platform="facebook", language=language), "all_caps")
    assert text[finding.start : finding.end] == shouted
    assert finding.suggestion == shouted.lower()


def test_a_short_acronym_is_not_shouting() -> None:
    text = "Vos données sont protégées conformément au RGPD, et votre carte SNCF reste valable."
    assert by_code(check_reply(text, platform="facebook", language="fr"), "all_caps") == []


@pytest.mark.parametrize(
    ("language", "text", "marks"),
    [("fr", "Merci pour votre message !!! Nous regardons.", "!!!"), ("en", "Really?? We will check.", "??")],
)
def test_excessive_punctuation_is_flagged(language: str, text: str, marks: str) -> None:
    [finding] = by_code(check_reply(text, platform="facebook", language=language), "punctuation")
    assert text[finding.start : finding.end] == marks
    assert finding.suggestion == marks[0]


@pytest.mark.parametrize(
    ("language", "text", "term"),
    [
        ("fr", "Votre dossier est parti en back-office N2 pour traitement.", "back-office N2"),
        ("en", "Your file went to the back-office N2 team.", "back-office N2"),
    ],
)
def test_internal_jargon_from_the_charter_is_flagged(
    tenant: Tenant, language: str, text: str, term: str
) -> None:
    charter = current_charter(tenant.organisation)
    charter.internal_jargon = ["back-office N2", "GED"]
    do_update_charter(tenant.organisation, charter, author=tenant.manager.user, comment="jargon")
    findings = by_code(
        check_reply(text, platform="facebook", language=language, organisation=tenant.organisation), "jargon"
    )
    assert [text[f.start : f.end] for f in findings] == [term]


@pytest.mark.parametrize(
    ("language", "text", "promise"),
    [
        ("fr", "Bonjour, nous allons vous rembourser la totalité dès demain.", "nous allons vous rembourser"),
        ("en", "Hello, we will refund the whole order tomorrow.", "we will refund"),
    ],
)
def test_only_managers_may_promise_a_refund(tenant: Tenant, language: str, text: str, promise: str) -> None:
    def promises(member: Membership) -> list[Finding]:
        return by_code(
            check_reply(
                text,
                platform="facebook",
                language=language,
                organisation=tenant.organisation,
                membership=member,
            ),
            "unauthorised_promise",
        )

    [finding] = promises(tenant.agent)
    assert text[finding.start : finding.end] == promise
    assert promises(tenant.manager) == []


@pytest.mark.parametrize(
    ("mention_language", "text"),
    [
        ("fr", "Hello, thank you for your message. We are looking into your order and will get back to you."),
        ("en", "Bonjour, merci pour votre message. Nous regardons votre commande et revenons vers vous."),
    ],
)
def test_a_reply_in_another_language_than_the_mention_is_flagged(
    tenant: Tenant, mention_language: str, text: str
) -> None:
    mention = make_mention(tenant.organisation, language=mention_language)
    findings = check_reply(text, platform="facebook", language=mention_language, mention=mention)
    assert [f.code for f in findings] == ["wrong_language"]


# --- No crying wolf: cases found by running the gate on real customer-service replies ---------


def test_loanwords_reformed_spelling_and_domains_are_accepted_but_real_typos_are_not() -> None:
    accepted = (
        "Ce produit est vendu sur notre marketplace avec du cashback ; le bug qui apparait sur "
        "www.exemple-boutique.com est corrigé, et le colis abimé sera remplacé."
    )
    assert by_code(check_reply(accepted, platform="trustpilot", language="fr"), "spelling") == []
    typos = "Merci, c'est trés gentil, a bientot et bonne journée de toute facon."
    flagged = [
        typos[f.start : f.end]
        for f in by_code(check_reply(typos, platform="trustpilot", language="fr"), "spelling")
    ]
    assert flagged == ["trés", "bientot", "facon"]


def test_a_capital_a_without_its_accent_is_not_a_grammar_slip() -> None:
    assert (
        by_code(check_reply("Merci pour votre message. A bientôt !", platform="x", language="fr"), "grammar")
        == []
    )


def test_the_organisations_service_numbers_are_not_personal_data() -> None:
    text = "Notre service client répond au 0892 78 33 34 et au 0800 12 34 56, du lundi au samedi."
    assert check_reply(text, platform="trustpilot", language="fr") == []
    mobile = "Notre conseillère vous rappelle au 06 12 34 56 78 demain."
    assert [f.code for f in check_reply(mobile, platform="trustpilot", language="fr")] == ["personal_data"]


def test_naming_a_voucher_is_not_promising_one() -> None:
    described = "Le bon d'achat de bienvenue est envoyé dès réception de la carte."
    assert by_code(check_reply(described, platform="trustpilot", language="fr"), "unauthorised_promise") == []
    promised = "Pour nous excuser, nous vous offrons un bon d'achat de 20 euros."
    [finding] = by_code(check_reply(promised, platform="trustpilot", language="fr"), "unauthorised_promise")
    assert promised[finding.start : finding.end] == "nous vous offrons un bon d'achat"


def test_mentioning_the_customers_problem_kindly_is_not_defensive() -> None:
    text = "Je suis ravie que votre problème soit réglé, je reste à votre disposition."
    assert by_code(check_reply(text, platform="trustpilot", language="fr"), "defensive_tone") == []


def test_a_short_name_heavy_reply_is_not_judged_on_its_language(tenant: Tenant) -> None:
    mention = make_mention(tenant.organisation, language="fr")
    text = "Bonjour Caroline, j'en prends note. Bien à vous, Léa"
    assert (
        by_code(check_reply(text, platform="trustpilot", language="fr", mention=mention), "wrong_language")
        == []
    )


@pytest.mark.parametrize(
    ("language", "text"),
    [
        (
            "en",
            "We're sorry you didn't receive your parcel; we've checked and it's on its way. You'll get it "
            "tomorrow. We apologise for the inconvenience: our colleagues at the centre will be in touch.",
        ),
        (
            "fr",
            "Bonjour Mme Durand, nous vous prions de nous excuser pour ce contretemps. Votre dossier est "
            "désormais pris en charge par un gestionnaire qui vous recontactera sous 48 h. À très bientôt.",
        ),
    ],
)
def test_contractions_british_spelling_and_prefixed_verbs_are_not_misspellings(
    language: str, text: str
) -> None:
    assert check_reply(text, platform="facebook", language=language) == []


def test_without_a_mention_the_declared_language_is_expected() -> None:
    text = "Hello, thank you for your message. We are looking into your order and will get back to you."
    with translation.override("en"):
        [finding] = check_reply(text, platform="facebook", language="fr")
    assert finding.code == "wrong_language"
    assert finding.message == "The reply seems to be written in English, not in French as declared."


def test_a_reply_naming_another_agency_than_the_customers_is_told(tenant: Tenant) -> None:
    # "Partir de cette réponse" on a review of the Annecy agency gave a colleague's answer to a
    # review of Lyon Part-Dieu, ready to be published under the Annecy customer's review.
    from vigie.mentions.tests.factories import make_location

    org = tenant.organisation
    annecy = make_location(org, "Agence Annecy")
    make_location(org, "Agence Lyon Part-Dieu", city="Lyon")
    lyon_villette = make_location(org, "Agence Lyon Villette", city="Lyon")
    mention = make_mention(org, location=annecy, text="Une heure d'attente à l'agence, c'est inadmissible.")
    draft = "Bonjour Karim,\n\nPardon pour cette visite à l'agence de Lyon Part-Dieu qui s'est mal passée."
    findings = [
        f
        for f in check_reply(draft, platform="google_business", language="fr", mention=mention)
        if f.code == "other_location"
    ]
    assert len(findings) == 1, "once, for « Lyon Part-Dieu », not again for « Lyon »"
    assert findings[0].severity == "warn"
    assert draft[findings[0].start : findings[0].end] == "Lyon Part-Dieu"
    assert findings[0].message == (
        "Cette réponse parle de « Lyon Part-Dieu », alors que le message concerne Agence Annecy : vérifiez le lieu."
    )
    with translation.override("en"):
        english = check_reply(draft, platform="google_business", language="fr", mention=mention)
    assert any(
        f.code == "other_location" and "Lyon Part-Dieu" in f.message and "check" in f.message for f in english
    )

    # Its own place, a city it shares with another agency, a place the customer named, or a
    # mention of no known place: nothing to say.
    for text in (
        "Pardon pour cette visite à l'agence d'Annecy.",
        "Pardon pour cette attente ; les tours de garde changent.",
    ):
        assert not [
            f
            for f in check_reply(text, platform="google_business", language="fr", mention=mention)
            if f.code == "other_location"
        ]
    villette = make_mention(org, location=lyon_villette, text="Attente à Lyon.")
    assert not [
        f
        for f in check_reply(
            "Notre agence de Lyon vous présente ses excuses.",
            platform="google_business",
            language="fr",
            mention=villette,
        )
        if f.code == "other_location"
    ]
    moved = make_mention(org, location=annecy, text="Lyon Part-Dieu m'a renvoyé vers Annecy.")
    assert not [
        f
        for f in check_reply(draft, platform="google_business", language="fr", mention=moved)
        if f.code == "other_location"
    ]
    nowhere = make_mention(org, text="Une heure d'attente.")
    assert not [
        f
        for f in check_reply(draft, platform="google_business", language="fr", mention=nowhere)
        if f.code == "other_location"
    ]
