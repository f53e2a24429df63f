from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from vigie.analysis.actions import (
    do_analyze_mentions,
    do_correct_analysis,
    do_ensure_default_taxonomy,
    organisation_context,
)
from vigie.analysis.builtin.language.analyzer import LanguageAnalyzer
from vigie.analysis.models import AnalysisResult, AnalysisSettings, Correction, Theme
from vigie.analysis.queries import mention_analysis
from vigie.conftest import Tenant
from vigie.core.jobs import registered_jobs, run_now
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_mention

pytestmark = pytest.mark.django_db

ANGRY = "Une heure d'attente au téléphone et personne ne répond. Rappelez-moi au 06 12 34 56 78."


def test_it_stores_one_result_per_analyzer_with_its_version(tenant: Tenant) -> None:
    mention = make_mention(tenant.organisation, text=ANGRY, rating=1)
    assert do_analyze_mentions(tenant.organisation, [mention.pk]) == 1
    rows = {row.analyzer: row for row in AnalysisResult.objects.filter(mention=mention)}
    assert {"language", "personal_data", "priority", "suspicious"} <= set(rows)
    assert rows["language"].version == LanguageAnalyzer.version
    assert rows["personal_data"].result == {"personal_data": [{"kind": "phone", "start": 72, "end": 86}]}


def test_analysing_twice_replaces_rather_than_duplicates(tenant: Tenant) -> None:
    mention = make_mention(tenant.organisation, text=ANGRY)
    do_analyze_mentions(tenant.organisation, [mention.pk])
    count = AnalysisResult.objects.filter(mention=mention).count()
    do_analyze_mentions(tenant.organisation, [mention.pk])
    assert AnalysisResult.objects.filter(mention=mention).count() == count


def test_another_organisations_mentions_are_left_alone(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = make_mention(other_tenant.organisation, text=ANGRY)
    assert do_analyze_mentions(tenant.organisation, [theirs.pk]) == 0
    assert not AnalysisResult.objects.filter(mention=theirs).exists()


def test_the_organisations_order_patterns_and_name_reach_the_analyzers(tenant: Tenant) -> None:
    AnalysisSettings.objects.create(organisation=tenant.organisation, order_patterns=[r"CMD-\d{4}"])
    mention = make_mention(tenant.organisation, text="Ma commande CMD-1234 n'est jamais arrivée")
    do_analyze_mentions(tenant.organisation, [mention.pk])
    kinds = [span["kind"] for span in mention_analysis(mention).personal_data]
    assert kinds == ["order_number"]
    assert organisation_context(tenant.organisation)["organisation_terms"] == ["Acme"]


def test_the_job_analyses_the_mentions_it_is_given(tenant: Tenant, other_tenant: Tenant) -> None:
    assert "analysis.analyze_mentions" in registered_jobs()
    ours = make_mention(tenant.organisation, text=ANGRY)
    theirs = make_mention(other_tenant.organisation, text=ANGRY)
    assert run_now("analysis.analyze_mentions", {"mention_ids": [ours.pk, theirs.pk, 999_999]}) == 2
    assert AnalysisResult.objects.filter(mention__in=[ours, theirs], analyzer="language").count() == 2


def test_the_default_taxonomy_is_created_on_demand_once(tenant: Tenant) -> None:
    themes = do_ensure_default_taxonomy(tenant.organisation)
    assert len(themes) == 12
    assert sorted(do_ensure_default_taxonomy(tenant.organisation), key=str) == sorted(themes, key=str)
    assert Theme.objects.filter(organisation=tenant.organisation).count() == 12
    accueil = Theme.objects.get(organisation=tenant.organisation, slug="accueil")
    assert accueil.label == "Accueil et amabilité"
    assert accueil.keywords
    assert accueil.examples
    assert [t["slug"] for t in organisation_context(tenant.organisation)["taxonomy"]][:1] == ["accueil"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sentiment", "furious", "unknown sentiment"),
        ("type", "rant", "unknown type"),
        ("themes", "attente", "list of slugs"),
    ],
)
def test_an_invalid_correction_is_refused(tenant: Tenant, field: str, value: object, message: str) -> None:
    mention = make_mention(tenant.organisation)
    with pytest.raises(ValueError, match=message):
        do_correct_analysis(mention, field, value, actor=tenant.agent.user)
    assert not Correction.objects.exists()


