"""A series alert names what it watches in its reader's language: an English member of a French
organisation read "Thème Remboursements" (the label was stored in the organisation's language at
detection time); alerts detected before keep working after the migration that gives them both."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime

from django.apps import apps
from django.test import Client
from django.urls import reverse

from vigie.alerts.models import Alert, Incident
from vigie.alerts.tasks import detect
from vigie.alerts.tests.conftest import add_spike, build_history
from vigie.conftest import Tenant
from vigie.core.actions import do_set_user_language
from vigie.core.models import Membership
from vigie.mentions.models import Mention, Sentiment
from vigie.mentions.tests.factories import make_location

Login = Callable[[Membership], Client]
THEME_KEY = "negative_volume:theme:remboursement"


def _refund_spike(tenant: Tenant, now: datetime) -> Alert:
    """A refunds complaint now and then for four weeks, then half of a burst of complaints."""
    org = tenant.organisation
    source = build_history(org, now)
    negatives = Mention.objects.filter(organisation=org, sentiment=Sentiment.NEGATIVE).order_by("pk")
    for index, mention in enumerate(negatives):
        if index % 3 == 0:
            Mention.objects.filter(pk=mention.pk).update(themes=["remboursement"])
    add_spike(org, source, now, count=40)
    spike = Mention.objects.filter(organisation=org, external_id__startswith="spike-").order_by("pk")
    for index, mention in enumerate(spike):
        Mention.objects.filter(pk=mention.pk).update(themes=["remboursement"] if index % 2 else ["accueil"])
    detect(org.pk)
    return Alert.objects.get(organisation=org, key=THEME_KEY)


def test_a_theme_alert_reads_in_each_readers_language(tenant: Tenant, now: datetime, login: Login) -> None:
    alert = _refund_spike(tenant, now)
    assert alert.title == "Pic de mentions négatives · Thème Remboursements"
    assert alert.title_en == "Spike of negative mentions · Theme Refunds"

    french = login(tenant.manager)
    assert (
        "Pic de mentions négatives · Thème Remboursements" in french.get(reverse("alerts")).content.decode()
    )
    page = french.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "<dd>Thème Remboursements</dd>" in page

    do_set_user_language(tenant.manager.user, "en")
    english = login(tenant.manager)
    listing = english.get(reverse("alerts")).content.decode()
    assert "Spike of negative mentions · Theme Refunds" in listing
    assert "Remboursements" not in listing
    page = english.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "<dd>Theme Refunds</dd>" in page
    assert "Remboursements" not in page


def test_an_english_organisations_theme_alert_reads_french_to_a_french_reader(
    tenant: Tenant, now: datetime, login: Login
) -> None:
    tenant.organisation.language = "en"
    tenant.organisation.save(update_fields=["language"])
    alert = _refund_spike(tenant, now)
    assert alert.title.endswith("· Thème Remboursements")
    assert alert.title_en.endswith("· Theme Refunds")
    do_set_user_language(tenant.manager.user, "fr")
    page = login(tenant.manager).get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "<dd>Thème Remboursements</dd>" in page


def test_the_series_settings_name_locations_in_the_readers_language(tenant: Tenant, login: Login) -> None:
    make_location(tenant.organisation, "Agence Lyon")
    french = login(tenant.manager).get(reverse("alert_settings")).content.decode()
    assert "Lieu Agence Lyon" in french
    do_set_user_language(tenant.manager.user, "en")
    english = login(tenant.manager).get(reverse("alert_settings")).content.decode()
    assert "Location Agence Lyon" in english
    assert "Lieu Agence Lyon" not in english


def test_alerts_detected_before_get_their_scope_in_both_languages(tenant: Tenant) -> None:
    org = tenant.organisation
    incident = Incident.objects.create(
        organisation=org,
        title="Pic de mentions négatives · Thème Remboursements",
        title_en="Spike of negative mentions · Theme Remboursements",
    )
    theme = Alert.objects.create(
        organisation=org,
        key=THEME_KEY,
        rule="negative_volume",
        scope_label="Thème Remboursements",
        title="Pic de mentions négatives · Thème Remboursements",
        title_en="Spike of negative mentions · Theme Remboursements",
        incident=incident,
        leads_incident=True,
    )
    place = Alert.objects.create(
        organisation=org,
        key="average_rating:location:7",
        rule="average_rating",
        scope_label="Lieu Agence Lyon",
        title="Baisse de la note moyenne · Lieu Agence Lyon",
        title_en="Average rating falling · Location Agence Lyon",
    )
    item = Alert.objects.create(
        organisation=org,
        key="one_star_review:mention:3",
        rule="one_star_review",
        scope_label="Agence Lyon",
        title="Avis 1★ · Agence Lyon",
        title_en="1★ review · Agence Lyon",
    )

    migration = importlib.import_module("vigie.alerts.migrations.0006_alert_scope_label_en")
    migration.both_languages(apps, None)

    theme.refresh_from_db()
    assert (theme.scope_label, theme.scope_label_en) == ("Thème Remboursements", "Theme Refunds")
    assert theme.title_in("en") == "Spike of negative mentions · Theme Refunds"
    assert theme.title_in("fr") == "Pic de mentions négatives · Thème Remboursements"
    incident.refresh_from_db()
    assert incident.title_in("en") == "Spike of negative mentions · Theme Refunds"
    place.refresh_from_db()
    assert place.scope_label_in("en") == "Location Agence Lyon"
    assert place.title_in("en") == "Average rating falling · Location Agence Lyon"
    item.refresh_from_db()
    assert (item.scope_label, item.scope_label_en, item.title_en) == (
        "Agence Lyon",
        "",
        "1★ review · Agence Lyon",
    )
