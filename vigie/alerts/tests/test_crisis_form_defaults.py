"""The "open a crisis" form's proposed start and the post-mortem's corrective actions, as a manager
meets them (found in the demo: a crisis opened now read "depuis hier", and closing refused actions
whose owner and due date were labelled "facultatif")."""

from __future__ import annotations

import re
import zoneinfo
from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from vigie.alerts.crisis.actions import do_open_crisis
from vigie.alerts.models import Crisis, Incident
from vigie.conftest import Tenant


def _shown_start(page: str, zone: str) -> datetime:
    shown = re.search(r'name="started_at" value="([^"]+)"', page)
    assert shown is not None, page
    return datetime.strptime(shown.group(1), "%Y-%m-%dT%H:%M").replace(tzinfo=zoneinfo.ZoneInfo(zone))


def test_a_crisis_opened_by_hand_starts_now_or_at_the_open_incident(tenant: Tenant, login) -> None:  # type: ignore[no-untyped-def]
    org = tenant.organisation
    client = login(tenant.manager)
    now = timezone.now()
    page = client.get(reverse("crisis_new")).content.decode()
    start = _shown_start(page, org.timezone)
    assert timedelta(0) <= now - start < timedelta(minutes=2), "now, to the minute, not 24 hours back"
    assert "sinon maintenant" in page

    # Opened as proposed, the room reads "since" today's minute, not yesterday's.
    response = client.post(
        reverse("crisis_new"),
        {"title": "Panne", "severity": "critical", "started_at": start.strftime("%Y-%m-%dT%H:%M")},
    )
    assert response.status_code == 302
    room = client.get(response.url).content.decode()
    assert "depuis le " + start.strftime("%d/%m/%Y %H:%M") in room

    since = now - timedelta(hours=5, minutes=12)
    Incident.objects.create(organisation=org, title="Pic d'avis négatifs", since=since)
    page = client.get(reverse("crisis_new")).content.decode()
    assert _shown_start(page, org.timezone) == since.replace(second=0, microsecond=0), "the incident's start"


def _close(client, crisis: Crisis, **action: str):  # type: ignore[no-untyped-def]
    data = {"causes": "x", "what_worked": "y", "what_did_not": "z"}
    data.update({f"action0-{key}": value for key, value in action.items()})
    return client.post(reverse("crisis_close", args=[crisis.pk]), data)


def test_a_corrective_action_with_a_title_asks_for_its_owner_and_due_date_beside_them(
    tenant: Tenant, login
) -> None:  # type: ignore[no-untyped-def]
    crisis = do_open_crisis(tenant.organisation, actor=tenant.manager.user, title="Panne")
    client = login(tenant.manager)
    form = client.get(reverse("crisis_close", args=[crisis.pk])).content.decode()
    labels = re.findall(r'<label for="id_action0-(\w+)">(.*?)</label>', form, re.S)
    assert dict(labels)["title"].endswith("(facultatif)</span>"), labels
    assert "facultatif" not in dict(labels)["owner"]
    assert "facultatif" not in dict(labels)["due_on"]
    assert form.count("Obligatoire si l&#x27;action a un intitulé.") >= 2

    response = _close(client, crisis, title="Former l'équipe")
    assert response.status_code == 400
    page = response.content.decode()
    owner = page[page.index('for="id_action0-owner"') : page.index('for="id_action0-due_on"')]
    due = page[page.index('for="id_action0-due_on"') : page.index('for="id_action1-title"')]
    assert "Choisissez le responsable de cette action." in owner
    assert "Indiquez l&#x27;échéance de cette action." in due
    assert 'value="Former l&#x27;équipe"' in page, "what was typed is kept"

    response = _close(client, crisis, owner=str(tenant.agent.user.pk))
    assert response.status_code == 400
    assert "Donnez un intitulé à cette action" in response.content.decode()

    response = _close(
        client, crisis, title="Former l'équipe", owner=str(tenant.agent.user.pk), due_on="2030-01-31"
    )
    assert response.status_code == 302
    crisis.refresh_from_db()
    assert crisis.status == "closed"