def test_reanalyze_covers_the_organisations_history_since_a_date(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    old = make_mention(tenant.organisation, created_at=timezone.now() - timedelta(days=40))
    recent = make_mention(tenant.organisation, created_at=timezone.now() - timedelta(days=2))
    theirs = make_mention(other_tenant.organisation)
    since = (timezone.now() - timedelta(days=10)).date().isoformat()
    out = io.StringIO()
    call_command("reanalyze", "--org", "acme", "--since", since, stdout=out)
    assert "1 mentions of acme analysed again" in out.getvalue()
    analysed = set(AnalysisResult.objects.filter(analyzer="language").values_list("mention_id", flat=True))
    assert analysed == {recent.pk}
    call_command("reanalyze", "--org", "acme", stdout=out)
    analysed = set(AnalysisResult.objects.filter(analyzer="language").values_list("mention_id", flat=True))
    assert analysed == {recent.pk, old.pk}
    assert theirs.pk not in analysed


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--org", "nope"], "unknown organisation"),
        (["--org", "acme", "--since", "last week"], "is not a date"),
    ],
)
def test_reanalyze_rejects_bad_arguments(tenant: Tenant, arguments: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("reanalyze", *arguments)


COPY = "Service client déplorable, personne ne répond jamais au téléphone, je déconseille fortement cette mutuelle"


def suspicious_reasons(mention: Mention) -> list[str]:
    return AnalysisResult.objects.get(mention=mention, analyzer="suspicious").result["suspicious"]["reasons"]


def test_a_copy_of_an_earlier_review_by_another_author_is_flagged_in_both(tenant: Tenant) -> None:
    first = make_mention(tenant.organisation, text=COPY)
    do_analyze_mentions(tenant.organisation, [first.pk])
    assert suspicious_reasons(first) == []
    copy = make_mention(tenant.organisation, text=COPY.replace("fortement", "vivement"))
    same_author = make_mention(tenant.organisation, text=COPY, author=first.author)
    do_analyze_mentions(tenant.organisation, [copy.pk])
    do_analyze_mentions(tenant.organisation, [same_author.pk])
    assert suspicious_reasons(copy) == ["Texte quasi identique à celui d'un autre auteur"]
    assert suspicious_reasons(first) == ["Texte quasi identique à celui d'un autre auteur"]
    assert suspicious_reasons(same_author) == [
        "Texte quasi identique à celui d'un autre auteur"
    ]  # copies `copy`
    assert Mention.objects.count() == 3  # flagged, never deleted


EDITED = "Conseillère adorable et très patiente, dossier réglé en dix minutes, je recommande cette agence sans hésiter"


def test_a_copy_of_an_earlier_review_edited_since_is_compared_with_its_new_text(tenant: Tenant) -> None:
    """The earlier texts' shingles are remembered from batch to batch: an edited review is
    compared by what it says now, not by what it said when a first copy was checked."""
    first = make_mention(tenant.organisation, text=COPY)
    do_analyze_mentions(tenant.organisation, [first.pk])
    copy = make_mention(tenant.organisation, text=COPY.replace("fortement", "vivement"))
    do_analyze_mentions(tenant.organisation, [copy.pk])
    assert suspicious_reasons(copy) == ["Texte quasi identique à celui d'un autre auteur"]
    Mention.objects.filter(pk=first.pk).update(text=EDITED)
    do_analyze_mentions(tenant.organisation, [first.pk])  # the author edited it: analysed again
    second_copy = make_mention(tenant.organisation, text=EDITED.replace("adorable", "charmante"))
    do_analyze_mentions(tenant.organisation, [second_copy.pk])
    assert suspicious_reasons(second_copy) == ["Texte quasi identique à celui d'un autre auteur"]


def test_an_earlier_result_stored_without_codes_is_flagged_once_with_codes(tenant: Tenant) -> None:
    """Results of version 1.1 (French sentences, no ``reason_codes``) copied by a new review: the
    unflagged one gets the code and its sentence, the one already flagged keeps its one reason."""
    clean, flagged = (
        make_mention(tenant.organisation, text=COPY),
        make_mention(tenant.organisation, text=COPY),
    )
    do_analyze_mentions(tenant.organisation, [clean.pk])
    do_analyze_mentions(tenant.organisation, [flagged.pk])
    legacy = {
        clean: {"suspicious": False, "reasons": []},
        flagged: {"suspicious": True, "reasons": ["Texte quasi identique à celui d'un autre auteur"]},
    }
    for mention, answer in legacy.items():
        stored = AnalysisResult.objects.get(mention=mention, analyzer="suspicious")
        AnalysisResult.objects.filter(pk=stored.pk).update(
            version="1.1", result={"suspicious": {**answer, "sketch": stored.result["suspicious"]["sketch"]}}
        )
    copy = make_mention(tenant.organisation, text=COPY.replace("fortement", "vivement"))
    do_analyze_mentions(tenant.organisation, [copy.pk])
    for mention in (clean, copy):
        answer = AnalysisResult.objects.get(mention=mention, analyzer="suspicious").result["suspicious"]
        assert answer["reasons"] == ["Texte quasi identique à celui d'un autre auteur"]
        assert answer["reason_codes"] == [{"code": "duplicate"}]
    kept = AnalysisResult.objects.get(mention=flagged, analyzer="suspicious").result["suspicious"]
    assert kept["reasons"] == ["Texte quasi identique à celui d'un autre auteur"]
    assert mention_analysis(flagged).suspicious_reasons == ["Texte quasi identique à celui d'un autre auteur"]


def test_another_organisations_history_is_not_compared(tenant: Tenant, other_tenant: Tenant) -> None:
    theirs = make_mention(other_tenant.organisation, text=COPY)
    do_analyze_mentions(other_tenant.organisation, [theirs.pk])
    ours = make_mention(tenant.organisation, text=COPY)
    do_analyze_mentions(tenant.organisation, [ours.pk])
    assert suspicious_reasons(ours) == []


def test_a_burst_of_low_ratings_from_new_accounts_is_seen_across_batches(tenant: Tenant) -> None:
    start = timezone.now() - timedelta(hours=6)
    mentions = []
    for i in range(5):  # one batch each, as pages arrive
        mention = make_mention(
            tenant.organisation, text=f"Nul {i}", rating=1, created_at=start + timedelta(hours=i)
        )
        do_analyze_mentions(tenant.organisation, [mention.pk])
        mentions.append(mention)
    assert suspicious_reasons(mentions[0]) == []
    assert suspicious_reasons(mentions[3]) == []
    assert suspicious_reasons(mentions[-1]) == [
        "Vague de notes basses venant de comptes récents (5 en 24 heures)"
    ]


ENGLISH_COMPLAINT = "The refund never arrived: I was charged twice and I am still waiting for my money back."


def test_english_mentions_are_read_with_the_english_keywords_in_the_product_too(tenant: Tenant) -> None:
    # The organisation context always carries a taxonomy (the default one when the organisation
    # has none): an English mention must still be read with the English keywords of its themes.
    mention = make_mention(tenant.organisation, text=ENGLISH_COMPLAINT, rating=1)
    do_analyze_mentions(tenant.organisation, [mention.pk])
    mention.refresh_from_db()
    assert mention.language == "en"
    assert {"remboursement", "facturation"} <= set(mention.themes)


def test_an_organisations_own_default_themes_keep_their_english_keywords(tenant: Tenant) -> None:
    do_ensure_default_taxonomy(tenant.organisation)
    Theme.objects.create(
        organisation=tenant.organisation, slug="parking", label="Parking", keywords=["parking"]
    )
    mention = make_mention(tenant.organisation, text=ENGLISH_COMPLAINT + " No parking either.", rating=1)
    do_analyze_mentions(tenant.organisation, [mention.pk])
    mention.refresh_from_db()
    assert {"remboursement", "facturation", "parking"} <= set(mention.themes)


def test_a_one_star_review_in_kind_words_is_stored_negative_and_keeps_its_type(tenant: Tenant) -> None:
    mention = make_mention(
        tenant.organisation,
        text="Livraison rapide, produit conforme, vendeur très aimable. Je recommande !",
        rating=1,
    )
    do_analyze_mentions(tenant.organisation, [mention.pk])
    mention.refresh_from_db()
    # The queue and its "negative" filter show the customer's side; what the words say stays visible.
    assert mention.sentiment == "negative"
    assert mention.sentiment_score is not None
    assert mention.sentiment_score < 0
    stored = AnalysisResult.objects.get(mention=mention, analyzer="sentiment").result["sentiment"]
    assert stored["text_label"] == "positive"
    # Its type is what the words do, and the stars are counted once in its priority.
    assert mention.mention_type == "praise"
    reasons = AnalysisResult.objects.get(mention=mention, analyzer="priority").result["priority"]["reasons"]
    assert not any(reason.startswith("Sentiment") for reason in reasons)
