from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from vigie.analysis.discovery import discover_clusters
from vigie.analysis.models import Theme, ThemeCandidate
from vigie.conftest import Tenant
from vigie.core.models import AuditEvent
from vigie.mentions.models import Mention
from vigie.mentions.tests.factories import make_mention

PARKING = [
    "Impossible de se garer, le parking de l'agence est toujours plein",
    "Parking plein encore une fois, j'ai tourné vingt minutes pour me garer",
    "Aucune place de parking devant l'agence, garer sa voiture relève de l'exploit",
]
COFFEE = [
    "La machine à café de la salle d'attente est en panne depuis des mois",
    "Un café offert pendant l'attente, c'est une belle attention",
    "Plus de café dans la machine, dommage pour une longue attente",
]


def corpus() -> list[str]:
    return [f"{text} ({i})" for i in range(8) for text in PARKING + COFFEE]


def test_clusters_group_similar_texts_and_are_named_by_their_terms() -> None:
    texts = corpus()
    clusters = discover_clusters(texts, clusters=2, seed=1)
    assert sorted(c.size for c in clusters) == [24, 24]
    names = [set(c.terms) for c in clusters]
    assert any({"parking"} <= terms for terms in names)
    assert any({"café"} <= terms for terms in names)
    for cluster in clusters:
        members = {texts[i].split(" (")[0] for i in cluster.members}
        assert members <= set(PARKING) or members <= set(COFFEE)
        assert len(cluster.examples) == 3


def test_too_few_texts_give_no_cluster() -> None:
    assert discover_clusters(PARKING) == []


@pytest.mark.django_db
def test_a_manager_discovers_and_promotes_a_cluster(tenant: Tenant, other_tenant: Tenant) -> None:
    mentions = [make_mention(tenant.organisation, text=text, language="fr") for text in corpus()]
    themed = make_mention(tenant.organisation, text=PARKING[0], language="fr", themes=["attente"])
    make_mention(other_tenant.organisation, text=PARKING[0], language="fr")
    out = io.StringIO()
    call_command("themes", "discover", "--org", "acme", "--clusters", "2", stdout=out)
    assert "48 mentions fit no theme; 2 clusters" in out.getvalue()
    parking = next(
        c for c in ThemeCandidate.objects.filter(organisation=tenant.organisation) if "parking" in c.terms
    )
    assert themed.pk not in parking.mention_ids
    call_command(
        "themes",
        "promote",
        "--org",
        "acme",
        "--cluster",
        str(parking.pk),
        "--slug",
        "parking",
        "--label",
        "Stationnement",
        "--by",
        "manager@acme.example",
        stdout=out,
    )
    theme = Theme.objects.get(organisation=tenant.organisation, slug="parking")
    assert theme.label == "Stationnement"
    assert "parking" in theme.keywords
    assert Theme.objects.filter(organisation=tenant.organisation).count() == 13  # default taxonomy kept
    tagged = {m.pk for m in Mention.objects.filter(organisation=tenant.organisation) if "parking" in m.themes}
    assert tagged == set(parking.mention_ids)
    assert len(tagged) == 24
    assert tagged <= {m.pk for m in mentions}
    event = AuditEvent.objects.get(organisation=tenant.organisation, verb="analysis.theme_promoted")
    assert event.actor == tenant.manager.user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--cluster", "999", "--slug", "x", "--label", "X"], "no unpromoted cluster"),
        (["--cluster", "{pk}", "--slug", "attente", "--label", "X"], "already exists"),
        (["--cluster", "{pk}", "--slug", "Bad Slug", "--label", "X"], "slug must be"),
        (
            ["--cluster", "{pk}", "--slug", "x", "--label", "X", "--by", "agent@acme.example"],
            "is not a manager",
        ),
    ],
)
def test_promoting_refuses_bad_requests(tenant: Tenant, arguments: list[str], message: str) -> None:
    for text in corpus():
        make_mention(tenant.organisation, text=text, language="fr")
    call_command("themes", "discover", "--org", "acme", "--clusters", "2", stdout=io.StringIO())
    Theme.objects.create(organisation=tenant.organisation, slug="attente", label="Attente")
    pk = str(ThemeCandidate.objects.filter(organisation=tenant.organisation).first().pk)
    with pytest.raises(CommandError, match=message):
        call_command("themes", "promote", "--org", "acme", *[a.replace("{pk}", pk) for a in arguments])


@pytest.mark.django_db
def test_discovery_needs_enough_mentions(tenant: Tenant) -> None:
    out = io.StringIO()
    call_command("themes", "discover", "--org", "acme", stdout=out)
    assert "nothing to discover yet" in out.getvalue()
