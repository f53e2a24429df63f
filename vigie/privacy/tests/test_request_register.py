"""The register of people's requests: a request is due one month after its receipt (art. 12(3)),
the page says how many days are left or how late it is, an extension adds two months once, an
access or rectification request is closed with what was answered, and an erasure started from the
request closes it and leaves the register with the fingerprint only, not who asked."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from vigie.conftest import Tenant
from vigie.core.dates import add_months
from vigie.core.models import AuditEvent, Membership
from vigie.mentions.tests.factories import make_author, make_mention
from vigie.privacy.actions import do_record_request
from vigie.privacy.models import SubjectRequest

pytestmark = pytest.mark.django_db


def _today(tenant: Tenant) -> date:
    # The organisation's day, as the page counts (not the server's).
    return timezone.localdate(timezone=ZoneInfo(tenant.organisation.timezone))


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2026, 12, 15), date(2027, 1, 15)),
        (date(2026, 3, 1), date(2026, 4, 1)),
    ],
)
def test_one_month_is_counted_in_calendar_months(received: date, due: date) -> None:
    assert add_months(received, 1) == due


def test_a_request_is_recorded_with_its_limit_and_the_page_counts_the_days(
    tenant: Tenant, login: Callable[[Membership], Client]
) -> None:
    client = login(tenant.admin)
    today = _today(tenant)
    received = today - timedelta(days=3)
    response = client.post(
        "/privacy/requests/",
        {"kind": "access", "subject": "marie@example.fr", "received_on": received.isoformat()},
        follow=True,
    )
    recorded = SubjectRequest.objects.get()
    assert recorded.due_on == add_months(received, 1)
    said = html.unescape(response.content.decode())
    assert f"réponse due au plus tard le {recorded.due_on:%d/%m/%Y}" in said
    # The page opened the search for the person.
    assert "Ce que Vigie conserve sur « marie@example.fr »" in said
    left = (recorded.due_on - today).days
    assert f'data-days-left="{left}"' in said
    assert f"{left} jours restants" in said
    # A late one says so.
    late = do_record_request(
        tenant.organisation,
        kind="rectification",
        subject="@jdupont",
        received_on=today - timedelta(days=40),
        actor=None,
    )
    page = html.unescape(client.get("/privacy/").content.decode())
    days_late = (today - late.due_on).days
    assert re.search(rf"en retard de {days_late} jours?", page)
    # Past the first month it is too late to extend (the person must be told within it).
    refused = client.post(
        f"/privacy/requests/{late.pk}/", {"note": "trop tard", "action": "extend"}, follow=True
    )
    assert "Trop tard pour prolonger" in html.unescape(refused.content.decode())
    late.refresh_from_db()
    assert late.extended_to is None
    # Within it, extended once by two months.
    client.post(
        f"/privacy/requests/{recorded.pk}/", {"note": "demande complexe : 3 plateformes", "action": "extend"}
    )
    recorded.refresh_from_db()
    assert recorded.extended_to == add_months(recorded.due_on, 2)
    assert "Délai prolongé : demande complexe" in recorded.note
    # Then answered with what was done.
    client.post(f"/privacy/requests/{late.pk}/", {"note": "nom corrigé dans le contact"})
    late.refresh_from_db()
    assert late.done_at is not None
    assert late.note == "nom corrigé dans le contact"
    assert AuditEvent.objects.filter(verb="privacy.request_answered").exists()


def test_a_future_receipt_is_refused(tenant: Tenant, login: Callable[[Membership], Client]) -> None:
    client = login(tenant.admin)
    tomorrow = _today(tenant) + timedelta(days=2)
    response = client.post(
        "/privacy/requests/",
        {"kind": "access", "subject": "x@example.fr", "received_on": tomorrow.isoformat()},
        follow=True,
    )
    assert "Une demande ne peut pas être reçue dans le futur." in html.unescape(response.content.decode())
    assert not SubjectRequest.objects.exists()


def test_an_erasure_from_its_request_closes_it_and_forgets_who_asked(
    tenant: Tenant, login: Callable[[Membership], Client]
) -> None:
    org = tenant.organisation
    author = make_author(org, "google", handle="jdupont", display_name="Jean Dupont")
    make_mention(org, author=author, text="Service lent")
    recorded = do_record_request(
        org, kind="erasure", subject="@jdupont", received_on=_today(tenant), actor=None
    )
    client = login(tenant.admin)
    page = client.get("/privacy/", {"subject": "@jdupont", "request": str(recorded.pk)}).content.decode()
    assert f'name="request" value="{recorded.pk}"' in page
    client.post("/privacy/erase/", {"subject": "@jdupont", "confirm": "on", "request": recorded.pk})
    recorded.refresh_from_db()
    assert recorded.done_at is not None
    assert recorded.subject == ""
    assert recorded.fingerprint
    assert "Effacement fait." in recorded.note
    register = html.unescape(client.get("/privacy/").content.decode())
    assert "jdupont" not in register
    assert "(identité effacée)" in register


@pytest.mark.parametrize("role", ["viewer", "agent", "manager"])
def test_only_the_dpo_keeps_the_register(
    tenant: Tenant, login: Callable[[Membership], Client], role: str
) -> None:
    recorded = do_record_request(
        tenant.organisation, kind="access", subject="a@example.fr", received_on=_today(tenant), actor=None
    )
    client = login(tenant.member(role))
    assert client.post("/privacy/requests/", {"kind": "access", "subject": "b@example.fr"}).status_code == 403
    assert client.post(f"/privacy/requests/{recorded.pk}/", {"note": "x"}).status_code == 403


def test_another_organisations_request_is_not_found(
    tenant: Tenant, other_tenant: Tenant, login: Callable[[Membership], Client]
) -> None:
    recorded = do_record_request(
        other_tenant.organisation,
        kind="access",
        subject="a@example.fr",
        received_on=_today(tenant),
        actor=None,
    )
    assert login(tenant.admin).post(f"/privacy/requests/{recorded.pk}/", {"note": "x"}).status_code == 404


def test_the_page_has_no_repeated_id(tenant: Tenant, login: Callable[[Membership], Client]) -> None:
    """The register's form and the search both had id="id_subject": the label « Personne
    concernée » of the search named the register's field."""
    page = login(tenant.admin).get("/privacy/", {"subject": "@jdupont"}).content.decode()
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
