"""What a walk of the crisis room found: a draft statement showed no way forward to a manager who
is not the spokesperson (no button, no word): the room names who approves it, or says that no
spokesperson is named yet."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from vigie.alerts.crisis.actions import do_assign_crisis_role, do_draft_statement, do_open_crisis
from vigie.conftest import Tenant

BODY = "Nous avons connaissance des difficultés signalées. Nous reviendrons vers vous à 18 h."


def _card(page: str) -> str:
    start = page.index('class="statement"')
    return page[start : page.index("</article>", start)]


def test_a_draft_names_who_approves_it_to_those_who_cannot(tenant: Tenant, login: Any) -> None:
    crisis = do_open_crisis(tenant.organisation, actor=tenant.manager.user, title="Portail en panne")
    do_draft_statement(crisis, BODY, actor=tenant.manager.user, membership=tenant.manager)
    room = reverse("crisis_detail", args=[crisis.pk])

    card = _card(login(tenant.manager).get(room).content.decode())
    assert "aucun porte-parole n'est désigné dans la cellule de crise" in card
    assert "/approve/" not in card

    do_assign_crisis_role(crisis, "spokesperson", tenant.agent.user.pk, actor=tenant.manager.user)
    for member in (tenant.manager, tenant.viewer):
        card = _card(login(member).get(room).content.decode())
        assert f"À faire approuver par le porte-parole, {tenant.agent.user}." in card
    # The spokesperson gets the button, not the note.
    card = _card(login(tenant.agent).get(room).content.decode())
    assert "/approve/" in card
    assert "À faire approuver" not in card
