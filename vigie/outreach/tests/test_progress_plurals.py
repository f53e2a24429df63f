"""A list's progress counts its rows in proper French and English plurals (it read « 1 ligne(s)
traitée(s) »), on the list's page, under *Invitations envoyées* and under the survey imports."""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest
from django.test import Client

from vigie.core.models import Membership
from vigie.outreach.models import BatchKind, BatchState, InviteBatch
from vigie.outreach.tests.conftest import World

pytestmark = pytest.mark.django_db


def batch(world: World, done: int, total: int, kind: str = BatchKind.INVITE) -> InviteBatch:
    return InviteBatch.objects.create(
        organisation=world.tenant.organisation,
        kind=kind,
        file_name="clients.csv",
        total=total,
        done=done,
        state=BatchState.RUNNING,
    )


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(html.unescape(response.content.decode()).split())


@pytest.mark.parametrize(
    ("done", "french", "english"),
    [
        (0, "0 ligne traitée sur 20 (0 %)", "0 rows processed out of 20 (0%)"),
        (1, "1 ligne traitée sur 20 (5 %)", "1 row processed out of 20 (5%)"),
        (5, "5 lignes traitées sur 20 (25 %)", "5 rows processed out of 20 (25%)"),
    ],
)
def test_the_progress_reads_in_proper_plurals(
    world: World, login: Callable[[Membership], Client], done: int, french: str, english: str
) -> None:
    invite = batch(world, done, 20)
    batch(world, done, 20, kind=BatchKind.SURVEY)
    manager = world.tenant.manager
    client = login(manager)
    for url in (f"/outreach/lists/{invite.pk}/", "/outreach/invitations/", "/outreach/"):
        text = page(client, url)
        assert french.split(" (")[0] in text, url
        assert "(s)" not in text, url
    # The list's page also gives the share, in the reader's typography (it read "25 %" in English).
    assert french in page(client, f"/outreach/lists/{invite.pk}/")
    manager.user.language = "en"
    manager.user.save(update_fields=["language"])
    client = login(manager)
    for url in (f"/outreach/lists/{invite.pk}/", "/outreach/invitations/", "/outreach/"):
        text = page(client, url)
        assert english.split(" (")[0] in text, url
        assert "(s)" not in text, url
    assert english in page(client, f"/outreach/lists/{invite.pk}/")
