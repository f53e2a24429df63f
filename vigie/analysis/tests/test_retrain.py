from __future__ import annotations

import io
from collections.abc import Sequence
from typing import ClassVar

import pytest
from django.core.management import CommandError, call_command

from vigie.analysis.actions import do_analyze_mentions, do_correct_analysis, do_retrain_sentiment
from vigie.analysis.contract import Analyzer, Item, Results
from vigie.analysis.models import AnalysisResult, OrganisationModel
from vigie.analysis.orgmodel import SentimentModel, is_held_back, stars_to_label
from vigie.analysis.pipeline import Pipeline
from vigie.conftest import Tenant
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_mention, make_source

NEGATIVE = [
    "remboursement bloqué depuis des semaines",
    "conseiller odieux",
    "attente interminable au téléphone",
]
POSITIVE = [
    "remboursé en deux jours merci",
    "conseillère adorable et efficace",
    "accueil parfait rien à redire",
]


def texts(count: int) -> list[tuple[str, int]]:
    rows = []
    for i in range(count):
        bank, rating = (NEGATIVE, 1) if i % 2 else (POSITIVE, 5)
        rows.append((f"{bank[i % 3]}, dossier {i}", rating))
    return rows


class AlwaysPositive(Analyzer):
    """A deliberately poor shipped model, to compare against."""

    name = "sentiment"
    version = "test"
    provides: ClassVar[frozenset[str]] = frozenset({"sentiment"})

    def analyze(self, batch: Sequence[Item], previous: Sequence[Results]) -> list[Results]:
        assert all(item.rating is None for item in batch)  # the answer is withheld
        return [{"sentiment": {"label": "positive", "score": 1.0}} for _ in batch]


def test_stars_become_polarity_labels_and_the_slice_is_stable() -> None:
    assert [stars_to_label(s) for s in (1, 2, 3, 4, 5)] == ["negative"] * 2 + ["neutral"] + ["positive"] * 2
    assert [is_held_back(i) for i in range(50)] == [is_held_back(i) for i in range(50)]
    assert 5 <= sum(is_held_back(i) for i in range(100)) <= 20


def test_the_model_learns_saves_as_json_and_predicts() -> None:
    rows = texts(60)
    model = SentimentModel.train([t for t, _ in rows], [stars_to_label(r) for _, r in rows])
    again = SentimentModel.from_json(model.to_json())
    [bad, good] = again.predict(["attente interminable, conseiller odieux", "accueil parfait, merci"])
    assert bad["label"] == "negative"
    assert bad["score"] < 0
    assert good["label"] == "positive"
    assert -1 <= bad["score"] <= 1


@pytest.mark.django_db
def test_an_organisation_model_that_beats_the_shipped_one_is_adopted_and_used(tenant: Tenant) -> None:
    source = make_source(tenant.organisation)
    mentions = [make_mention(tenant.organisation, source=source, text=t, rating=r) for t, r in texts(240)]
    do_correct_analysis(mentions[0], "sentiment", "positive", actor=tenant.agent.user)
    report = do_retrain_sentiment(tenant.organisation, pipeline=Pipeline([AlwaysPositive()]))
    assert report.shipped == "sentiment test"
    assert report.shipped_accuracy is not None
    # Always "positive": right on exactly the positive share of the held-back slice, which is
    # chosen by mention id (so it moves with the ids an earlier test used up, never far from half).
    held = [m for m in mentions if is_held_back(m.pk)]
    assert report.shipped_accuracy == pytest.approx(sum(m.rating == 5 for m in held) / len(held))
    assert report.shipped_accuracy < 0.8
    assert report.organisation_accuracy > 0.9
    assert report.adopted
    assert report.from_corrections == 1
    stored = OrganisationModel.objects.get(organisation=tenant.organisation)
    assert stored.active
    assert stored.metrics["shipped_accuracy"] == round(report.shipped_accuracy, 4)

    fresh = make_mention(tenant.organisation, source=source, text="attente interminable au téléphone, odieux")
    do_analyze_mentions(tenant.organisation, [fresh.pk])
    fresh.refresh_from_db()
    assert fresh.sentiment == "negative"
    row = AnalysisResult.objects.get(mention=fresh, analyzer="org_sentiment")
    assert row.version == f"org-{stored.pk}"
    # The organisation's model reads the words; a rated review's stars still give its side.
    rated = make_mention(tenant.organisation, source=source, text="accueil parfait rien à redire", rating=1)
    do_analyze_mentions(tenant.organisation, [rated.pk])
    rated.refresh_from_db()
    assert rated.sentiment == "negative"
    answer = AnalysisResult.objects.get(mention=rated, analyzer="org_sentiment").result["sentiment"]
    assert answer["text_label"] == "positive"


@pytest.mark.django_db
def test_a_model_that_does_not_beat_the_reference_is_kept_but_not_adopted(tenant: Tenant) -> None:
    source = make_source(tenant.organisation)
    for i in range(200):  # the text says nothing about the rating: nothing to learn
        make_mention(tenant.organisation, source=source, text="Avis sans détail.", rating=5 if i % 4 else 1)
    report = do_retrain_sentiment(tenant.organisation)
    assert not report.adopted
    assert report.organisation_accuracy <= report.majority_accuracy
    assert not OrganisationModel.objects.filter(active=True).exists()


@pytest.mark.django_db
def test_the_command_shows_both_numbers(tenant: Tenant, other_tenant: Tenant) -> None:
    source = make_source(tenant.organisation)
    for t, r in texts(200):
        make_mention(tenant.organisation, source=source, text=t, rating=r)
    out = io.StringIO()
    call_command("retrain", "--org", "acme", stdout=out)
    output = out.getvalue()
    assert "organisation model: accuracy" in output
    assert ("shipped model (" in output) or ("majority class: accuracy" in output)
    assert not OrganisationModel.objects.filter(organisation=other_tenant.organisation).exists()
    with pytest.raises(CommandError, match="not enough labelled mentions"):
        call_command("retrain", "--org", "globex")
    assert Mention.objects.filter(organisation=tenant.organisation).count() == 200
