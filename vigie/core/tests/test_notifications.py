"""In-app notifications reach one person in one organisation and can be marked read."""

import pytest

from vigie.core.actions import do_create_member, do_create_organisation, do_mark_notifications_read, do_notify
from vigie.core.queries import unread_notifications

pytestmark = pytest.mark.django_db


def test_a_notification_is_unread_until_marked_and_stays_in_its_organisation() -> None:
    acme = do_create_organisation("acme", "Acme")
    other = do_create_organisation("other", "Other")
    agent = do_create_member(acme, "agent@acme.example", role="agent").user
    do_create_member(other, "agent@acme.example", role="agent")
    first = do_notify(acme, agent, "reply.sent_back", "Réponse renvoyée", url="/inbox/cases/1/")
    do_notify(acme, agent, "alert.opened", "Pic de mentions négatives")

    assert [n.title for n in unread_notifications(acme, agent)] == [
        "Pic de mentions négatives",
        "Réponse renvoyée",
    ]
    assert not unread_notifications(other, agent).exists()

    assert do_mark_notifications_read(acme, agent, [first.pk]) == 1
    assert [n.event for n in unread_notifications(acme, agent)] == ["alert.opened"]
    assert do_mark_notifications_read(acme, agent) == 1
    assert not unread_notifications(acme, agent).exists()
