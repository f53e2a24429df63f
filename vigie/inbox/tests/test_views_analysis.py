"""The analysis on the case page: reasons shown to everyone, corrections by agents and above."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from vigie.analysis.actions import do_analyze_mentions
from vigie.analysis.models import AnalysisResult, Correction, Theme
from vigie.conftest import Tenant
from vigie.core.models import Membership, User
from vigie.core.queries import audit_events_for
from vigie.inbox.models import Case
from vigie.inbox.tests.factories import make_case
from vigie.mentions.tests.factories import make_mention

pytestmark = pytest.mark.django_db

Login = Callable[[Membership], Client]

ANGRY = "Une heure d'attente au téléphone, rappelez-moi au 06 12 34 56 78 <script>alert(1)</script>"


def analysed_case(tenant: Tenant) -> Case:
    mention = make_mention(tenant.organisation, text=ANGRY, rating=1)
    do_analyze_mentions(tenant.organisation, [mention.pk])
    mention.refresh_from_db()
    return make_case(tenant.organisation, mention)


def test_the_case_page_shows_the_priority_reasons_and_personal_data(tenant: Tenant, login: Login) -> None:
    case = analysed_case(tenant)
    html = login(tenant.viewer).get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Pourquoi cette priorité" in html
    assert "Note très basse (1,0/5)" in html
    assert "numéro de téléphone" in html
    assert "<script>alert(1)</script>" not in html


def test_a_viewer_sees_the_analysis_but_no_correction_form(tenant: Tenant, login: Login) -> None:
    case = analysed_case(tenant)
    client = login(tenant.viewer)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Corriger l'analyse" not in html
    response = client.post(reverse("case_correct_analysis", args=[case.pk]), {"sentiment": "negative"})
    assert response.status_code == 403
    assert not Correction.objects.exists()


@pytest.mark.parametrize("role", ["agent", "manager", "admin"])
def test_agents_and_above_correct_sentiment_type_and_themes(tenant: Tenant, login: Login, role: str) -> None:
    case = analysed_case(tenant)
    analysed = case.mention.sentiment
    assert analysed == "negative", "the angry text is read as negative by the shipped model"
    client = login(tenant.member(role))
    assert "Corriger l'analyse" in client.get(reverse("case_detail", args=[case.pk])).content.decode()
    # The agent disagrees with every field: each change is a correction (since issue 16 the
    # analysis finds attente and joignabilite; the agent says billing, not reachability).
    response = client.post(
        reverse("case_correct_analysis", args=[case.pk]),
        {"sentiment": "neutral", "type": "suggestion", "themes": ["attente", "facturation"]},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("case_detail", args=[case.pk])
    mention = case.mention
    mention.refresh_from_db()
    assert (mention.sentiment, mention.mention_type, mention.themes) == (
        "neutral",
        "suggestion",
        ["attente", "facturation"],
    )
    fields = sorted(Correction.objects.filter(mention=mention).values_list("field", flat=True))
    assert fields == ["sentiment", "themes", "type"]
    events = [
        e
        for e in audit_events_for(tenant.organisation, "inbox.case", str(case.pk))
        if e.verb == "analysis.corrected"
    ]
    assert len(events) == 3
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Analyse corrigée (Sentiment) : Négatif → Neutre" in html, (
        "the timeline names the field and values"
    )
    assert "Attente et délais" in html


def test_submitting_the_form_unchanged_records_nothing(tenant: Tenant, login: Login) -> None:
    case = analysed_case(tenant)
    mention = case.mention
    response = login(tenant.agent).post(
        reverse("case_correct_analysis", args=[case.pk]),
        {"sentiment": mention.sentiment, "type": mention.mention_type, "themes": mention.themes},
    )
    assert response.status_code == 302
    assert not Correction.objects.exists()


def test_an_invalid_correction_is_refused_with_the_form(tenant: Tenant, login: Login) -> None:
    case = analysed_case(tenant)
    response = login(tenant.agent).post(
        reverse("case_correct_analysis", args=[case.pk]), {"sentiment": "furious"}
    )
    assert response.status_code == 400
    assert not Correction.objects.exists()


def test_another_organisations_case_cannot_be_corrected(
    tenant: Tenant, other_tenant: Tenant, login: Login
) -> None:
    theirs = analysed_case(other_tenant)
    response = login(tenant.admin).post(
        reverse("case_correct_analysis", args=[theirs.pk]), {"sentiment": "negative"}
    )
    assert response.status_code == 404
    assert not Correction.objects.exists()


def test_the_correction_page_only_accepts_posts(tenant: Tenant, login: Login) -> None:
    case = analysed_case(tenant)
    assert login(tenant.agent).get(reverse("case_correct_analysis", args=[case.pk])).status_code == 405


COPIED = "Service client déplorable, personne ne répond jamais au téléphone, je déconseille fortement cette mutuelle"


def test_suspicious_review_reasons_read_in_the_reader_s_language(tenant: Tenant, login: Login) -> None:
    """The reasons are stored as codes and said at display time: French to a French reader,
    English to an English one, and a result stored before the codes (French sentences only)
    reads the same way."""
    first = make_mention(tenant.organisation, text=COPIED)
    copy = make_mention(tenant.organisation, text=COPIED.replace("fortement", "vivement"))
    do_analyze_mentions(tenant.organisation, [first.pk, copy.pk])
    case = make_case(tenant.organisation, copy)
    older = make_mention(tenant.organisation, text="Nul")
    do_analyze_mentions(tenant.organisation, [older.pk])
    AnalysisResult.objects.filter(mention=older, analyzer="suspicious").update(
        version="1.1",
        result={
            "suspicious": {
                "suspicious": True,
                "reasons": ["Vague de notes basses venant de comptes récents (6 en 24 heures)"],
                "sketch": [],
            }
        },
    )
    older_case = make_case(tenant.organisation, older)
    client = login(tenant.viewer)
    french = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Texte quasi identique à celui d&#x27;un autre auteur" in french
    assert "Vague de notes basses venant de comptes récents (6 en 24 heures)" in (
        client.get(reverse("case_detail", args=[older_case.pk])).content.decode()
    )
    User.objects.filter(pk=tenant.viewer.user.pk).update(language="en")
    english = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Suspicious review" in english
    assert "Text almost identical to another author&#x27;s" in english
    assert "Texte quasi identique" not in english
    older_english = client.get(reverse("case_detail", args=[older_case.pk])).content.decode()
    assert "Wave of low ratings from new accounts (6 in 24 hours)" in older_english


def test_priority_reasons_read_in_the_reader_s_language(tenant: Tenant, login: Login) -> None:
    """An English-speaking agent of a French organisation reads why a case is urgent in English; a
    result stored before the codes (priority 1.2) keeps its stored sentences."""
    case = analysed_case(tenant)
    client = login(tenant.viewer)
    User.objects.filter(pk=tenant.viewer.user.pk).update(language="en")
    english = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "Very low rating (1.0/5)" in english
    assert "Note très basse" not in english
    AnalysisResult.objects.filter(mention=case.mention, analyzer="priority").update(
        version="1.2", result={"priority": {"score": 60, "reasons": ["Note très basse (1,0/5)"]}}
    )
    assert "Note très basse (1,0/5)" in client.get(reverse("case_detail", args=[case.pk])).content.decode()


def test_a_one_star_review_in_kind_words_reads_negative_and_says_what_its_words_say(
    tenant: Tenant, login: Login
) -> None:
    mention = make_mention(
        tenant.organisation,
        text="Livraison rapide, produit conforme, vendeur très aimable. Je recommande !",
        rating=1,
    )
    do_analyze_mentions(tenant.organisation, [mention.pk])
    mention.refresh_from_db()
    case = make_case(tenant.organisation, mention)
    client = login(tenant.viewer)
    html = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert 'class="badge sentiment-negative">Négatif' in html
    assert "d'après la note ; le texte seul se lit positif" in html
    User.objects.filter(pk=tenant.viewer.user.pk).update(language="en")
    english = client.get(reverse("case_detail", args=[case.pk])).content.decode()
    assert "from the rating; the text alone reads positive" in english


def test_the_default_themes_read_in_the_reader_s_language(tenant: Tenant, login: Login) -> None:
    """An English-speaking agent of a French organisation read "Remboursements" in the inbox's
    theme filter, on the case page's themes and in the routing rules while the dashboard said
    "Refunds": Vigie's default themes are named in the reader's language everywhere; an
    organisation's own themes keep the label it gave them."""
    case = make_case(tenant.organisation, mention=make_mention(tenant.organisation, themes=["remboursement"]))
    manager = login(tenant.manager)
    pages = [reverse("inbox"), reverse("case_detail", args=[case.pk]), reverse("routing_rule_create")]
    for url in pages:
        assert "Remboursements" in manager.get(url).content.decode()
    User.objects.filter(pk=tenant.manager.user.pk).update(language="en")
    for url in pages:
        html = manager.get(url).content.decode()
        assert "Refunds" in html
        assert "Remboursements" not in html
    Theme.objects.create(organisation=tenant.organisation, slug="remboursement", label="Remboursements santé")
    assert "Remboursements santé" in manager.get(reverse("inbox")).content.decode()
