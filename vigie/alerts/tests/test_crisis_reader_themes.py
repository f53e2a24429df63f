"""The crisis room names Vigie's default themes in its reader's language, as the inbox does."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from vigie.alerts.crisis.actions import do_open_crisis
from vigie.conftest import Tenant
from vigie.core.actions import do_set_user_language
from vigie.core.models import Membership

Login = Callable[[Membership], Client]


def test_an_english_reader_of_a_french_organisation_reads_english_theme_names(
    tenant: Tenant, login: Login
) -> None:
    assert tenant.organisation.language == "fr"
    crisis = do_open_crisis(
        tenant.organisation, actor=tenant.manager.user, title="Panne", themes=["remboursement"]
    )
    do_set_user_language(tenant.manager.user, "en")
    client = login(tenant.manager)
    room = client.get(reverse("crisis_detail", args=[crisis.pk])).content.decode()
    assert "Refunds" in room  # the crisis' scope
    form = client.get(reverse("crisis_new")).content.decode()
    assert ">Refunds<" in form  # the themes a new crisis can be scoped to
    assert ">Remboursements<" not in form


def test_a_french_reader_keeps_the_french_theme_names(tenant: Tenant, login: Login) -> None:
    crisis = do_open_crisis(
        tenant.organisation, actor=tenant.manager.user, title="Panne", themes=["remboursement"]
    )
    client = login(tenant.manager)
    room = client.get(reverse("crisis_detail", args=[crisis.pk])).content.decode()
    assert "Remboursements" in room
    assert "Refunds" not in room
    assert ">Remboursements<" in client.get(reverse("crisis_new")).content.decode()
