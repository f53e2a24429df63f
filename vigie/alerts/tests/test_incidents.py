"""One spike moves several series at once: they make ONE incident, notified once, explained in
words, shown as a banner in the inbox while it lasts."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.test import Client

from vigie.alerts.actions import SERIES_QUIET_AFTER, do_acknowledge_alert, do_resolve_quiet_alerts
from vigie.alerts.models import Alert, AlertStatus, Delivery, Incident, IncidentStatus
from vigie.alerts.tasks import detect
from vigie.alerts.tests.conftest import build_history
from vigie.conftest import Tenant
from vigie.core.models import Notification
from vigie.mentions.models import Mention, MentionKind, Sentiment
from vigie.mentions.tests.factories import make_location


def spike_about_refunds_in_lyon(tenant: Tenant, now: datetime) -> None:
    """A quiet month on Trustpilot, then 45 negative 1★ reviews about refunds at the Lyon agency."""
    organisation = tenant.organisation
    source = build_history(organisation, now)
    source.platform = "trustpilot"
    source.save(update_fields=["platform"])
    lyon = make_location(organisation, "Agence de Lyon")
    Mention.objects.bulk_create(
        Mention(
            organisation=organisation,
            source=source,
            location=lyon,
            external_id=f"refund-{i}",
            kind=MentionKind.REVIEW,
            text="Toujours pas remboursé, trois relances sans réponse.",
            created_at=now - timedelta(seconds=45 * 60 * i / 45),
            sentiment=Sentiment.NEGATIVE,
            rating=1,
            themes=["remboursement"],
        )
        for i in range(45)
    )


def test_a_spike_opens_one_incident_notified_once_and_explained(tenant: Tenant, now: datetime) -> None:
    spike_about_refunds_in_lyon(tenant, now)
    detect(tenant.organisation.pk)

    series_alerts = Alert.objects.filter(organisation=tenant.organisation, incident__isnull=False)
    assert series_alerts.count() >= 2, "the spike moves several series"
    incident = Incident.objects.get(organisation=tenant.organisation)
    assert set(series_alerts.values_list("incident", flat=True)) == {incident.pk}
    assert series_alerts.filter(leads_incident=True).count() == 1
    assert incident.status == IncidentStatus.OPEN
    assert incident.explanation.startswith("+")
    assert "de mentions négatives en" in incident.explanation
    assert "surtout Remboursements" in incident.explanation
    assert "à Agence de Lyon" in incident.explanation
    assert "surtout sur Trustpilot" in incident.explanation
    assert "mostly Refunds" in incident.explanation_en  # the theme in English too

    # One in-app notice and one e-mail per person for the whole incident, not one per series.
    manager_notices = Notification.objects.filter(recipient=tenant.manager.user, event="alert.opened")
    assert manager_notices.count() == 1
    assert manager_notices.get().title.startswith("Incident : ")
    mails = Delivery.objects.filter(recipient=tenant.manager.user, event="alert.opened")
    assert mails.count() == 1
    assert mails.get().notice["body"] == incident.explanation

    # The next detection finds the same episode: nothing new is opened nor sent.
    detect(tenant.organisation.pk)
    assert Incident.objects.filter(organisation=tenant.organisation).count() == 1
    assert Notification.objects.filter(recipient=tenant.manager.user, event="alert.opened").count() == 1


def test_the_inbox_shows_a_banner_while_the_incident_is_open(
    tenant: Tenant, other_tenant: Tenant, now: datetime
) -> None:
    spike_about_refunds_in_lyon(tenant, now)
    detect(tenant.organisation.pk)
    incident = Incident.objects.get(organisation=tenant.organisation)
    agent = Client(HTTP_HOST="127.0.0.1")
    agent.force_login(tenant.agent.user)
    page = agent.get("/inbox/").content.decode()
    assert "Incident en cours" in page
    assert "surtout Remboursements" in page
    lead = incident.alerts.get(leads_incident=True)
    assert f"/alerts/{lead.pk}/" in page

    other = Client(HTTP_HOST="127.0.0.1")
    other.force_login(other_tenant.agent.user)
    assert "Incident en cours" not in other.get("/inbox/").content.decode()

    detail = agent.get(f"/alerts/{lead.pk}/").content.decode()
    for member in incident.alerts.all():
        assert member.title in detail


def test_acknowledging_the_lead_takes_the_incident_in_hand_and_quiet_series_close_it(
    tenant: Tenant, now: datetime
) -> None:
    spike_about_refunds_in_lyon(tenant, now)
    detect(tenant.organisation.pk)
    incident = Incident.objects.get(organisation=tenant.organisation)
    lead = incident.alerts.get(leads_incident=True)
    do_acknowledge_alert(lead, actor=tenant.manager.user)
    assert not incident.alerts.filter(status=AlertStatus.OPEN).exists()

    later = now + SERIES_QUIET_AFTER + timedelta(minutes=5)
    do_resolve_quiet_alerts(tenant.organisation, [], later)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED
    assert incident.closed_at == later
    agent = Client(HTTP_HOST="127.0.0.1")
    agent.force_login(tenant.agent.user)
    assert "Incident en cours" not in agent.get("/inbox/").content.decode()


def test_an_incident_headline_reads_as_people_say_it(tenant: Tenant) -> None:
    from vigie.alerts.actions import incident_headline
    from vigie.alerts.models import AlertRule

    reach = Alert(organisation=tenant.organisation, rule=AlertRule.REACH, observed=67_010.0, expected=100.0)
    assert incident_headline(reach, 175) == (
        "Audience estimée plus de ×20 en 2 h 55 min",
        "Estimated reach over ×20 in 2 h 55 min",
    )
    negative = Alert(
        organisation=tenant.organisation, rule=AlertRule.NEGATIVE_VOLUME, observed=1_300.0, expected=10.0
    )
    assert incident_headline(negative, 60) == (
        "+12\u202f900 % de mentions négatives en 1 h",
        "+12,900% negative mentions in 1 h",
    )
