"""Alert titles in the crisis room's timeline and its export read as the inbox banner reads them:
English to an English reader (or in an English organisation's export), French otherwise."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.urls import reverse
from django.utils import translation

from vigie.alerts.actions import Finding, do_record_finding
from vigie.alerts.crisis.actions import do_open_crisis
from vigie.alerts.models import Alert, Crisis
from vigie.alerts.queries import crisis_timeline
from vigie.conftest import Tenant
from vigie.core.models import Organisation, User

FRENCH = "Pic de mentions négatives : remboursements"
ENGLISH = "Spike of negative mentions: refunds"


def _crisis(tenant: Tenant) -> tuple[Crisis, Alert]:
    alert, _ = do_record_finding(
        tenant.organisation,
        Finding(
            key="spike:refunds", rule="negative_volume", title=FRENCH, title_en=ENGLISH, severity="critical"
        ),
        announce=False,
    )
    crisis = do_open_crisis(
        tenant.organisation, actor=tenant.manager.user, title="Remboursements", alert=alert
    )
    return crisis, alert


def _alert_texts(crisis: Crisis, **kwargs: Any) -> list[str]:
    return [item.text for item in crisis_timeline(crisis, **kwargs) if item.kind == "alert"]


def test_the_timeline_reads_alert_titles_in_the_active_or_given_language(tenant: Tenant) -> None:
    crisis, _ = _crisis(tenant)
    assert _alert_texts(crisis) == [FRENCH]
    with translation.override("en"):
        assert _alert_texts(crisis) == [ENGLISH]
        assert _alert_texts(crisis, language="fr") == [FRENCH]
    assert _alert_texts(crisis, language="en") == [ENGLISH]


def test_the_room_shows_an_english_reader_the_english_title_and_a_french_one_the_french(
    tenant: Tenant, login: Any
) -> None:
    crisis, _ = _crisis(tenant)
    client = login(tenant.viewer)
    french = client.get(reverse("crisis_detail", args=[crisis.pk])).content.decode()
    assert FRENCH in french[french.index('id="timeline"') :]
    User.objects.filter(pk=tenant.viewer.user.pk).update(language="en")
    english = client.get(reverse("crisis_detail", args=[crisis.pk])).content.decode()
    timeline = english[english.index('id="timeline"') :]
    assert ENGLISH in timeline
    assert FRENCH not in timeline


def test_the_export_writes_alert_titles_in_the_organisation_s_language(tenant: Tenant, login: Any) -> None:
    crisis, _ = _crisis(tenant)
    export = reverse("crisis_timeline_export", args=[crisis.pk])

    def alert_rows() -> list[list[str]]:
        response = login(tenant.viewer).get(export)
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        return [row for row in rows[1:] if row[2] in ("alerte", "alert")]

    assert [row[2:5:2] for row in alert_rows()] == [["alerte", FRENCH]]
    Organisation.objects.filter(pk=tenant.organisation.pk).update(language="en")
    assert [row[2:5:2] for row in alert_rows()] == [["alert", ENGLISH]]


def test_an_incident_s_members_are_listed_in_the_reader_s_language(tenant: Tenant, login: Any) -> None:
    _, alert = _crisis(tenant)
    assert alert.incident is not None
    User.objects.filter(pk=tenant.viewer.user.pk).update(language="en")
    page = login(tenant.viewer).get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert f"<strong>{ENGLISH}</strong>" in page
    assert FRENCH not in page
    User.objects.filter(pk=tenant.viewer.user.pk).update(language="fr")
    page = login(tenant.viewer).get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert f"<strong>{FRENCH}</strong>" in page
