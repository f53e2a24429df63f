"""The charter's figures as each reader's language writes them: an English page read "changed by
more than 30 %" (French spacing) and every page "1095 jours" without grouping; a French one split
"30" from its "%" or "24" from its "h" at a line break."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from vigie.charter.actions import do_update_charter
from vigie.charter.document import CharterDocument
from vigie.conftest import Tenant
from vigie.core.actions import do_set_user_language
from vigie.core.models import Membership

Login = Callable[[Membership], Client]
NBSP, NNBSP = "\u00a0", "\u202f"


def _charter(tenant: Tenant) -> None:
    document: Any = json.loads(CharterDocument().model_dump_json())
    document["approval"]["template_edit_threshold"] = 0.3
    document["approval"]["shortest_deadline_hours"] = 48
    document["approval"]["stars_at_most"] = 1
    document["sla"]["first_response_hours"] = 0.5
    document["sla"]["per_platform_hours"] = {"facebook": 2.25}
    document["kpi_targets"]["average_rating"] = 4.5
    document["retention"]["mentions"] = {"days": 1095, "action": "pseudonymise"}
    do_update_charter(tenant.organisation, CharterDocument.model_validate(document))


def test_a_french_reader_reads_french_typography(tenant: Tenant, login: Login) -> None:
    _charter(tenant)
    page = login(tenant.viewer).get(reverse("charter")).content.decode()
    assert f"Modèle pré-approuvé modifié à plus de 30{NBSP}%." in page
    assert f"0,5{NBSP}h ouvrées" in page
    assert f"2,25{NBSP}h ouvrées" in page
    assert f"Seuil des délais : 48{NBSP}h." in page
    assert f"4,5{NBSP}/{NBSP}5" in page
    assert f"1{NNBSP}095 jours, puis" in page
    assert "Réponse à un avis de 1 étoile ou moins." in page
    assert " 30 %" not in page


def test_an_english_reader_reads_english_typography(tenant: Tenant, login: Login) -> None:
    _charter(tenant)
    do_set_user_language(tenant.viewer.user, "en")
    page = login(tenant.viewer).get(reverse("charter")).content.decode()
    assert "Pre-approved template changed by more than 30%." in page
    assert f"0.5{NBSP}business hours" in page
    assert f"2.25{NBSP}business hours" in page
    assert f"Deadline threshold: 48{NBSP}h." in page
    assert f"4.5{NBSP}/{NBSP}5" in page
    assert "1,095 days, then" in page
    assert "Reply to a review of 1 star or fewer." in page
    for french in ("30 %", "30\u00a0%", "0,5", "ouvrées", "jours"):
        assert french not in page, french


def test_the_printed_charter_writes_the_same(tenant: Tenant, login: Login) -> None:
    _charter(tenant)
    do_set_user_language(tenant.viewer.user, "en")
    page = login(tenant.viewer).get(reverse("charter_print")).content.decode()
    assert "Pre-approved template changed by more than 30%." in page
    assert "1,095 days, then" in page
